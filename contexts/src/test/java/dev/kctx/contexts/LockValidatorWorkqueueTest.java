package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workqueue's lockdep maps as kernel/workqueue.c (Linux 6.6) uses them: lock_map_acquire of
 * pseudo-locks that are validator acquisitions only, never on the context's held stack, around a
 * work's function (process_one_work) and for a flush (__flush_work).
 */
@DisplayName("Lock validator: workqueue lockdep maps (process_one_work, __flush_work)")
@ExtendWith(LockSimInvariants.class)
class LockValidatorWorkqueueTest {
    private static final String WQ = "(wq_completion)events";
    private static final String WORK = "(work_completion)(refresh)";

    private static void mapAcquire(LockSim sim, LockSim.Ctx c, String map) {
        sim.validator.acquire(c.st, c.where("lock_map_acquire(" + map + ")"), map, LockClassKind.MUTEX, false, false);
    }

    private static void mapRelease(LockSim sim, LockSim.Ctx c, String map) {
        assertTrue(sim.validator.release(c.st, c.where("lock_map_release(" + map + ")"), map));
    }

    /** The worker: both maps around a function that takes cfg. */
    private static void runWork(LockSim sim, LockSim.Ctx worker) {
        mapAcquire(sim, worker, WQ);
        mapAcquire(sim, worker, WORK);
        worker.mutexLock("cfg");
        worker.mutexUnlock("cfg");
        mapRelease(sim, worker, WORK);
        mapRelease(sim, worker, WQ);
    }

    @Test
    @DisplayName("flush under the lock the work's function takes, after the work ran: circular, through the work's map")
    void flushUnderLock() {
        LockSim sim = new LockSim();
        runWork(sim, sim.task("kworker/0:1", 12, 0));
        LockSim.Ctx teardown = sim.task("teardown", 13, 1);
        teardown.mutexLock("cfg");
        mapAcquire(sim, teardown, WORK);
        mapRelease(sim, teardown, WORK);
        teardown.mutexUnlock("cfg");
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
        assertTrue(sim.validator.dependsOn(WORK, "cfg"), "process_one_work recorded the function's lock after the work's map");
        assertTrue(sim.validator.dependsOn(WQ, WORK));
    }

    @Test
    @DisplayName("flush after the unlock: clean; the pseudo-locks leave nothing held")
    void flushAfterUnlock() {
        LockSim sim = new LockSim();
        runWork(sim, sim.task("kworker/0:1", 12, 0));
        LockSim.Ctx teardown = sim.task("teardown", 13, 1);
        teardown.mutexLock("cfg");
        teardown.mutexUnlock("cfg");
        mapAcquire(sim, teardown, WORK);
        mapRelease(sim, teardown, WORK);
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertTrue(teardown.st.heldLocks().isEmpty());
    }

    @Test
    @DisplayName("the flush before the work ever ran: the work's later lock closes the cycle in the worker")
    void flushFirst() {
        LockSim sim = new LockSim();
        LockSim.Ctx teardown = sim.task("teardown", 13, 1);
        teardown.mutexLock("cfg");
        mapAcquire(sim, teardown, WORK);
        mapRelease(sim, teardown, WORK);
        teardown.mutexUnlock("cfg");
        assertTrue(sim.reports.isEmpty(), sim.dump());
        runWork(sim, sim.task("kworker/0:1", 12, 0));
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
    }
}
