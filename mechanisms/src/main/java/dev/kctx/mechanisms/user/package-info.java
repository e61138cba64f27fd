/**
 * What user programs do: system calls with their return values and errno ({@link
 * dev.kctx.mechanisms.user.Sys}, {@link dev.kctx.mechanisms.user.FileCalls}), the programs a
 * machine has on disk ({@link dev.kctx.mechanisms.user.Executables}), process exit with its wait
 * status ({@link dev.kctx.mechanisms.user.ProcessExit}), and a small shell whose commands (cat,
 * echo, ls, insmod, rmmod, mknod, mkdir, rmdir, dmesg, sleep, setuid, lsmod, and {@code ./prog}
 * to fork, exec and wait for a program) expand into those system calls and print a transcript.
 */
package dev.kctx.mechanisms.user;
