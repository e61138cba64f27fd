package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lock classes apart from lock names, and the nesting annotations. The AA cases come from
 * lib/locking-selftest.c (the stored v5.x/v6.x mirror; unchanged in Linux 6.6), where X1 and X2
 * are two locks initialised at one site (init_class_X from init_shared_classes), hence of one
 * class: {@code LOCK(X1); LOCK(X2); // this one should fail}. The subclass cases follow
 * kernel/locking/lockdep.c: register_lock_class keys a class by its lock_class_key plus the
 * subclass, so subclass N of X is a class of its own.
 */
@DisplayName("Lock validator: lock classes and nesting annotations")
@ExtendWith(LockSimInvariants.class)
class LockValidatorNestingTest {

    private final LockSim sim = new LockSim();
    private final LockSim.Ctx task = sim.task("worker", 42, 0);

    /** The lock kinds of the AA_* matrix, with the call that takes a lock of that kind. */
    enum Kind {
        SPIN("spin_lock", LockClassKind.SPINLOCK, false),
        MUTEX("mutex_lock", LockClassKind.MUTEX, false),
        WSEM("down_write", LockClassKind.RWSEM, false),
        RSEM("down_read", LockClassKind.RWSEM, true),
        WLOCK("write_lock", LockClassKind.RWLOCK, false);

        final String call;
        final LockClassKind kind;
        final boolean read;

        Kind(String call, LockClassKind kind, boolean read) {
            this.call = call;
            this.kind = kind;
            this.read = read;
        }
    }

    @ParameterizedTest(name = "AA_{0}")
    @EnumSource(Kind.class)
    @DisplayName("AA_spin/mutex/wsem/rsem/wlock: two locks of one class, unannotated, are recursive locking (FAILURE)")
    void twoLocksOfOneClass(Kind k) {
        task.lockInClass(k.call, "X1", "X", 0, k.kind, k.read);
        task.lockInClass(k.call, "X2", "X", 0, k.kind, k.read);
        Report r = sim.only();
        assertEquals(ReportKind.RECURSIVE_LOCKING, r.kind());
        assertEquals("X -> X", r.site(), "the report names the class, not the lock");
        assertTrue(r.details().contains(" May be due to missing lock nesting notation"));
    }

    @Test
    @DisplayName("rlock_AA1B: read_lock of two locks of one class is allowed for recursive readers (SUCCESS; here in a soft IRQ)")
    void rlockAA1B() {
        // locking-selftest forces read_lock recursive (force_read_lock_recursive); with queued
        // rwlocks (read_lock_is_recursive) that holds in interrupt context.
        task.softirq("TIMER", s -> {
            s.lockInClass("read_lock", "X1", "X", 0, LockClassKind.RWLOCK, true);
            s.lockInClass("read_lock", "X2", "X", 0, LockClassKind.RWLOCK, true);
            s.unlockInstance("read_unlock", "X2");
            s.unlockInstance("read_unlock", "X1");
        });
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("rsem_AA1B: down_read of two rw_semaphores of one class is reported (FAILURE)")
    void rsemAA1B() {
        task.lockInClass("down_read", "X1", "X", 0, LockClassKind.RWSEM, true);
        task.lockInClass("down_read", "X2", "X", 0, LockClassKind.RWSEM, true);
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), sim.kinds(), sim.dump());
    }

    @ParameterizedTest(name = "{0}_nested")
    @EnumSource(Kind.class)
    @DisplayName("the second lock of the class taken at subclass 1 (SINGLE_DEPTH_NESTING) is clean")
    void nestedIsClean(Kind k) {
        task.lockInClass(k.call, "X1", "X", 0, k.kind, k.read);
        task.lockInClass(k.call + "_nested", "X2", "X", 1, k.kind, k.read);
        task.unlockInstance("unlock", "X2");
        task.unlockInstance("unlock", "X1");
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertTrue(sim.validator.dependsOn("X", "X/1"), "the edge X -> X/1 is recorded");
        assertEquals(List.of("X", "X/1"), sim.validator.lockClasses(), "a subclass is a class of its own, printed name/N");
    }

    @Test
    @DisplayName("releases match the lock, not the class: the outer lock of one class can be released first")
    void releaseByInstance() {
        task.lockInClass("spin_lock", "X1", "X", 0, LockClassKind.SPINLOCK, false);
        task.lockInClass("spin_lock_nested", "X2", "X", 1, LockClassKind.SPINLOCK, false);
        assertTrue(task.unlockInstance("spin_unlock", "X1"), "X1 is found below X2");
        assertTrue(task.unlockInstance("spin_unlock", "X2"));
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("the annotation only silences the recursion check: X -> X/1 and X/1 -> X is still circular")
    void subclassOrderIsChecked() {
        task.lockInClass("mutex_lock", "A1", "X", 0, LockClassKind.MUTEX, false);
        task.lockInClass("mutex_lock_nested", "A2", "X", 1, LockClassKind.MUTEX, false);
        task.unlockInstance("mutex_unlock", "A2");
        task.unlockInstance("mutex_unlock", "A1");
        task.lockInClass("mutex_lock_nested", "A2", "X", 1, LockClassKind.MUTEX, false);
        task.lockInClass("mutex_lock", "A1", "X", 0, LockClassKind.MUTEX, false);
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("locks of different classes stay apart: same-named classes are one, other names are not")
    void classesAreKeys() {
        task.lockInClass("spin_lock", "rq0", "rq_lock", 0, LockClassKind.SPINLOCK, false);
        task.lockInClass("spin_lock", "dev", "dev_lock", 0, LockClassKind.SPINLOCK, false);
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertTrue(sim.validator.dependsOn("rq_lock", "dev_lock"), "the edge is between classes");
    }

    @Test
    @DisplayName("a subclass of MAX_LOCKDEP_SUBCLASSES (8) or more is refused")
    void subclassBound() {
        assertThrows(IllegalArgumentException.class,
                () -> task.lockInClass("spin_lock_nested", "X1", "X", LockValidator.MAX_LOCKDEP_SUBCLASSES,
                        LockClassKind.SPINLOCK, false));
        task.lockInClass("spin_lock_nested", "X1", "X", 7, LockClassKind.SPINLOCK, false);
        assertTrue(sim.reports.isEmpty(), "subclass 7 is the last valid one");
    }
}
