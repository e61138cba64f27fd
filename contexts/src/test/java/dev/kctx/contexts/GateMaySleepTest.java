package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateMaySleepTest {
    static final Where WHERE = new Where(0, 1000, ContextLevel.SOFTIRQ, "softirq NET_RX", "swapper/0", 0, "netlink_unicast(block)");

    @Test
    @DisplayName("an unannotated call that can sleep gives may-sleep-in-atomic in atomic context and nothing in process context")
    void maySleep() {
        List<Report> got = new ArrayList<>();
        Gate gate = new Gate(got::add);
        AtomicState softirq = new AtomicState();
        softirq.softirqServeEnter();
        assertTrue(gate.check(KernelCall.NETLINK_UNICAST_BLOCKING, softirq, WHERE), "the kernel's own check is silent: not annotated");
        assertEquals(false, gate.mayHaveSlept(KernelCall.NETLINK_UNICAST_BLOCKING, softirq, WHERE), "kctx's check reports");
        assertEquals(ReportKind.MAY_SLEEP_IN_ATOMIC, got.get(0).kind(), "of kctx's own kind");
        assertTrue(got.get(0).title().startsWith("kctx: "), "with a kctx title, never the kernel's: " + got.get(0).title());
        got.clear();
        assertTrue(gate.mayHaveSlept(KernelCall.NETLINK_UNICAST_BLOCKING, new AtomicState(), WHERE), "process context is fine");
        assertTrue(gate.mayHaveSlept(KernelCall.NETLINK_UNICAST_NONBLOCK, softirq, WHERE), "a call that cannot sleep is fine anywhere");
        assertEquals(List.of(), got, "no reports for the clean cases");
    }
}
