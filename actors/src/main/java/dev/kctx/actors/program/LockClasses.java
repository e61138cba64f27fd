package dev.kctx.actors.program;

import java.util.Map;

/**
 * The lock classes of locks whose class is not their name, as lockdep keys them
 * (kernel/locking/lockdep.c register_lock_class, by the lock_class_key): locks initialised at one
 * site share the static key of that site (spin_lock_init, mutex_init, init_rwsem are macros with a
 * {@code static struct lock_class_key}), and lockdep_set_class (include/linux/lockdep.h) puts a
 * lock in a given class. A lock not listed is a class of its own, named after it. Installed at
 * boot ({@link dev.kctx.actors.MachineSpec.Builder#boot}); read through {@link KernelObjects#lockClass}.
 *
 * @param byLock lock name to class name
 */
public record LockClasses(Map<String, String> byLock) {
    public static final LockClasses NONE = new LockClasses(Map.of());

    public LockClasses {
        byLock = Map.copyOf(byLock);
    }

    /** The class of {@code lock}: the declared one, else the lock's own name. */
    public String classOf(String lock) {
        return byLock.getOrDefault(lock, lock);
    }
}
