package dev.kctx.cli.output;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kctx.actors.CpuStats;
import dev.kctx.actors.RunResult;
import dev.kctx.cli.scenario.Expect;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.Reports;
import dev.kctx.contexts.TimeFormat;
import dev.kctx.actors.TaskTable;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The outcome of one scenario run as people and programs read it: {@link #json()} in the stable
 * schema of docs/report-format.md, {@link #text()} for the terminal, and the verdict lines of
 * {@code kctx check}.
 */
public final class RunReport {
    /** Bumped when a field changes meaning or disappears; adding fields keeps the version. */
    public static final String SCHEMA = "kctx-report/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String file;
    private final Scenario scenario;
    private final RunResult result;
    private final List<Reports.Group> groups;
    private final List<Expect.Outcome> outcomes;
    private final String traceText;

    public RunReport(String file, Scenario scenario, RunResult result) {
        this.file = file;
        this.scenario = scenario;
        this.result = result;
        this.groups = Reports.dedupe(result.reports());
        this.outcomes = scenario.expect().map(e -> e.check(result)).orElse(List.of());
        this.traceText = result.traceText();
    }

    public RunResult result() {
        return result;
    }

    public String traceText() {
        return traceText;
    }

    public List<Reports.Group> groups() {
        return groups;
    }

    public List<Expect.Outcome> outcomes() {
        return outcomes;
    }

    /** True when the run passed: no failure, its budget not exhausted, and expectations met (or, without them, no report). */
    public boolean passed() {
        if (result.failure().isPresent() || result.budget().isPresent()) {
            return false;
        }
        if (scenario.expect().isPresent()) {
            return outcomes.stream().allMatch(Expect.Outcome::met);
        }
        return groups.isEmpty();
    }

    /** 0 passed, 1 reports, unmet expectations or a failed run. */
    public int exitCode() {
        return passed() ? 0 : 1;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    // ---- JSON ----

    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("scenario", scenario.name());
        root.put("description", scenario.description());
        root.put("file", file);
        root.put("seed", result.seed());
        root.put("cpus", result.cpus());
        root.put("untilNs", result.untilNs());
        root.put("endNs", result.endNs());
        root.put("events", result.events());
        root.put("rounds", result.rounds());
        if (result.failure().isPresent()) {
            root.put("failure", result.failure().get());
        } else {
            root.putNull("failure");
        }
        if (result.stopped().isPresent()) {
            root.put("stopped", result.stopped().get());
        } else {
            root.putNull("stopped");
        }
        if (result.budget().isPresent()) {
            root.put("budget", result.budget().get());
        } else {
            root.putNull("budget");
        }
        root.put("passed", passed());
        ArrayNode reps = root.putArray("reports");
        for (Reports.Group g : groups) {
            Report r = g.first();
            ObjectNode o = reps.addObject();
            o.put("kind", r.kind().id());
            o.put("title", r.title());
            o.put("cpu", r.where().cpu());
            o.put("timeNs", r.where().timeNs());
            o.put("level", r.where().level().name().toLowerCase(Locale.ROOT));
            o.put("context", r.where().context());
            o.put("task", r.where().comm());
            o.put("pid", r.where().pid());
            o.put("op", r.where().op());
            ArrayNode locks = o.putArray("locksHeld");
            r.locksHeld().forEach(locks::add);
            o.put("preemptCount", r.preemptCount());
            o.put("irqsDisabled", r.irqsDisabled());
            o.put("site", r.site());
            ArrayNode details = o.putArray("details");
            r.details().forEach(details::add);
            o.put("count", g.count());
            o.put("text", r.kernelText());
        }
        if (scenario.expect().isPresent()) {
            ObjectNode ex = root.putObject("expect");
            ex.put("met", outcomes.stream().allMatch(Expect.Outcome::met));
            ArrayNode checks = ex.putArray("checks");
            for (Expect.Outcome o : outcomes) {
                ObjectNode c = checks.addObject();
                c.put("met", o.met());
                c.put("text", o.text());
            }
        } else {
            root.putNull("expect");
        }
        ArrayNode cpus = root.putArray("cpuStats");
        for (CpuStats s : result.cpuStats()) {
            ObjectNode c = cpus.addObject();
            c.put("cpu", s.cpu());
            ObjectNode t = c.putObject("timeNs");
            for (ContextLevel l : ChromeTrace.ROWS) {
                t.put(l.name().toLowerCase(Locale.ROOT), s.timeAt(l));
            }
            t.put("idle", s.idleNs());
            c.put("irqPreemptions", s.irqPreemptions());
            c.put("schedPreemptions", s.schedPreemptions());
            c.put("contextSwitches", s.contextSwitches());
            c.put("irqsHandled", s.irqsHandled());
            c.put("irqsMerged", s.irqsMerged());
            c.put("softirqVectorRuns", s.softirqVectorRuns());
            c.put("softirqsFromKsoftirqd", s.softirqsFromKsoftirqd());
            c.put("ksoftirqdWakeups", s.ksoftirqdWakeups());
            ObjectNode lat = c.putObject("latency");
            for (Expect.Histo h : Expect.Histo.values()) {
                histogram(lat.putObject(h.id()), h.of().apply(s));
            }
        }
        ObjectNode lat = root.putObject("latency");
        for (Expect.Histo h : Expect.Histo.values()) {
            histogram(lat.putObject(h.id()), result.merged(h.of()));
        }
        ObjectNode mechs = root.putObject("mechanisms");
        for (MechanismSnapshot m : NetCounters.atEnd(result)) {
            ObjectNode o = mechs.putObject(m.mechanism());
            flow(o, m.sent(), m.delivered(), m.droppedTotal(), m.dropped());
            o.put("inFlight", m.inFlight());
            byErrno(o.putObject("errors"), m.errors());
            o.put("conserved", m.conserved());
            ArrayNode socks = o.putArray("sockets");
            for (SocketSnapshot k : m.sockets()) {
                ObjectNode so = socks.addObject();
                so.put("name", k.name());
                so.put("owner", k.owner());
                so.put("open", k.open());
                flow(so, k.sent(), k.delivered(), k.droppedTotal(), k.dropped());
                so.put("queued", k.queued());
                byErrno(so.putObject("errors"), k.errors());
            }
        }
        ArrayNode tasks = root.putArray("tasks");
        for (TaskTable.Row t : taskRows()) {
            ObjectNode o = tasks.addObject();
            o.put("pid", t.pid());
            o.put("comm", t.comm());
            o.put("kind", t.kind());
            o.put("state", String.valueOf(t.state()));
            if (t.exit() != null) {
                o.put("exit", t.exit());
            } else {
                o.putNull("exit");
            }
            if (t.signal() != 0) {
                o.put("signal", Signo.name(t.signal()));
            } else {
                o.putNull("signal");
            }
        }
        ArrayNode dmesg = root.putArray("dmesg");
        result.dmesg().forEach(dmesg::add);
        ArrayNode console = root.putArray("console");
        result.console().forEach(console::add);
        root.put("trace_sha256", sha256(traceText));
        try {
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            return JSON.writer(pp).writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a mechanism or a socket sent, and what reached a queue or was dropped (by errno). */
    private static void flow(ObjectNode o, long sent, long delivered, long droppedTotal, java.util.Map<Errno, Long> dropped) {
        o.put("sent", sent);
        o.put("delivered", delivered);
        o.put("droppedTotal", droppedTotal);
        byErrno(o.putObject("dropped"), dropped);
    }

    /** Counts by errno name, in errno order. */
    private static void byErrno(ObjectNode o, java.util.Map<Errno, Long> counts) {
        new java.util.TreeMap<>(counts).forEach((e, n) -> o.put(e.name(), n));
    }

    private static void histogram(ObjectNode o, Histogram h) {
        long n = h.getTotalCount();
        o.put("count", n);
        o.put("p50Ns", n == 0 ? 0 : h.getValueAtPercentile(50));
        o.put("p90Ns", n == 0 ? 0 : h.getValueAtPercentile(90));
        o.put("p99Ns", n == 0 ? 0 : h.getValueAtPercentile(99));
        o.put("maxNs", n == 0 ? 0 : h.getMaxValue());
    }

    // ---- text ----

    /** The run in one line: scenario, file, CPUs, seed, virtual time run, events. */
    public String summary() {
        return "scenario " + scenario.name() + " (" + file + "): " + result.cpus() + (result.cpus() == 1 ? " CPU" : " CPUs")
                + ", seed " + result.seed() + ", ran " + TimeFormat.format(result.endNs()) + " of "
                + TimeFormat.format(result.untilNs()) + " virtual time, " + result.events() + " events";
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        long total = result.reports().size();
        sb.append(summary()).append('\n');
        result.failure().ifPresent(f -> sb.append("RUN FAILED: ").append(f).append('\n'));
        result.stopped().ifPresent(f -> sb.append("stopped early: ").append(f).append('\n'));
        result.budget().ifPresent(f -> sb.append("STOPPED: ").append(budgetLine()).append('\n'));
        sb.append('\n');
        if (groups.isEmpty()) {
            sb.append("reports: none\n");
        } else {
            sb.append("reports: ").append(groups.size()).append(" distinct, ").append(total).append(" in all\n");
            for (int i = 0; i < groups.size(); i++) {
                Reports.Group g = groups.get(i);
                sb.append("\n[").append(i + 1).append("] ").append(g.first().kind().id())
                        .append(g.count() > 1 ? " (" + g.count() + " times, first shown)" : "").append('\n');
                sb.append(indent(g.first().kernelText()));
            }
        }
        if (!result.console().isEmpty()) {
            sb.append("\nconsole:\n");
            result.console().forEach(l -> sb.append(l).append('\n'));
        }
        if (!outcomes.isEmpty()) {
            boolean met = outcomes.stream().allMatch(Expect.Outcome::met);
            sb.append("\nexpect: ").append(met ? "all met" : "NOT MET").append('\n');
            for (Expect.Outcome o : outcomes) {
                sb.append(o.met() ? "  ok    " : "  FAIL  ").append(o.text()).append('\n');
            }
        }
        sb.append('\n');
        table(sb, "%-4s %11s %11s %11s %11s %11s %8s %8s %6s%n", cpuTable());
        sb.append('\n');
        table(sb, "%-20s %7s %10s %10s %10s %10s%n", latencyTable());
        List<MechanismSnapshot> mechs = NetCounters.atEnd(result);
        if (!mechs.isEmpty()) {
            sb.append("\nmechanisms:\n");
            mechs.forEach(m -> sb.append(m.text()));
        }
        List<List<String>> tasks = taskTable();
        if (tasks.size() > 1) {
            sb.append('\n');
            table(sb, "%-8s %-16s %-7s %-5s %s%n", tasks);
        }
        if (!result.dmesg().isEmpty()) {
            sb.append("\nkernel log:\n");
            result.dmesg().forEach(l -> sb.append(l).append('\n'));
        }
        return sb.toString();
    }

    /** The task table the run left (empty for results made without a machine). */
    private List<TaskTable.Row> taskRows() {
        return result.atEnd(TaskTable.class).map(TaskTable::rows).orElse(List.of());
    }

    /** The per-CPU table: a title row, then per CPU its time per level and idle, preemptions, switches, IRQs. */
    public List<List<String>> cpuTable() {
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(List.of("cpu", "hardirq", "softirq", "kernel", "user", "idle", "preempt", "switches", "irqs"));
        for (CpuStats s : result.cpuStats()) {
            rows.add(List.of(Integer.toString(s.cpu()), TimeFormat.format(s.timeAt(ContextLevel.HARDIRQ)),
                    TimeFormat.format(s.timeAt(ContextLevel.SOFTIRQ)), TimeFormat.format(s.timeAt(ContextLevel.KERNEL)),
                    TimeFormat.format(s.timeAt(ContextLevel.USER)), TimeFormat.format(s.idleNs()),
                    Long.toString(s.irqPreemptions() + s.schedPreemptions()), Long.toString(s.contextSwitches()),
                    Long.toString(s.irqsHandled())));
        }
        return rows;
    }

    /** The latency table: a title row, then per latency its sample count and percentiles ("-" without samples). */
    public List<List<String>> latencyTable() {
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(List.of("latency", "n", "p50", "p90", "p99", "max"));
        for (Expect.Histo h : Expect.Histo.values()) {
            Histogram m = result.merged(h.of());
            long n = m.getTotalCount();
            Function<Double, String> p = q -> n == 0 ? "-" : TimeFormat.format(m.getValueAtPercentile(q));
            rows.add(List.of(h.id(), Long.toString(n), p.apply(50.0), p.apply(90.0), p.apply(99.0),
                    n == 0 ? "-" : TimeFormat.format(m.getMaxValue())));
        }
        return rows;
    }

    /** The task table: a title row, then one row per task by pid (only the title for results made without a machine). */
    public List<List<String>> taskTable() {
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(List.of("tasks", "comm", "kind", "state", "end"));
        for (TaskTable.Row t : taskRows()) {
            rows.add(List.of(Integer.toString(t.pid()), t.comm(), String.valueOf(t.kind()), String.valueOf(t.state()),
                    t.state() == 'X' ? Expect.ending(t) : "-"));
        }
        return rows;
    }

    private static void table(StringBuilder sb, String format, List<List<String>> rows) {
        for (List<String> row : rows) {
            sb.append(String.format(Locale.ROOT, format, row.toArray()));
        }
    }

    private static String indent(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (!line.isEmpty()) {
                sb.append("    ").append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code kctx check}'s lines: one per distinct report, one per unmet expectation, the run failure. */
    public List<String> verdicts() {
        List<String> out = new java.util.ArrayList<>();
        for (Reports.Group g : groups) {
            out.add(file + ": " + g.first().oneLine() + (g.count() > 1 ? " [" + g.count() + " times]" : ""));
        }
        for (Expect.Outcome o : outcomes) {
            if (!o.met()) {
                out.add(file + ": expect: " + o.text());
            }
        }
        result.failure().ifPresent(f -> out.add(file + ": run failed: " + f));
        result.budget().ifPresent(f -> out.add(file + ": stopped: " + budgetLine()));
        return out;
    }

    /**
     * Which budget ended the run, where, and how to raise it, e.g. {@code the event budget of
     * 200000000 events ran out at 1.2s of virtual time (of 100s); the report covers that much.
     * Raise it with --max-events N (0: no limit)}. Only for a run its budget stopped.
     */
    public String budgetLine() {
        return budgetLine(result);
    }

    /** As {@link #budgetLine()}, for any run its budget stopped. */
    public static String budgetLine(RunResult result) {
        String why = result.budget().orElseThrow();
        String option = why.contains("wall-clock") ? "--max-wall TIME" : "--max-events N";
        return why + " at " + TimeFormat.format(result.endNs()) + " of virtual time (of "
                + TimeFormat.format(result.untilNs()) + "); the report covers that much. Raise it with " + option
                + " (0: no limit)";
    }
}
