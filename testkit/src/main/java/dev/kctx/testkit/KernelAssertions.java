package dev.kctx.testkit;

import dev.kctx.actors.CpuStats;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.cli.scenario.Expect;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.TimeFormat;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Assertions in the kernel's terms, over what a {@link RunningMachine} has run so far. A failure is
 * an AssertionError whose message has the unmet expectation, the reports, a trace excerpt, the seed
 * and the command that replays the run ({@link RunningMachine#fail}).
 */
public final class KernelAssertions {
    private KernelAssertions() {
    }

    /** A report of {@code kind} was raised; returns the first. */
    public static Report expectReport(RunningMachine m, ReportKind kind) {
        return expectReport(m, kind, null, null);
    }

    /**
     * A report of {@code kind} was raised whose title contains {@code titlePart} and whose site (the
     * call for sleeping checks, the lock-class pair for lockdep) contains {@code sitePart}; null
     * matches anything. Returns the first such report.
     */
    public static Report expectReport(RunningMachine m, ReportKind kind, String titlePart, String sitePart) {
        return m.reports().stream()
                .filter(r -> r.kind() == kind)
                .filter(r -> titlePart == null || r.title().contains(titlePart))
                .filter(r -> sitePart == null || r.site().contains(sitePart))
                .findFirst()
                .orElseThrow(() -> m.fail("expected a " + kind.id() + " report" + (titlePart == null ? "" : " titled '*" + titlePart + "*'")
                        + (sitePart == null ? "" : " at '*" + sitePart + "*'") + ", got none"));
    }

    /** No report of any kind was raised. */
    public static void expectNoReport(RunningMachine m) {
        if (!m.reports().isEmpty()) {
            throw m.fail("expected no report, got " + m.reports().size());
        }
    }

    /** No report of {@code kind} was raised. */
    public static void expectNoReport(RunningMachine m, ReportKind kind) {
        List<Report> of = m.reports().stream().filter(r -> r.kind() == kind).toList();
        if (!of.isEmpty()) {
            throw m.fail("expected no " + kind.id() + " report, got " + of.size());
        }
    }

    /**
     * The trace has events named {@code events} in this order (others may come between): the first
     * {@code events[0]}, then the first {@code events[1]} after it, and so on.
     */
    public static void expectOrder(RunningMachine m, String... events) {
        int i = 0;
        for (TraceRecord r : m.trace()) {
            if (i < events.length && r.event().equals(events[i])) {
                i++;
            }
        }
        if (i < events.length) {
            throw m.fail("expected the trace events " + String.join(" -> ", events) + " in this order; "
                    + (i == 0 ? "no " + events[0] : "no " + events[i] + " after " + events[i - 1]));
        }
    }

    /**
     * The latencies from each trace event {@code from} accepts to the next event {@code to} accepts
     * (on any CPU), as an HdrHistogram in ns; a {@code from} with no {@code to} after it counts nothing.
     */
    public static Histogram latency(RunningMachine m, Predicate<TraceRecord> from, Predicate<TraceRecord> to) {
        Histogram h = new Histogram(3);
        long start = -1;
        for (TraceRecord r : m.trace()) {
            if (start >= 0 && to.test(r)) {
                h.recordValue(r.timeNs() - start);
                start = -1;
            } else if (start < 0 && from.test(r)) {
                start = r.timeNs();
            }
        }
        return h;
    }

    /**
     * Every latency from a {@code from} event to the next {@code to} event is at most {@code max},
     * and there was at least one; returns the histogram.
     */
    public static Histogram expectLatency(RunningMachine m, String what, Predicate<TraceRecord> from, Predicate<TraceRecord> to,
                                          Duration max) {
        Histogram h = latency(m, from, to);
        if (h.getTotalCount() == 0) {
            throw m.fail("expected " + what + " within " + TimeFormat.format(max.toNanos()) + ": it never happened");
        }
        if (h.getMaxValue() > max.toNanos()) {
            throw m.fail("expected " + what + " within " + TimeFormat.format(max.toNanos()) + ": n=" + h.getTotalCount()
                    + " median=" + TimeFormat.format(h.getValueAtPercentile(50)) + " max=" + TimeFormat.format(h.getMaxValue()));
        }
        return h;
    }

    /**
     * A statistic of one of the run's own latency histograms (the ones {@code expect:} bounds in
     * scenario files, e.g. IRQ_TO_SOFTIRQ, MAX) is at most {@code max}. Runs the machine to its end first.
     */
    public static void expectStat(RunningMachine m, Expect.Histo histo, Expect.Stat stat, Duration max) {
        RunResult r = m.runToEnd();
        java.util.function.Function<CpuStats, Histogram> which = histo.of();
        long v = stat.of(r.merged(which));
        if (v > max.toNanos()) {
            throw m.fail("expected " + histo.id() + "_" + stat.id() + " <= " + TimeFormat.format(max.toNanos()) + ", got "
                    + TimeFormat.format(v));
        }
    }

    /** Every expectation of the scenario's {@code expect:} block holds; runs the machine to its end first. */
    public static void expectScenario(RunningMachine m) {
        Expect e = m.machine().expect().orElseThrow(() -> new IllegalArgumentException("the machine has no expect: block"));
        RunResult r = m.runToEnd();
        List<Expect.Outcome> unmet = e.check(r).stream().filter(o -> !o.met()).toList();
        if (!unmet.isEmpty()) {
            throw m.fail("unmet expectation" + (unmet.size() == 1 ? "" : "s") + ":\n  "
                    + String.join("\n  ", unmet.stream().map(Expect.Outcome::text).toList()));
        }
    }
}
