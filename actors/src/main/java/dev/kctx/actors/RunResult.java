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
 * {@code stopped} when the run ended early on purpose, e.g. at a detected lockup; {@code budget} when it
 * ended early because a budget its caller set (events, wall-clock time) ran out, saying which. {@code counters}
 * are the named counts the mechanisms and fault injection kept (messages sent, dropped, faults);
 * {@code endState} what mechanisms left for the result when the run ended (see {@link #atEnd}).
 */
public record RunResult(String name, long seed, int cpus, long untilNs, long endNs, long events, long rounds,
                        List<TraceRecord> trace, List<Report> reports, List<String> dmesg, List<String> console,
                        List<CpuStats> cpuStats, Optional<String> failure, Optional<String> stopped,
                        Optional<String> budget, java.util.Map<String, Long> counters, java.util.Map<Class<?>, Object> endState) {

    public RunResult {
        trace = List.copyOf(trace);
        reports = List.copyOf(reports);
        dmesg = List.copyOf(dmesg);
        console = List.copyOf(console);
        counters = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(counters));
        cpuStats = List.copyOf(cpuStats);
        endState = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(endState));
    }

    /** The state a mechanism left under {@code key} (KernelObjects.atEnd), if it was used in this run. */
    public <T> Optional<T> atEnd(Class<T> key) {
        return Optional.ofNullable(endState.get(key)).map(key::cast);
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
