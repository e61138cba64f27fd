/**
 * configfs (fs/configfs): subsystems a module registers under /sys/kernel/config, in which user
 * space makes and removes config items with mkdir and rmdir; item attributes are files; existing
 * items keep the module loaded.
 */
package dev.kctx.mechanisms.configfs;
