/**
 * The kernel-user communication mechanisms as message protocols between context actors, one
 * package each (procfs, sysfs, debugfs, configfs, params, sysctl, chardev, ioctl, syscall,
 * netlink, genetlink, udp, signal, upcall, mmap), with the simulated VFS and module loader.
 */
package dev.kctx.mechanisms;
