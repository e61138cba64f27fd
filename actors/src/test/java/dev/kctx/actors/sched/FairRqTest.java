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
        // a joins an empty queue: V = 0, no lag; a new task gets half a slice: deadline 1.5 ms
        rq.activate(a, true, 0);
        assertEquals(0, a.vruntime());
        assertEquals(1_500_000L, a.deadline());
        // b joins with a queued: V = 0 (a's key 0), its lag 0; vslice = 9170149, half of it 4585074
        rq.activate(b, true, 0);
        assertEquals(0, b.vruntime());
        assertEquals(4_585_074L, b.deadline());
        // both eligible (keys 0 <= V 0); a has the earlier deadline
        assertSame(a, rq.pickNext(null, 0));
        assertEquals(a.deadline(), a.vlag(), "RUN_TO_PARITY: the deadline at pick is stashed in vlag");
        // tick 1 ms: a at 1 ms, deadline 1.5 ms not reached; tick 2 ms: 2 ms >= 1.5 ms, new deadline 2 + 3 = 5 ms, resched
        rq.tick(MS);
        assertFalse(rq.needResched(), "a's request is not used up at 1 ms");
        rq.tick(2 * MS);
        assertTrue(rq.needResched(), "a used its request: the tick reschedules");
        assertEquals(5 * MS, a.deadline());
        // V = (2e6 * 1024 + 0 * 335) / 1359 = 1506990.4 -> 1506990: a (2 ms) is not eligible, b (0) is
        assertEquals(1_506_990L, rq.fair().avgVruntime());
        assertSame(b, rq.pickNext(a, 2 * MS));
        // b runs: 1 ms of real time is 3056716 ns of virtual time at nice 5
        rq.tick(3 * MS);
        assertEquals(3_056_716L, b.vruntime());
        assertFalse(rq.needResched());
        rq.tick(4 * MS);
        assertEquals(6_113_432L, b.vruntime());
        assertTrue(rq.needResched(), "6113432 >= 4585074: b's request is used up");
        assertEquals(6_113_432L + 9_170_149L, b.deadline());
        // min_vruntime moves to a's 2 ms. Keys: a 0, b 4113432; V = 2e6 + 4113432 * 335 / 1359 = 2e6 + 1013980
        assertSame(a, rq.pickNext(b, 4 * MS));
        assertEquals(2 * MS, rq.fair().minVruntime());
        assertEquals(3_013_980L, rq.fair().avgVruntime());
        // a runs until its virtual time reaches its 5 ms deadline: 3 more ticks (5, 6, 7 ms)
        assertSame(a, tickUntil(4 * MS, 6 * MS));
        rq.tick(7 * MS);
        assertTrue(rq.needResched());
        assertEquals(5 * MS, a.vruntime());
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
        // all at v = 0 with deadline 1.5 ms; a is leftmost (first inserted) among equal deadlines
        assertSame(a, rq.pickNext(null, 0));
        // a runs 2 ms (ticks at 1 and 2 ms; its request ends at 1.5 ms, seen at the 2 ms tick)
        rq.tick(MS);
        rq.tick(2 * MS);
        assertTrue(rq.needResched());
        // b and c are eligible (v 0 <= V = 2e6 / 3 = 666666); b is leftmost with the same deadline
        assertSame(b, rq.pickNext(a, 2 * MS));
        // b sleeps at 2.5 ms after 0.5 ms: V before it leaves = (2e6 + 0.5e6 + 0) / 3 = 833333;
        // its lag = V - v = 833333 - 500000 = 333333 (limit max(2 * 3 ms, 1 ms) not reached)
        rq.deactivate(b, 2_500_000L);
        assertEquals(333_333L, b.vlag());
        assertSame(c, rq.pickNext(b, 2_500_000L));
        // c runs to 3.5 ms (1 ms): a 2 ms, c 1 ms; V = 1.5 ms. b wakes: lag 333333 * (2048 + 1024) / 2048 = 499999
        rq.activate(b, false, 3_500_000L);
        assertEquals(1_500_000L - 499_999L, b.vruntime(), "placed lag * (W + w) / W before V");
        assertEquals(b.vruntime() + 3 * MS, b.deadline(), "a waking task gets a full slice");
        // V with b back: (2e6 + 1e6 + 1000001) / 3 = 1333333.67, floored to 1333333: b's lag is now 333332,
        // the 333333 it left with less the average's rounding
        long v = rq.fair().avgVruntime();
        assertEquals(333_332L, v - b.vruntime(), "the lag survives the sleep");
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
        // a at 2 ms is past V = 1 ms; b (0, deadline 1.5 ms) is picked and protected while eligible
        assertSame(b, rq.pickNext(a, 2 * MS));
        // c at nice -10 (weight 9548) wakes at 2.1 ms with no lag: V = (2 + 0.1) / 2 = 1.05 ms, its request
        // 3 ms * 1024 / 9548 = 0.32 ms, so its deadline 1.37 ms is earlier than b's 1.5 ms: pick_eevdf without
        // the protection would take c; b (0.1 ms <= V) is eligible and was just picked, so it keeps the CPU
        SchedTask c = task(3, "c", -10);
        rq.activate(c, false, 2_100_000L);
        assertEquals(1_050_000L, c.vruntime());
        assertEquals(1_050_000L + LoadWeight.calcDeltaFair(3 * MS, 9548, 449_829), c.deadline());
        rq.checkPreempt(c, 2_100_000L);
        assertFalse(rq.needResched(), "the freshly picked b keeps the CPU (RUN_TO_PARITY)");
        rq.tick(3 * MS);
        assertFalse(rq.needResched(), "b at 1 ms has not reached its 1.5 ms deadline");
        rq.tick(4 * MS);
        assertTrue(rq.needResched(), "b's request is used up at the 4 ms tick");
        assertSame(c, rq.pickNext(b, 4 * MS), "c: eligible, earliest deadline");
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
