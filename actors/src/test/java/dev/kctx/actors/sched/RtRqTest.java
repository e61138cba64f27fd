package dev.kctx.actors.sched;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RT class (kernel/sched/rt.c) and the class order of core.c. HZ 1000 unless said otherwise. */
@DisplayName("SCHED_FIFO, SCHED_RR, RT throttling and the class order")
class RtRqTest {
    static final long MS = 1_000_000L;
    final Set<String> printed = new HashSet<>();
    final List<String> log = new ArrayList<>();

    RunQueue rq(long rtRuntime) {
        RunQueue r = new RunQueue(0, new SchedSettings(1000, 3 * MS, rtRuntime, 1000 * MS), printed);
        r.printkTo(log::add);
        return r;
    }

    @Test
    @DisplayName("the highest RT priority runs first, FIFO among equals; RT runs before fair whatever the fair task's nice")
    void classAndPriorityOrder() {
        RunQueue rq = rq(-1);
        SchedTask fair = new SchedTask(1, "fair", 0, SchedAttr.normal(-20));
        SchedTask low = new SchedTask(2, "low", 0, SchedAttr.fifo(10));
        SchedTask high1 = new SchedTask(3, "high1", 0, SchedAttr.fifo(80));
        SchedTask high2 = new SchedTask(4, "high2", 0, SchedAttr.fifo(80));
        rq.activate(fair, true, 0);
        rq.activate(low, false, 0);
        rq.activate(high1, false, 0);
        rq.activate(high2, false, 0);
        assertEquals(19, high1.prio(), "prio = 99 - rt_priority");
        assertSame(high1, rq.pickNext(null, 0));
        rq.deactivate(high1, MS);
        assertSame(high2, rq.pickNext(high1, MS));
        rq.deactivate(high2, 2 * MS);
        assertSame(low, rq.pickNext(high2, 2 * MS));
        rq.deactivate(low, 3 * MS);
        assertSame(fair, rq.pickNext(low, 3 * MS), "fair runs only when no RT task is runnable");
    }

    @Test
    @DisplayName("a woken RT task preempts a fair task and a lower RT task, not an equal or higher one")
    void rtWakeupPreemption() {
        RunQueue rq = rq(-1);
        SchedTask fair = new SchedTask(1, "fair", 0, SchedAttr.DEFAULT);
        SchedTask rt50 = new SchedTask(2, "rt50", 0, SchedAttr.fifo(50));
        SchedTask rt50b = new SchedTask(3, "rt50b", 0, SchedAttr.fifo(50));
        SchedTask rt60 = new SchedTask(4, "rt60", 0, SchedAttr.fifo(60));
        rq.activate(fair, true, 0);
        rq.pickNext(null, 0);
        rq.activate(rt50, false, 10);
        rq.checkPreempt(rt50, 10);
        assertTrue(rq.needResched(), "RT over fair");
        assertSame(rt50, rq.pickNext(fair, 10));
        rq.activate(rt50b, false, 20);
        rq.checkPreempt(rt50b, 20);
        assertFalse(rq.needResched(), "an equal priority waits its turn (FIFO)");
        rq.activate(rt60, false, 30);
        rq.checkPreempt(rt60, 30);
        assertTrue(rq.needResched(), "a higher priority preempts");
        assertSame(rt60, rq.pickNext(rt50, 30));
        rq.deactivate(rt60, 40);
        assertSame(rt50, rq.pickNext(rt60, 40), "the preempted task resumes before its peer: it stayed at the head of its list");
    }

    @Test
    @DisplayName("SCHED_RR rotates among equals every 100 ms (sched_rr_timeslice); SCHED_FIFO never does")
    void roundRobin() {
        RunQueue rq = rq(-1);
        SchedTask a = new SchedTask(1, "a", 0, SchedAttr.rr(10));
        SchedTask b = new SchedTask(2, "b", 0, SchedAttr.rr(10));
        rq.activate(a, false, 0);
        rq.activate(b, false, 0);
        assertSame(a, rq.pickNext(null, 0));
        for (long t = MS; t < 100 * MS; t += MS) {
            rq.tick(t);
            assertFalse(rq.needResched(), "a keeps the CPU at " + t);
        }
        rq.tick(100 * MS);
        assertTrue(rq.needResched(), "100 ticks at HZ 1000: a's time slice is over");
        assertSame(b, rq.pickNext(a, 100 * MS));

        RunQueue fifo = rq(-1);
        SchedTask c = new SchedTask(3, "c", 0, SchedAttr.fifo(10));
        SchedTask d = new SchedTask(4, "d", 0, SchedAttr.fifo(10));
        fifo.activate(c, false, 0);
        fifo.activate(d, false, 0);
        fifo.pickNext(null, 0);
        for (long t = MS; t <= 500 * MS; t += MS) {
            fifo.tick(t);
        }
        assertFalse(fifo.needResched(), "SCHED_FIFO runs until it blocks or yields");
        fifo.yieldCurr(501 * MS);
        assertSame(d, fifo.pickNext(c, 501 * MS), "sched_yield puts it behind its peer");
    }

    @Test
    @DisplayName("RT throttling: after 950 ms of RT time in a 1 s period the RT class waits for the next period; fair tasks run meanwhile")
    void throttling() {
        RunQueue rq = rq(950 * MS);
        SchedTask hog = new SchedTask(1, "rthog", 0, SchedAttr.fifo(50));
        SchedTask fair = new SchedTask(2, "fair", 0, SchedAttr.DEFAULT);
        rq.activate(hog, false, 0);
        rq.activate(fair, true, 0);
        rq.pickNext(null, 0);
        long t = MS;
        for (; t <= 950 * MS; t += MS) {
            rq.tick(t);
            assertFalse(rq.needResched(), "within budget at " + t);
        }
        rq.tick(t);
        assertTrue(rq.needResched(), "951 ms > 950 ms: throttled");
        assertEquals(List.of("sched: RT throttling activated"), log);
        assertSame(fair, rq.pickNext(hog, t), "the fair task gets the rest of the period");
        assertEquals(1000 * MS, rq.throttleEnd());
        rq.periodTimer(1000 * MS);
        assertTrue(rq.needResched(), "the new period lifts the throttle");
        assertSame(hog, rq.pickNext(fair, 1000 * MS));
        assertEquals(-1, rq.throttleEnd());
        RunQueue none = rq(-1);
        assertNull(none.pickNext(null, 0), "an empty run queue runs the idle task");
    }
}
