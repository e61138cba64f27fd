/**
 * Context bodies as programs: ordered operations named after the kernel or libc call they model,
 * each executed against the {@link dev.kctx.actors.program.Exec} kernel API of the context running
 * it and answering with an {@link dev.kctx.actors.program.Outcome} that tells the CPU what happens
 * next (go on, take virtual time, spin, sleep, block, yield).
 */
package dev.kctx.actors.program;
