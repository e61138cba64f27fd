/**
 * Loadable modules: definitions (the .ko files a machine has), insmod and rmmod with
 * parameters, the registrations a module makes and that vanish with it, its reference count,
 * and its /sys/module/NAME directory with the parameters module_param exposes.
 */
package dev.kctx.mechanisms.module;
