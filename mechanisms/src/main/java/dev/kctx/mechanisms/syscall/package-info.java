/**
 * System calls: the x86_64 numbers of the calls kctx models, and calls a module adds to the table
 * (a model of rebuilding the kernel with a new entry), reached from user space with syscall(2)
 * and gone again, ENOSYS, after rmmod.
 */
package dev.kctx.mechanisms.syscall;
