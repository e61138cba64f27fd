package dev.kctx.actors.sched;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EEVDF worked by hand (kernel/sched/fair.c of 6.6): the expected numbers in each test are
 * computed in its comments from the kernel's formulas, not by running the code.
 * Settings: base slice 3 ms, HZ 1000 (1 ms ticks), no RT throttling.
 */
@DisplayName("EEVDF, worked by hand")
class FairRqTest {
    static final long MS = 1_000_000L;
    final RunQueue rq = new RunQueue(0, new SchedSettings(1000, 3 * MS, -1, 1_000_000_000L), new HashSet<>());

    static SchedTask task(int pid, String name, int nice) {
        return new SchedTask(pid, name, 0, SchedAttr.normal(nice));
    }

    /** Runs ticks from {@code from} to {@code to} (exclusive of from), switching when the tick asks; returns the running task. */
    SchedTask tickUntil(long from, long to) {
        for (long t = from + MS; t <= to; t += MS) {
            rq.tick(t);
            if (rq.needResched()) {
                rq.pickNext(rq.curr(), t);
            }
        }
        return rq.curr();
    }

    @Test
    @DisplayName("calc_delta_fair scales by NICE_0_LOAD / weight with the kernel's fixed point: 3 ms at nice 5 is 9170149 ns of virtual time")
    void calcDeltaFair() {
        // nice 5: weight 335, inverse 12820798. fact = 1024 * 12820798 = 13128497152 >= 2^32, so it is halved
        // twice: 3282124288 with shift 30. 3e6 * 3282124288 >> 30 = 9170149.33 -> 9170149.
        assertEquals(9_170_149L, LoadWeight.calcDeltaFair(3 * MS, 335, 12_820_798));
        assertEquals(3 * MS, LoadWeight.calcDeltaFair(3 * MS, 1024, 4_194_304), "nice 0 is not scaled");
        // nice -5: weight 3121, inverse 1376151: fact = 1409178624 < 2^32, shift 32: 1e6 * 1409178624 >> 32 = 328099.9
        assertEquals(328_099L, LoadWeight.calcDeltaFair(MS, 3121, 1_376_151));
    }

    @Test
    @DisplayName("two tasks of weights 1024 (nice 0) and 335 (nice 5): placement, eligibility and the pick sequence")
    void twoWeights() {
        SchedTask a = task(1, "a", 0);
        SchedTask b = task(2, "b", 5);
        // a joins an empty queue: V = 0, no lag; in 6.6 a new task's deadline is a full slice on: 3 ms
        rq.activate(a, true, 0);
        assertEquals(0, a.vruntime());
        assertEquals(3 * MS, a.deadline());
        // b joins with a queued: V = 0 (a's key 0), its lag 0; its slice in virtual time is 9170149
        rq.activate(b, true, 0);
        assertEquals(0, b.vruntime());
        assertEquals(9_170_149L, b.deadline());
        // both eligible (keys 0 <= V 0); a has the earlier deadline
        assertSame(a, rq.pickNext(null, 0));
        assertEquals(a.deadline(), a.vlag(), "RUN_TO_PARITY: the deadline at pick is stashed in vlag");
        // ticks at 1 and 2 ms: a's request (3 ms) is not used up; at 3 ms it is: new deadline 3 + 3 = 6 ms, resched
        rq.tick(MS);
        rq.tick(2 * MS);
        assertFalse(rq.needResched(), "a's request is not used up at 2 ms");
        rq.tick(3 * MS);
        assertTrue(rq.needResched(), "a used its request: the tick reschedules");
        assertEquals(6 * MS, a.deadline());
        // V = (3e6 * 1024 + 0 * 335) / 1359 = 2260485.7 -> 2260485: a (3 ms) is not eligible, b (0) is
        assertEquals(2_260_485L, rq.fair().avgVruntime());
        assertSame(b, rq.pickNext(a, 3 * MS));
        // b runs: 1 ms of real time is 3056716 ns of virtual time at nice 5; three ticks give 9170148,
        // one short of its deadline 9170149, so it keeps the CPU until the fourth
        rq.tick(4 * MS);
        assertEquals(3_056_716L, b.vruntime());
        rq.tick(5 * MS);
        rq.tick(6 * MS);
        assertEquals(9_170_148L, b.vruntime());
        assertFalse(rq.needResched(), "9170148 < 9170149: b's request is not quite used up");
        rq.tick(7 * MS);
        assertEquals(12_226_864L, b.vruntime());
        assertTrue(rq.needResched());
        assertEquals(12_226_864L + 9_170_149L, b.deadline());
        // min_vruntime moves to a's 3 ms. Keys: a 0, b 9226864; V = 3e6 + 9226864 * 335 / 1359 = 3e6 + 2274466
        assertSame(a, rq.pickNext(b, 7 * MS));
        assertEquals(3 * MS, rq.fair().minVruntime());
        assertEquals(5_274_466L, rq.fair().avgVruntime());
        // a runs until its virtual time reaches its 6 ms deadline: ticks at 8 and 9 ms, then 10 ms
        assertSame(a, tickUntil(7 * MS, 9 * MS));
        rq.tick(10 * MS);
        assertTrue(rq.needResched());
        assertEquals(6 * MS, a.vruntime());
    }

