/**
 * The simulated VFS: a tree of directories, files backed by a module's file operations, and
 * device nodes; per-process file descriptor tables; permission checks by mode, owner and
 * capability. /proc, /sys, /sys/kernel/debug, /sys/kernel/config and /dev are directories whose
 * files belong to the mechanism (and module) that created them. Nothing here touches the host.
 */
package dev.kctx.mechanisms.vfs;
