/**
 * What user programs do: system calls with their numbers, return values and errno ({@link
 * dev.kctx.mechanisms.user.Sys}, {@link dev.kctx.mechanisms.user.FileCalls}); libc-style calls that
 * keep descriptors in named variables ({@link dev.kctx.mechanisms.user.Libc}); the programs a
 * machine has on disk, the one registry the shell, fork/execve and the upcalls look in ({@link
 * dev.kctx.mechanisms.user.Executables}); process exit with its wait status ({@link
 * dev.kctx.mechanisms.user.ProcessExit}). The mechanisms' user sides build on this package; the
 * shell ({@link dev.kctx.mechanisms.shell}) sits on top of them.
 */
package dev.kctx.mechanisms.user;
