package dev.kctx.contexts;

/**
 * What kind of lock a lock class is, as far as the lock validator cares: whether it spins or
 * sleeps, and whether it has readers. Every kind takes part in the dependency graph; the sleeping
 * kinds are never legitimately taken in IRQ context (the gate reports that as sleep-in-atomic),
 * but lockdep still records whatever usage it sees.
 */
public enum LockClassKind {
    /** spinlock_t. */
    SPINLOCK(false, false),
    /** rwlock_t: read_lock is recursive only in interrupt context (queued rwlocks, see read_lock_is_recursive). */
    RWLOCK(false, true),
    /** struct mutex. */
    MUTEX(true, false),
    /** A sleeping semaphore, validated like an rw_semaphore: a read acquisition is down_read (never recursive). */
    SEMAPHORE(true, true),
    /**
     * struct rw_semaphore: down_read is a read acquisition that is never recursive (read == 1 in
     * include/linux/lockdep.h's lock_acquire_shared, unlike read_lock's lock_acquire_shared_recursive),
     * so a second down_read of a held class is reported as recursive locking.
     */
    RWSEM(true, true);

    private final boolean sleeping;
    private final boolean readers;

    LockClassKind(boolean sleeping, boolean readers) {
        this.sleeping = sleeping;
        this.readers = readers;
    }

    /** True for locks whose acquisition may sleep (mutex, semaphore, rw_semaphore). */
    public boolean sleeping() {
        return sleeping;
    }

    /** True when a read acquisition means something (rwlock, semaphore, rw_semaphore); other kinds treat read as write. */
    public boolean hasReaders() {
        return readers;
    }
}
