package dev.kctx.actors;

import dev.kctx.actors.trace.FtraceFormatter;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Optional;

/**
 * What a run produced: the trace, the reports, the kernel log, per-CPU statistics, and how far it
 * got. {@code failure} is present when the model could not go on (its message says why);
 * {@code stopped} when the run ended early on purpose, e.g. at a detected lockup. {@code counters}
 * are the named counts the mechanisms and fault injection kept (messages sent, dropped, faults).
 */
public record RunResult(String name, long seed, int cpus, long untilNs, long endNs, long events, long rounds,
                        List<TraceRecord> trace, List<Report> reports, List<String> dmesg, List<String> console,
                        List<CpuStats> cpuStats, Optional<String> failure, Optional<String> stopped,
                        java.util.Map<String, Long> counters) {

    public RunResult {
        trace = List.copyOf(trace);
        reports = List.copyOf(reports);
        dmesg = List.copyOf(dmesg);
        console = List.copyOf(console);
        counters = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(counters));
        cpuStats = List.copyOf(cpuStats);
    }

    public String traceText() {
        return FtraceFormatter.format(trace, cpus);
    }

    public List<Report> reportsOf(ReportKind kind) {
        return reports.stream().filter(r -> r.kind() == kind).toList();
    }

    public long totalAt(ContextLevel level) {
        return cpuStats.stream().mapToLong(s -> s.timeAt(level)).sum();
    }

    /** The histograms of all CPUs added together. */
    public Histogram merged(java.util.function.Function<CpuStats, Histogram> which) {
        Histogram h = new Histogram(3);
        for (CpuStats s : cpuStats) {
            h.add(which.apply(s));
        }
        return h;
    }
}
