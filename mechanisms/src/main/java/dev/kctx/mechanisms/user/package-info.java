/**
 * What user programs do: system calls with their numbers, return values and errno ({@link
 * dev.kctx.mechanisms.user.Sys}, {@link dev.kctx.mechanisms.user.FileCalls}); libc-style calls that
 * keep descriptors in named variables ({@link dev.kctx.mechanisms.user.Libc}); the programs a
 * machine has on disk ({@link dev.kctx.mechanisms.user.Executables}, {@link
 * dev.kctx.mechanisms.user.ProgramFiles}) and the shell's own ({@link
 * dev.kctx.mechanisms.user.Binaries}); process exit with its wait status ({@link
 * dev.kctx.mechanisms.user.ProcessExit}); reboot; and a small shell whose commands (cat, echo, ls,
 * insmod, rmmod, lsmod, mknod, mkdir, rmdir, dmesg, sleep, setuid, exec, head, sysctl, reboot,
 * ./PROGRAM) expand into those system calls and print a transcript.
 */
package dev.kctx.mechanisms.user;
