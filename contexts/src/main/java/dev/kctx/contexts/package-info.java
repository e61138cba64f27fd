/**
 * The state the kernel keeps in preempt_count and friends, the table of which kernel calls may
 * sleep, and the one gate every simulated kernel operation passes: it checks the call against the
 * state the way __might_sleep and __schedule_bug do and records a {@link dev.kctx.contexts.Report}
 * instead of throwing. The {@link dev.kctx.contexts.LockValidator} checks lock use the way lockdep
 * does (lock classes, IRQ usage, the dependency graph). Pure Java: nothing here knows about actors
 * or time.
 */
package dev.kctx.contexts;
