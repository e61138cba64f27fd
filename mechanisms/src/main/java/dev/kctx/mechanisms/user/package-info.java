/**
 * What user programs do: system calls with their numbers, return values and errno ({@link
 * dev.kctx.mechanisms.user.Sys}); libc-style calls that keep descriptors in named variables
 * ({@link dev.kctx.mechanisms.user.Libc}); the machine's programs ({@link
 * dev.kctx.mechanisms.user.Binaries}); reboot; and a small shell whose commands (cat, echo, ls,
 * insmod, rmmod, lsmod, mknod, mkdir, rmdir, dmesg, sleep, setuid, exec, head, sysctl, reboot,
 * ./PROGRAM) expand into those system calls and print a transcript.
 */
package dev.kctx.mechanisms.user;
