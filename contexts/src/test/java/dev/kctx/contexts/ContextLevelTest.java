package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ContextLevel orders preemption")
class ContextLevelTest {

    @Test
    @DisplayName("mailbox priority runs HARDIRQ first and USER last")
    void mailboxPriority() {
        assertEquals(0, ContextLevel.HARDIRQ.mailboxPriority(), "hard IRQ work has the best priority");
        assertEquals(1, ContextLevel.SOFTIRQ.mailboxPriority(), "soft IRQ work comes next");
        assertEquals(2, ContextLevel.KERNEL.mailboxPriority(), "process context in the kernel comes next");
        assertEquals(3, ContextLevel.USER.mailboxPriority(), "user work runs last");
    }

    @Test
    @DisplayName("a level preempts exactly the levels below it")
    void preempts() {
        for (ContextLevel a : ContextLevel.values()) {
            for (ContextLevel b : ContextLevel.values()) {
                assertEquals(a.ordinal() > b.ordinal(), a.preempts(b), a + " preempts " + b + " only if above it");
            }
        }
        assertTrue(ContextLevel.SOFTIRQ.preempts(ContextLevel.KERNEL), "a soft IRQ preempts process context");
        assertFalse(ContextLevel.SOFTIRQ.preempts(ContextLevel.HARDIRQ), "a soft IRQ never preempts a hard IRQ");
        assertFalse(ContextLevel.KERNEL.preempts(ContextLevel.KERNEL), "a level does not preempt itself");
    }
}