    @Test
    @DisplayName("always-runnable tasks share the CPU in proportion to their weights (1024 : 335 = 75.4% : 24.6%) over 10 s")
    void shareByWeight() {
        SchedTask a = task(1, "a", 0);
        SchedTask b = task(2, "b", 5);
        rq.activate(a, true, 0);
        rq.activate(b, true, 0);
        rq.pickNext(null, 0);
        tickUntil(0, 10_000 * MS);
        rq.updateCurr(10_000 * MS);
        double share = a.sumExecRuntime() / (double) (a.sumExecRuntime() + b.sumExecRuntime());
        assertEquals(1024.0 / 1359.0, share, 0.02 * 1024.0 / 1359.0, "a's share of the CPU");
    }

    @Test
    @DisplayName("three nice-0 tasks: a sleeper keeps its lag (V - v) and is placed back before V, scaled by (W + w) / W")
    void lagPlacement() {
        SchedTask a = task(1, "a", 0);
        SchedTask b = task(2, "b", 0);
        SchedTask c = task(3, "c", 0);
        rq.activate(a, true, 0);
        rq.activate(b, true, 0);
        rq.activate(c, true, 0);
        // all at v = 0 with deadline 3 ms; a is leftmost (first inserted) among equal deadlines
        assertSame(a, rq.pickNext(null, 0));
        // a runs 3 ms (its request ends at 3 ms, seen at the 3 ms tick)
        rq.tick(MS);
        rq.tick(2 * MS);
        rq.tick(3 * MS);
        assertTrue(rq.needResched());
        // b and c are eligible (v 0 <= V = 3e6 / 3 = 1e6); b is leftmost with the same deadline
        assertSame(b, rq.pickNext(a, 3 * MS));
        // b sleeps at 3.5 ms after 0.5 ms: V before it leaves = (3e6 + 0.5e6 + 0) / 3 = 1166666;
        // its lag = V - v = 1166666 - 500000 = 666666 (limit max(2 * 3 ms, 1 ms) not reached)
        rq.deactivate(b, 3_500_000L);
        assertEquals(666_666L, b.vlag());
        assertSame(c, rq.pickNext(b, 3_500_000L));
        // c runs to 5.5 ms (2 ms): a 3 ms, c 2 ms; V = 2.5 ms. b wakes: lag 666666 * (2048 + 1024) / 2048 = 999999
        rq.activate(b, false, 5_500_000L);
        assertEquals(2_500_000L - 999_999L, b.vruntime(), "placed lag * (W + w) / W before V");
        assertEquals(b.vruntime() + 3 * MS, b.deadline(), "a waking task gets a full slice");
        // V with b back: (3e6 + 2e6 + 1500001) / 3 = 2166667: b's lag is 666666 again
        long v = rq.fair().avgVruntime();
        assertEquals(666_666L, v - b.vruntime(), "the lag survives the sleep");
    }

    @Test
    @DisplayName("wake-up preemption: a woken task with an earlier deadline waits while the running one is protected (RUN_TO_PARITY), then runs")
    void wakeupPreemption() {
        SchedTask a = task(1, "a", 0);
        SchedTask b = task(2, "b", 0);
        rq.activate(a, true, 0);
        rq.activate(b, true, 0);
        assertSame(a, rq.pickNext(null, 0));
        rq.tick(MS);
        rq.tick(2 * MS);
        rq.tick(3 * MS);
        // a at 3 ms is past V = 1.5 ms; b (0, deadline 3 ms) is picked and protected while eligible
        assertSame(b, rq.pickNext(a, 3 * MS));
        // c at nice -10 (weight 9548) wakes at 3.1 ms with no lag: V = (3 + 0.1) / 2 = 1.55 ms, its request
        // 3 ms * 1024 / 9548 = 0.32 ms, so its deadline 1.87 ms is earlier than b's 3 ms: pick_eevdf without
        // the protection would take c; b (0.1 ms <= V) is eligible and was just picked, so it keeps the CPU
        SchedTask c = task(3, "c", -10);
        rq.activate(c, false, 3_100_000L);
        assertEquals(1_550_000L, c.vruntime());
        assertEquals(1_550_000L + LoadWeight.calcDeltaFair(3 * MS, 9548, 449_829), c.deadline());
        rq.checkPreempt(c, 3_100_000L);
        assertFalse(rq.needResched(), "the freshly picked b keeps the CPU (RUN_TO_PARITY)");
        rq.tick(4 * MS);
        rq.tick(5 * MS);
        assertFalse(rq.needResched(), "b at 2 ms has not reached its 3 ms deadline");
        rq.tick(6 * MS);
        assertTrue(rq.needResched(), "b's request is used up at the 6 ms tick");
        assertSame(c, rq.pickNext(b, 6 * MS), "c: eligible, earliest deadline");
    }

    @Test
    @DisplayName("batch and idle-policy wakees never preempt; an idle-policy task is preempted by any other")
    void policiesAndWakeups() {
        SchedTask idleTask = new SchedTask(1, "idle", 0, new SchedAttr(Policy.IDLE, 0, 0));
        SchedTask batch = new SchedTask(2, "batch", 0, new SchedAttr(Policy.BATCH, 0, 0));
        rq.activate(idleTask, true, 0);
        rq.pickNext(null, 0);
        rq.activate(batch, false, 10);
        rq.checkPreempt(batch, 10);
        assertTrue(rq.needResched(), "a SCHED_IDLE task is preempted by a batch one");
        rq.pickNext(idleTask, 10);
        SchedTask idle2 = new SchedTask(3, "idle2", 0, new SchedAttr(Policy.IDLE, 0, 0));
        rq.activate(idle2, false, 20);
        rq.checkPreempt(idle2, 20);
        assertFalse(rq.needResched(), "an idle-policy wakee does not preempt");
        assertEquals(3, LoadWeight.weight(idle2.attr()), "WEIGHT_IDLEPRIO");
    }
}
