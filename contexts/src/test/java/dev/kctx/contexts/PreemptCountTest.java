package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PreemptCount has the bit layout of include/linux/preempt.h")
class PreemptCountTest {

    @Test
    @DisplayName("masks are 0xff, 0xff00, 0xf0000 and 0xf00000")
    void masks() {
        assertEquals(0x000000ff, PreemptCount.PREEMPT_MASK, "PREEMPT_MASK is bits 0-7");
        assertEquals(0x0000ff00, PreemptCount.SOFTIRQ_MASK, "SOFTIRQ_MASK is bits 8-15");
        assertEquals(0x000f0000, PreemptCount.HARDIRQ_MASK, "HARDIRQ_MASK is bits 16-19");
        assertEquals(0x00f00000, PreemptCount.NMI_MASK, "NMI_MASK is bits 20-23");
    }

    @Test
    @DisplayName("offsets are the lowest bit of each field, and a BH disable is twice a softirq")
    void offsets() {
        assertEquals(0x1, PreemptCount.PREEMPT_OFFSET, "PREEMPT_OFFSET is 1 << PREEMPT_SHIFT");
        assertEquals(0x100, PreemptCount.SOFTIRQ_OFFSET, "SOFTIRQ_OFFSET is 1 << SOFTIRQ_SHIFT");
        assertEquals(0x200, PreemptCount.SOFTIRQ_DISABLE_OFFSET, "SOFTIRQ_DISABLE_OFFSET is 2 * SOFTIRQ_OFFSET");
        assertEquals(0x10000, PreemptCount.HARDIRQ_OFFSET, "HARDIRQ_OFFSET is 1 << HARDIRQ_SHIFT");
    }

    @Test
    @DisplayName("hex prints eight lower-case digits, as %08x does")
    void hex() {
        assertEquals("00000000", PreemptCount.hex(0), "zero is padded to eight digits");
        assertEquals("00000101", PreemptCount.hex(0x101), "softirq plus preempt prints as 00000101");
        assertEquals("000f00ff", PreemptCount.hex(0xf00ff), "hex digits are lower case");
    }
}
