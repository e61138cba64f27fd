package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.kctx.contexts.LockUsage.ENABLED_HARDIRQ;
import static dev.kctx.contexts.LockUsage.ENABLED_HARDIRQ_READ;
import static dev.kctx.contexts.LockUsage.ENABLED_SOFTIRQ;
import static dev.kctx.contexts.LockUsage.ENABLED_SOFTIRQ_READ;
import static dev.kctx.contexts.LockUsage.USED_IN_HARDIRQ;
import static dev.kctx.contexts.LockUsage.USED_IN_HARDIRQ_READ;
import static dev.kctx.contexts.LockUsage.USED_IN_SOFTIRQ;
import static dev.kctx.contexts.LockUsage.USED_IN_SOFTIRQ_READ;
import static dev.kctx.contexts.LockUsage.flag;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@DisplayName("Lock usage bits and their printed form")
class LockUsageTest {

    @Test
    @DisplayName("usage characters read as lockdep prints them: . - + ? per state, write then read")
    void chars() {
        assertEquals("{....}", LockUsage.chars(0));
        assertEquals("{-...}", LockUsage.chars(flag(USED_IN_HARDIRQ)));
        assertEquals("{+.+.}", LockUsage.chars(flag(ENABLED_HARDIRQ) | flag(ENABLED_SOFTIRQ)));
        assertEquals("{?...}", LockUsage.chars(flag(USED_IN_HARDIRQ) | flag(ENABLED_HARDIRQ)));
        assertEquals("{+.-.}", LockUsage.chars(flag(ENABLED_HARDIRQ) | flag(USED_IN_SOFTIRQ)));
        assertEquals("{.-.-}", LockUsage.chars(flag(USED_IN_HARDIRQ_READ) | flag(USED_IN_SOFTIRQ_READ)));
        assertEquals("{++++}", LockUsage.chars(flag(ENABLED_HARDIRQ) | flag(ENABLED_HARDIRQ_READ)
                | flag(ENABLED_SOFTIRQ) | flag(ENABLED_SOFTIRQ_READ)));
    }

    @Test
    @DisplayName("usage names are lockdep's usage_str")
    void names() {
        assertEquals("IN-HARDIRQ-W", LockUsage.name(USED_IN_HARDIRQ));
        assertEquals("IN-HARDIRQ-R", LockUsage.name(USED_IN_HARDIRQ_READ));
        assertEquals("HARDIRQ-ON-W", LockUsage.name(ENABLED_HARDIRQ));
        assertEquals("SOFTIRQ-ON-R", LockUsage.name(ENABLED_SOFTIRQ_READ));
        assertEquals("INITIAL USE", LockUsage.name(LockUsage.USED));
        assertEquals("SOFTIRQ-READ", LockUsage.stateName(USED_IN_SOFTIRQ_READ));
    }

    @Test
    @DisplayName("the exclusive bit flips the direction, keeps the state and drops read")
    void exclusiveBit() {
        assertEquals(ENABLED_HARDIRQ, LockUsage.exclusiveBit(USED_IN_HARDIRQ));
        assertEquals(ENABLED_HARDIRQ, LockUsage.exclusiveBit(USED_IN_HARDIRQ_READ));
        assertEquals(USED_IN_SOFTIRQ, LockUsage.exclusiveBit(ENABLED_SOFTIRQ_READ));
    }

    @Test
    @DisplayName("the exclusive mask of IN-HARDIRQ covers both HARDIRQ-ON variants and nothing of SOFTIRQ")
    void exclusiveMask() {
        assertEquals(flag(ENABLED_HARDIRQ) | flag(ENABLED_HARDIRQ_READ), LockUsage.exclusiveMask(flag(USED_IN_HARDIRQ)));
        assertEquals(flag(USED_IN_SOFTIRQ) | flag(USED_IN_SOFTIRQ_READ),
                LockUsage.exclusiveMask(flag(ENABLED_SOFTIRQ_READ)));
    }

    @Test
    @DisplayName("find_exclusive_match pairs a safe usage with the unsafe one it conflicts with")
    void exclusiveMatch() {
        int safe = flag(ENABLED_HARDIRQ) | flag(USED_IN_SOFTIRQ);
        int unsafe = flag(ENABLED_SOFTIRQ) | flag(ENABLED_HARDIRQ);
        assertArrayEquals(new int[] {USED_IN_SOFTIRQ, ENABLED_SOFTIRQ}, LockUsage.exclusiveMatch(safe, unsafe));
        assertArrayEquals(new int[] {USED_IN_HARDIRQ, ENABLED_HARDIRQ_READ},
                LockUsage.exclusiveMatch(flag(USED_IN_HARDIRQ), flag(ENABLED_HARDIRQ_READ)));
        assertNull(LockUsage.exclusiveMatch(flag(USED_IN_HARDIRQ), flag(ENABLED_SOFTIRQ)));
    }
}
