package dev.kctx.actors.program;

import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Lock classes (LockClasses) and the nesting annotations as the engine's lock operations use them. */
@DisplayName("Lock classes and nesting annotations in the lock operations")
class NestingOpsTest {
    private final KernelObjects kernel = new KernelObjects();
    private final FakeExec task = new FakeExec(kernel, 0, "kthread mover");

    NestingOpsTest() {
        LockClasses classes = new LockClasses(Map.of("a", "port", "b", "port", "rq0", "rq", "rq1", "rq",
                "s0", "sem", "s1", "sem"));
        kernel.extension(LockClasses.class, () -> classes);
    }

    @Test
    @DisplayName("mutex_lock of two mutexes of one class is recursive locking, named after the class")
    void mutexSameClass() {
        task.run(new Ops.MutexLock("a"));
        task.run(new Ops.MutexLock("b"));
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), task.reportKinds());
        assertEquals("port -> port", task.reports.get(0).site());
    }

    @Test
    @DisplayName("mutex_lock_nested(b, 1) after mutex_lock(a) is clean, and both unlock in any order")
    void mutexNested() {
        task.run(new Ops.MutexLock("a"));
        Ops.MutexLock nested = new Ops.MutexLock("b", Ops.WaitMode.UNINTERRUPTIBLE, List.of(), 1);
        assertEquals("mutex_lock_nested(b, 1)", nested.describe());
        task.run(nested);
        task.run(new Ops.MutexUnlock("a"));
        task.run(new Ops.MutexUnlock("b"));
        assertEquals(List.of(), task.reportKinds());
    }

    @Test
    @DisplayName("spin_lock_nested(rq1, 1) after spin_lock(rq0) is clean; plain spin_lock is recursive locking")
    void spinNested() {
        task.run(new Ops.SpinLockPrepare("rq0", Ops.SpinVariant.PLAIN));
        task.run(new Ops.SpinLockAcquire("rq0", Ops.SpinVariant.PLAIN));
        task.run(new Ops.SpinLockPrepare("rq1", Ops.SpinVariant.PLAIN, Ops.LockMode.SPIN, 1));
        task.run(new Ops.SpinLockAcquire("rq1", Ops.SpinVariant.PLAIN));
        assertEquals(List.of(), task.reportKinds(), "annotated: clean");
        task.run(new Ops.SpinUnlock("rq1", Ops.SpinVariant.PLAIN));
        task.run(new Ops.SpinLockPrepare("rq1", Ops.SpinVariant.PLAIN));
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), task.reportKinds(), "unannotated: rq -> rq");
    }

    @Test
    @DisplayName("down_read_nested and down_write_nested take the rw_semaphore in a subclass")
    void rwsemNested() {
        task.run(new Ops.RwsemDown("s0", true));
        task.run(new Ops.RwsemDown("s1", false, Ops.WaitMode.UNINTERRUPTIBLE, List.of(), 1));
        assertEquals(List.of(), task.reportKinds());
        assertEquals(1, kernel.lock("s1", KernelObjects.LockType.RWSEM).readerCount(), "s1 is read-held");
    }

    @Test
    @DisplayName("a subclass outside 0..7 is refused when the operation is built")
    void bound() {
        assertThrows(IllegalArgumentException.class, () -> new Ops.MutexLock("a", Ops.WaitMode.UNINTERRUPTIBLE, List.of(), 8));
        assertThrows(IllegalArgumentException.class, () -> new Ops.RwsemDown("s0", true, Ops.WaitMode.UNINTERRUPTIBLE, List.of(), -1));
    }

    @Test
    @DisplayName("a lock with no declared class is a class of its own")
    void undeclaredIsItsOwnClass() {
        assertEquals("other", kernel.lockClass("other"));
        assertEquals("port", kernel.lockClass("a"));
    }
}
