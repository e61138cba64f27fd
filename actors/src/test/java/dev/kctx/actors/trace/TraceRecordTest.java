package dev.kctx.actors.trace;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The flags column checked against kernel/trace/trace_output.c, trace_print_lat_fmt(): irqs-off
 * ('D' both IRQs and BH off, 'd', 'b', '.'), need-resched, hardirq/softirq ('H' hard IRQ while
 * serving a soft IRQ, 'h', 's', '.'), preempt depth (low nibble in hex or '.'), migrate-disable.
 */
@DisplayName("TraceRecord.flagsColumn follows ftrace's latency format")
class TraceRecordTest {

    private static String column(boolean irqsOff, boolean bhOff, boolean needResched, boolean hardirq, boolean softirq,
                                 int depth) {
        int flags = TraceRecord.flags(irqsOff, bhOff, needResched, hardirq, softirq, depth);
        return new TraceRecord(0, 0, "t", 1, flags, "e", "", 0).flagsColumn();
    }

    @ParameterizedTest(name = "irqsOff={0} bhOff={1} -> {2}")
    @CsvSource({"false,false,.", "true,false,d", "false,true,b", "true,true,D"})
    @DisplayName("column 1: d for IRQs off, b for BH off, D for both")
    void irqsOffColumn(boolean irqsOff, boolean bhOff, char expected) {
        assertEquals(expected, column(irqsOff, bhOff, false, false, false, 0).charAt(0),
                "irqs-off/BH-disabled character");
    }

    @Test
    @DisplayName("column 2: N when the scheduler asked for the CPU")
    void needReschedColumn() {
        assertEquals('N', column(false, false, true, false, false, 0).charAt(1), "need_resched set");
        assertEquals('.', column(false, false, false, false, false, 0).charAt(1), "need_resched clear");
    }

    @ParameterizedTest(name = "hardirq={0} softirq={1} -> {2}")
    @CsvSource({"false,false,.", "true,false,h", "false,true,s", "true,true,H"})
    @DisplayName("column 3: h in a hard IRQ, s in a soft IRQ, H for a hard IRQ on top of a soft IRQ")
    void hardSoftColumn(boolean hardirq, boolean softirq, char expected) {
        assertEquals(expected, column(false, false, false, hardirq, softirq, 0).charAt(2), "hardirq/softirq character");
    }

    @ParameterizedTest(name = "depth {0} -> {1}")
    @CsvSource({"0,.", "1,1", "9,9", "10,a", "15,f", "16,f", "300,f"})
    @DisplayName("column 4: the preempt depth as one hex digit, '.' for zero, capped at f")
    void depthColumn(int depth, char expected) {
        assertEquals(expected, column(false, false, false, false, false, depth).charAt(3),
                "preempt depth " + depth + " prints as " + expected + " (the kernel caps it at 0xf)");
    }

    @Test
    @DisplayName("column 5: migrate-disable is always '.' (kctx tasks never migrate)")
    void migrateDisableColumn() {
        assertEquals('.', column(true, true, true, true, true, 15).charAt(4), "no migrate_disable depth");
    }

    @Test
    @DisplayName("a typical hard IRQ line reads d.h1. and a quiet task ....., five characters each")
    void wholeColumns() {
        assertEquals("d.h1.", column(true, false, false, true, false, 1), "hard IRQ with one preempt level");
        assertEquals(".....", column(false, false, false, false, false, 0), "nothing set");
        assertEquals("DNH2.", column(true, true, true, true, true, 2), "everything set");
    }

    @Test
    @DisplayName("flags() packs each condition in its own bit and the depth in bits 8 to 11")
    void flagsPacking() {
        assertEquals(TraceRecord.IRQS_OFF | TraceRecord.SOFTIRQ | (3 << TraceRecord.DEPTH_SHIFT),
                TraceRecord.flags(true, false, false, false, true, 3), "IRQs off, soft IRQ, depth 3");
        assertEquals(15 << TraceRecord.DEPTH_SHIFT, TraceRecord.flags(false, false, false, false, false, 99),
                "the depth is capped at 15 so it cannot spill into other bits");
    }
}
