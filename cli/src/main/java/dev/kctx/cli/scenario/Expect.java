package dev.kctx.cli.scenario;

import dev.kctx.actors.CpuStats;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.TaskTable;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.Reports;
import dev.kctx.contexts.TimeFormat;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a scenario expects of its run, turning it into a test: no reports at all ({@code clean}),
 * exactly these report kinds with these numbers of distinct reports, and upper bounds on latencies.
 *
 * @param clean   true: no report of any kind; false: at least one; empty: not checked
 * @param reports per kind, the allowed number of distinct (deduplicated) reports; when this map
 *                is given, kinds it does not list must not occur
 * @param bounds  latency upper bounds
 * @param consoleContains texts the console transcript (what processes printed) must contain
 * @param counts  the socket mechanisms' counters at the end of the run (report.json's {@code mechanisms})
 * @param counters the allowed values of engine counters ({@code faults.irq_lost}, ...), 0 when never counted
 * @param tasks   how declared processes ended, by pid (report.json's {@code tasks})
 * @param dmesgContains texts the kernel log (printk lines, the kernel's own messages) must contain
 */
public record Expect(Optional<Boolean> clean, Map<ReportKind, Range> reports, List<Bound> bounds,
                     List<String> consoleContains, List<Count> counts, Map<String, Range> counters, List<TaskEnd> tasks,
                     List<String> dmesgContains) {

    public Expect {
        reports = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reports));
        bounds = List.copyOf(bounds);
        consoleContains = List.copyOf(consoleContains);
        counts = List.copyOf(counts);
        counters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        tasks = List.copyOf(tasks);
        dmesgContains = List.copyOf(dmesgContains);
    }

    /** The keys of one task's expectation. */
    public static final List<String> TASK_KEYS = List.of("exit", "signal", "state");
    /** The final states a task may be expected in (ps letters; I is TASK_IDLE, X is dead). */
    public static final String TASK_STATES = "RSDIX";

    /**
     * How task {@code pid} ended: exited with {@code exit}, killed by {@code signal}, or left in
     * {@code state}; null fields are not checked.
     */
    public record TaskEnd(int pid, Integer exit, Integer signal, Character state) {
        String text() {
            List<String> parts = new ArrayList<>();
            if (exit != null) {
                parts.add("exit " + exit);
            }
            if (signal != null) {
                parts.add("killed by " + dev.kctx.mechanisms.Signo.name(signal));
            }
            if (state != null) {
                parts.add("state " + state);
            }
            return String.join(", ", parts);
        }

        boolean met(TaskTable.Row r) {
            return r != null && (exit == null || (r.state() == 'X' && r.exit() != null && r.exit().intValue() == exit))
                    && (signal == null || (r.state() == 'X' && r.signal() == signal))
                    && (state == null || r.state() == state);
        }
    }

    /** A task's end as the task table says it: "exit 0", "killed by SIGKILL", "state S". */
    public static String ending(TaskTable.Row r) {
        if (r == null) {
            return "never ran";
        }
        if (r.state() == 'X') {
            return r.exit() != null ? "exit " + r.exit() : "killed by " + dev.kctx.mechanisms.Signo.name(r.signal());
        }
        return "state " + r.state();
    }

    /** The socket mechanisms whose counters an expectation may name. */
    public static final List<String> MECHANISMS = List.of("netlink", "genetlink", "udp");
    /** Their counters; {@code dropped} and {@code errors} may also be given per errno. */
    public static final List<String> COUNTERS = List.of("sent", "delivered", "dropped", "in_flight", "errors");

    /**
     * A mechanism's counter at the end of the run, e.g. netlink dropped ENOBUFS: 7.
     *
     * @param errno for dropped and errors: one errno's count, or null for the total
     */
    public record Count(String mechanism, String counter, Errno errno, Range range) {
        String key() {
            return mechanism + " " + counter + (errno == null ? "" : " " + errno.name());
        }

        long of(MechanismSnapshot m) {
            return switch (counter) {
                case "sent" -> m.sent();
                case "delivered" -> m.delivered();
                case "in_flight" -> m.inFlight();
                case "dropped" -> errno == null ? m.droppedTotal() : m.dropped().getOrDefault(errno, 0L);
                case "errors" -> errno == null ? m.errors().values().stream().mapToLong(Long::longValue).sum()
                        : m.errors().getOrDefault(errno, 0L);
                default -> throw new IllegalStateException("counter " + counter);
            };
        }
    }

    /** An inclusive range of counts. */
    public record Range(long min, long max) {
        public boolean contains(long v) {
            return v >= min && v <= max;
        }

        @Override
        public String toString() {
            return min == max ? Long.toString(min) : max == Long.MAX_VALUE ? "at least " + min : min + ".." + max;
        }
    }

    /** The latency histograms of a run, by the name scenario files use. */
    public enum Histo {
        IRQ_LATENCY("irq_latency", "hard IRQ arrival to handler entry", CpuStats::irqLatency),
        IRQ_TO_SOFTIRQ("irq_to_softirq", "hard IRQ arrival to the soft IRQ it raised", CpuStats::irqToSoftirq),
        SOFTIRQ_WAKE_TO_RUN("softirq_wake_to_run", "wake_up from a soft IRQ to the woken task running",
                CpuStats::softirqWakeToRun);

        private final String id;
        private final String meaning;
        private final Function<CpuStats, Histogram> of;

        Histo(String id, String meaning, Function<CpuStats, Histogram> of) {
            this.id = id;
            this.meaning = meaning;
            this.of = of;
        }

        public String id() {
            return id;
        }

        public String meaning() {
            return meaning;
        }

        public Function<CpuStats, Histogram> of() {
            return of;
        }
    }

    /** A statistic of a histogram. */
    public enum Stat {
        P50("p50", 50), P90("p90", 90), P99("p99", 99), MAX("max", 100);

        private final String id;
        private final double percentile;

        Stat(String id, double percentile) {
            this.id = id;
            this.percentile = percentile;
        }

        public String id() {
            return id;
        }

        public long of(Histogram h) {
            return this == MAX ? h.getMaxValue() : h.getValueAtPercentile(percentile);
        }
    }

    /** {@code <histogram>_<stat>: DURATION}: the statistic must not exceed the bound. */
    public record Bound(Histo histo, Stat stat, long maxNs) {
        public String key() {
            return histo.id() + "_" + stat.id();
        }
    }

    /** The keys a latency bound may have, e.g. {@code irq_to_softirq_max}. */
    public static Map<String, Bound> boundKeys() {
        Map<String, Bound> m = new LinkedHashMap<>();
        for (Histo h : Histo.values()) {
            for (Stat s : Stat.values()) {
                m.put(h.id() + "_" + s.id(), new Bound(h, s, 0));
            }
        }
        return m;
    }

    /** One checked expectation and how it went. */
    public record Outcome(boolean met, String text) {
    }

    /** Checks the run; every expectation gives one outcome line. */
    public List<Outcome> check(RunResult r) {
        List<Outcome> out = new ArrayList<>();
        List<Reports.Group> groups = Reports.dedupe(r.reports());
        if (clean.isPresent()) {
            if (clean.get()) {
                out.add(new Outcome(groups.isEmpty(), "clean: " + (groups.isEmpty() ? "no reports"
                        : groups.size() + " distinct report" + (groups.size() == 1 ? "" : "s") + " (" + kinds(groups) + ")")));
            } else {
                out.add(new Outcome(!groups.isEmpty(), "clean: false: " + groups.size() + " distinct reports"));
            }
        }
        if (!reports.isEmpty()) {
            Map<ReportKind, Long> found = new LinkedHashMap<>();
            for (Reports.Group g : groups) {
                found.merge(g.first().kind(), 1L, Long::sum);
            }
            reports.forEach((k, range) -> {
                long n = found.getOrDefault(k, 0L);
                out.add(new Outcome(range.contains(n), "reports: " + k.id() + ": " + n + " distinct (expected " + range + ")"));
            });
            found.forEach((k, n) -> {
                if (!reports.containsKey(k)) {
                    out.add(new Outcome(false, "reports: " + k.id() + ": " + n + " distinct (expected none)"));
                }
            });
        }
        for (Bound b : bounds) {
            Histogram h = r.merged(b.histo().of());
            if (h.getTotalCount() == 0) {
                out.add(new Outcome(false, b.key() + ": no samples (expected at most " + TimeFormat.format(b.maxNs()) + ")"));
            } else {
                long v = b.stat().of(h);
                out.add(new Outcome(v <= b.maxNs(), b.key() + ": " + TimeFormat.format(v) + " (expected at most "
                        + TimeFormat.format(b.maxNs()) + ", n=" + h.getTotalCount() + ")"));
            }
        }
        contains(out, "console", r.console(), consoleContains);
        contains(out, "kernel log", r.dmesg().stream().map(l -> DMESG_TIME.matcher(l).replaceFirst("")).toList(), dmesgContains);
        List<MechanismSnapshot> mechs = NetCounters.atEnd(r);
        for (Count c : counts) {
            Optional<MechanismSnapshot> m = mechs.stream().filter(x -> x.mechanism().equals(c.mechanism())).findFirst();
            long v = m.map(c::of).orElse(0L);
            out.add(new Outcome(c.range().contains(v), "mechanisms: " + c.key() + ": " + v + (m.isEmpty() ? " (not used)" : "")
                    + " (expected " + c.range() + ")"));
        }
        counters.forEach((name, range) -> {
            long v = r.counters().getOrDefault(name, 0L);
            out.add(new Outcome(range.contains(v), "counter " + name + ": " + v + " (expected " + range + ")"));
        });
        TaskTable table = r.atEnd(TaskTable.class).orElse(new TaskTable(List.of()));
        for (TaskEnd t : tasks) {
            TaskTable.Row row = table.row(t.pid());
            out.add(new Outcome(t.met(row), "tasks: " + t.pid() + (row == null ? "" : " (" + row.comm() + ")") + ": "
                    + ending(row) + " (expected " + t.text() + ")"));
        }
        return out;
    }

    /** The timestamp dmesg puts before each kernel log line, {@code [    0.000020] }. */
    private static final java.util.regex.Pattern DMESG_TIME = java.util.regex.Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] ");

    /** One outcome per text: found in the lines (joined with newlines, so a text may span lines) or not. */
    private static void contains(List<Outcome> out, String what, List<String> lines, List<String> texts) {
        if (texts.isEmpty()) {
            return;
        }
        String all = String.join("\n", lines);
        for (String t : texts) {
            boolean found = all.contains(t);
            out.add(new Outcome(found, what + " " + (found ? "contains" : "lacks") + " \"" + t.replace("\n", "\\n") + "\""));
        }
    }

    private static String kinds(List<Reports.Group> groups) {
        Map<String, Integer> m = new LinkedHashMap<>();
        groups.forEach(g -> m.merge(g.first().kind().id(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        m.forEach((k, n) -> parts.add(k + " " + n));
        return String.join(", ", parts);
    }
}
