package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("ReportKind ids are stable and titles are the kernel's")
class ReportKindTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ReportKind.class)
    @DisplayName("byId finds every kind by its own id")
    void roundTrip(ReportKind kind) {
        assertSame(kind, ReportKind.byId(kind.id()), kind + " is found by its id " + kind.id());
        assertTrue(kind.id().matches("[a-z]+(-[a-z]+)*"), kind + "'s id is lower-case words joined by dashes");
    }

    @Test
    @DisplayName("an unknown id is rejected with the list of valid ids")
    void unknownId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportKind.byId("nope"),
                "an id no kind has is rejected");
        assertTrue(e.getMessage().startsWith("unknown report kind 'nope'; expected one of "),
                "the message names the bad id: " + e.getMessage());
        for (ReportKind k : ReportKind.values()) {
            assertTrue(e.getMessage().contains(k.id()), "the message lists " + k.id());
        }
    }

    @Test
    @DisplayName("ids are matched exactly, not by enum name or case")
    void exactMatch() {
        assertThrows(IllegalArgumentException.class, () -> ReportKind.byId("SLEEP_IN_ATOMIC"),
                "the enum name is not an id");
        assertThrows(IllegalArgumentException.class, () -> ReportKind.byId("Sleep-In-Atomic"),
                "ids are case-sensitive");
    }

    @Test
    @DisplayName("ids() lists every id once, comma separated, in declaration order")
    void ids() {
        String expected = Arrays.stream(ReportKind.values()).map(ReportKind::id).collect(Collectors.joining(", "));
        assertEquals(expected, ReportKind.ids(), "ids() joins the ids in order");
    }

    @Test
    @DisplayName("only the two kctx kinds are not the kernel's own")
    void kernelKinds() {
        Set<ReportKind> kctx = Arrays.stream(ReportKind.values()).filter(k -> !k.kernelKind())
                .collect(Collectors.toSet());
        assertEquals(Set.of(ReportKind.MAY_SLEEP_IN_ATOMIC, ReportKind.BLOCKING_CALL_IN_ATOMIC), kctx,
                "may-sleep-in-atomic and blocking-call-in-atomic go beyond the kernel");
    }

    @Test
    @DisplayName("the sleeping titles are the kernel's printk texts")
    void titles() {
        assertEquals("BUG: sleeping function called from invalid context", ReportKind.SLEEP_IN_ATOMIC.title(),
                "__might_resched's title without its ' at file:line'");
        assertEquals("BUG: scheduling while atomic", ReportKind.SCHEDULING_WHILE_ATOMIC.title(),
                "__schedule_bug's title without its ': comm/pid/count'");
    }
}
