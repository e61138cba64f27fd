/**
 * Signals (kernel/signal.c): the one mechanism by which the kernel reaches a process from any
 * context, hard IRQ included, without the process asking. {@link dev.kctx.mechanisms.signal.SignalProtocol}
 * is the protocol, {@link dev.kctx.mechanisms.signal.Signals} the kernel's per-task state and
 * the delivery at return to user mode, {@link dev.kctx.mechanisms.signal.SignalKernel} what a
 * module calls, {@link dev.kctx.mechanisms.signal.SigUser} what a program calls;
 * {@link dev.kctx.mechanisms.signal.SignalExample} is the seed's module and programs.
 */
package dev.kctx.mechanisms.signal;
