/**
 * Kernel code run later, in the contexts the kernel runs it in: timer callbacks in the TIMER soft
 * IRQ (atomic: no sleeping) and work items in a kworker thread (process context: may sleep).
 * The signal, upcall and mmap demos use them to act outside a system call.
 */
package dev.kctx.mechanisms.deferred;
