/**
 * The kernel-user communication mechanisms as message protocols between context actors, one
 * package each (procfs, sysfs, debugfs, configfs, params, sysctl, chardev, ioctl, syscall,
 * netlink, genetlink, udp, signal, upcall, mmap), with the simulated VFS, kernfs and module
 * loader below them, the user side's system calls and programs ({@code user}) beside them and
 * the shell ({@code shell}) on top. This package holds what all of them share: errno and signal
 * numbers, credentials, ioctl numbers, and {@link dev.kctx.mechanisms.Initcalls}, through which a
 * lower layer learns of what registers with it.
 */
package dev.kctx.mechanisms;
