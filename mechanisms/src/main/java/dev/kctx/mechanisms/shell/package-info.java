/**
 * A small shell for transcripts ({@link dev.kctx.mechanisms.shell.Shell}): its commands (cat, echo,
 * ls, insmod, rmmod, modprobe, lsmod, mknod, mkdir, rmdir, dmesg, sleep, setuid, wc, dd, exec, head,
 * sysctl, reboot, kill, ./PROGRAM) expand into the system calls the real tools make and print what
 * they print. User space's top: it uses the mechanisms, none of them uses it.
 */
package dev.kctx.mechanisms.shell;
