package dev.kctx.actors.program;

/**
 * Identifies one wait of one context: the CPU it waits on, the waiter (a task or an interrupt
 * frame) and a token that makes stale wake-ups harmless.
 */
public record WaitHandle(int cpu, Object waiter, long token) {
}
