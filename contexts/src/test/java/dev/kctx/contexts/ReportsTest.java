package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reports.dedupe groups by kind and site")
class ReportsTest {

    private static Report report(ReportKind kind, String site, long timeNs) {
        Where w = new Where(0, timeNs, ContextLevel.KERNEL, "kthread w", "w", 7, "op");
        return new Report(kind, kind.title(), w, List.of(), 1, false, List.of(), site);
    }

    @Test
    @DisplayName("no reports give no groups")
    void empty() {
        assertEquals(List.of(), Reports.dedupe(List.of()), "nothing to group");
    }

    @Test
    @DisplayName("groups keep the first report and count repeats, in order of first occurrence")
    void groups() {
        Report a1 = report(ReportKind.SLEEP_IN_ATOMIC, "softirq NET_RX: mutex_lock(m)", 10);
        Report b1 = report(ReportKind.SLEEP_IN_ATOMIC, "hardirq 11: kmalloc(64, GFP_KERNEL)", 20);
        Report a2 = report(ReportKind.SLEEP_IN_ATOMIC, "softirq NET_RX: mutex_lock(m)", 30);
        Report c1 = report(ReportKind.SCHEDULING_WHILE_ATOMIC, "softirq NET_RX: mutex_lock(m)", 40);
        Report b2 = report(ReportKind.SLEEP_IN_ATOMIC, "hardirq 11: kmalloc(64, GFP_KERNEL)", 50);
        Report a3 = report(ReportKind.SLEEP_IN_ATOMIC, "softirq NET_RX: mutex_lock(m)", 60);

        List<Reports.Group> groups = Reports.dedupe(List.of(a1, b1, a2, c1, b2, a3));

        assertEquals(3, groups.size(), "two sites of one kind and one more kind at a seen site give three groups");
        assertSame(a1, groups.get(0).first(), "the first group is the first report seen");
        assertEquals(3, groups.get(0).count(), "the first site fired three times");
        assertSame(b1, groups.get(1).first(), "the second group starts with the second site's first report");
        assertEquals(2, groups.get(1).count(), "the second site fired twice");
        assertSame(c1, groups.get(2).first(), "the same site under another kind is a group of its own");
        assertEquals(1, groups.get(2).count(), "the other kind fired once");
    }
}
