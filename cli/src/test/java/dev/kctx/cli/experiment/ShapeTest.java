package dev.kctx.cli.experiment;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The verdicts, on synthetic data both ways")
class ShapeTest {
    static final double[] GROWING = {100, 4100, 8000, 16000, 32000, 64000};
    static final double[] FLAT = {105, 74, 65, 84, 92, 97};
    static final double[] SLIGHTLY_UP = {100, 110, 120, 130, 140, 160};

    @Test
    @DisplayName("a curve that rises from 100 us to 64 ms grows and is not flat; a curve within 1.5x + 20 us is flat")
    void growsAndFlat() {
        assertTrue(Shape.grows(GROWING));
        assertFalse(Shape.flat(GROWING));
        assertTrue(Shape.flat(FLAT));
        assertFalse(Shape.grows(FLAT));
        assertEquals("neither", Shape.describe(new double[] {100, 180, 190}), "80% up is neither flat nor doubling");
        assertTrue(Shape.flat(SLIGHTLY_UP), "160 <= 1.5 * 100 + 20");
    }

    @Test
    @DisplayName("doubling a tiny value is not growth: the rise must be at least 100 us too")
    void tinyDoublingIsNotGrowth() {
        assertFalse(Shape.grows(new double[] {1, 3, 5}));
        assertTrue(Shape.grows(new double[] {1, 50, 101}));
    }

    @Test
    @DisplayName("a curve with a missing point has no shape")
    void missingPoint() {
        assertThrows(IllegalArgumentException.class, () -> Shape.grows(new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Shape.flat(new double[] {1}));
    }

    @Test
    @DisplayName("relay-vs-netlink confirms the seed for a relay only when that relay grows and netlink stays flat")
    void relayVerdict() {
        String fairGrows = RelayVsNetlink.verdict("to-irq", 1, curves(GROWING, FLAT, FLAT));
        assertTrue(fairGrows.endsWith("-> the seed's claim (relay grows, netlink flat): relay yes, relay-fifo no"), fairGrows);
        assertTrue(fairGrows.startsWith("to-irq, 1 CPU: relay grows, relay-fifo flat, netlink flat with load"), fairGrows);
        String allGrow = RelayVsNetlink.verdict("from-irq", 2, curves(GROWING, GROWING, GROWING));
        assertTrue(allGrow.endsWith("relay no, relay-fifo no"), "netlink grows too: " + allGrow);
        assertTrue(RelayVsNetlink.verdict("to-irq", 1, curves(FLAT, FLAT, FLAT)).endsWith("relay no, relay-fifo no"),
                "a flat relay does not confirm the claim");
    }

    private static java.util.Map<String, double[]> curves(double[] relay, double[] fifo, double[] netlink) {
        java.util.Map<String, double[]> m = new java.util.LinkedHashMap<>();
        m.put("relay", relay);
        m.put("relay-fifo", fifo);
        m.put("netlink", netlink);
        return m;
    }

    @Test
    @DisplayName("wakeup-latency: the reference holds only within its three bounds; the models and cond_resched in their order")
    void wakeupVerdicts() {
        assertTrue(WakeupLatency.headline(0, 3987, 0).contains("-> the reference holds"));
        assertTrue(WakeupLatency.headline(501, 3987, 0).contains("-> NOT the reference"), "median above 500 us");
        assertTrue(WakeupLatency.headline(0, 8001, 0).contains("-> NOT the reference"), "p99 above 8 ms");
        assertTrue(WakeupLatency.headline(0, 3987, 51).contains("-> NOT the reference"), "FIFO above 50 us");
        assertTrue(WakeupLatency.models(1000, 100, 0).endsWith("full not at all"));
        assertTrue(WakeupLatency.models(1000, 1000, 0).contains("NOT the expected order"), "voluntary no better than none");
        assertTrue(WakeupLatency.models(1000, 100, 100).contains("NOT the expected order"), "full waits");
        assertTrue(WakeupLatency.condResched(100, 1000).contains("bounds the wait by one item"));
        assertTrue(WakeupLatency.condResched(1000, 1000).contains("NOT bounded"));
    }

    @Test
    @DisplayName("irqsave-hold expects the worst latency to follow the hold and stay within it, and bh to stay flat")
    void irqsaveVerdict() {
        double[] hold = {0, 100, 250, 500};
        assertTrue(IrqsaveHold.verdict(hold, new double[] {1.4, 99, 247, 496}, new double[] {1.4, 1.4, 1.4, 1.4})
                .endsWith("as expected"));
        String above = IrqsaveHold.verdict(hold, new double[] {1.4, 199, 447, 896}, new double[] {1.4, 1.4, 1.4, 1.4});
        assertTrue(above.contains("above the hold somewhere") && above.endsWith("NOT the expected shape"), above);
        assertTrue(IrqsaveHold.verdict(hold, new double[] {1.4, 99, 247, 496}, new double[] {1.4, 99, 247, 496})
                .endsWith("NOT the expected shape"), "bh latency that grows is not the expected shape");
    }

    @Test
    @DisplayName("softirq-storm sees the hand-off only when ksoftirqd's share rises past 10% and the p99 grows")
    void stormVerdict() {
        double[] user = {99, 50, 10};
        assertTrue(SoftirqStorm.verdict("current", new double[] {1, 20, 157}, new double[] {0, 0, 11.5}, user)
                .endsWith("its cost show"));
        assertTrue(SoftirqStorm.verdict("current", new double[] {1, 20, 157}, new double[] {0, 0, 2}, user)
                .endsWith("does NOT show"), "no hand-off");
        assertTrue(SoftirqStorm.verdict("current", new double[] {1, 2, 3}, new double[] {0, 0, 50}, user)
                .endsWith("does NOT show"), "no latency cost");
    }
}
