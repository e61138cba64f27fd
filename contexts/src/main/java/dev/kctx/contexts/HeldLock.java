package dev.kctx.contexts;

/**
 * One entry of a context's held-locks stack, as lockdep keeps it in current->held_locks.
 *
 * @param name     the lock's name (its lock class for the validator)
 * @param acquire  the call that took it, e.g. {@code spin_lock_irqsave}
 * @param read     true for a read acquisition of a rwlock
 */
public record HeldLock(String name, String acquire, boolean read) {
    @Override
    public String toString() {
        return name + " (" + acquire + ")";
    }
}
