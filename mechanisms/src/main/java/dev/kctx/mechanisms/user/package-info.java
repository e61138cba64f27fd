/**
 * What user programs do: system calls with their return values and errno ({@link
 * dev.kctx.mechanisms.user.Sys}), and a small shell whose commands (cat, echo, ls, insmod, rmmod,
 * mknod, mkdir, rmdir, dmesg) expand into those system calls and print a transcript.
 */
package dev.kctx.mechanisms.user;
