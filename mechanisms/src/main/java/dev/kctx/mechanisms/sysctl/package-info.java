/**
 * sysctl (kernel/sysctl.c, fs/proc/proc_sysctl.c): ctl_tables under /proc/sys with the
 * proc_dointvec, proc_dointvec_minmax and proc_dostring handlers, the kernel's own tunables with
 * their defaults, tables registered by modules, and /etc/sysctl.conf applied at boot.
 */
package dev.kctx.mechanisms.sysctl;
