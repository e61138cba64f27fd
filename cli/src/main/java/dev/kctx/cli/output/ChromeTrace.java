package dev.kctx.cli.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The timeline in the Chrome trace-event JSON format, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open: one process per CPU ({@code pid} = CPU + 1, named "CPU n"), one thread
 * per context level ({@code tid} = pid * 10 + 1..4 for hardirq, softirq, kernel, user), complete
 * {@code X} slices for running intervals (a preempted context's slice is split around the
 * preemption), instant {@code i} events for reports. Timestamps are microseconds with nanosecond
 * decimals. One event per line, so that two runs can be compared with diff.
 */
public final class ChromeTrace {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Levels top to bottom, as the tracks are sorted. */
    static final ContextLevel[] ROWS = {ContextLevel.HARDIRQ, ContextLevel.SOFTIRQ, ContextLevel.KERNEL, ContextLevel.USER};

    private ChromeTrace() {
    }

    public static int pid(int cpu) {
        return cpu + 1;
    }

    public static int tid(int cpu, ContextLevel level) {
        return pid(cpu) * 10 + rank(level) + 1;
    }

    static int rank(ContextLevel level) {
        for (int i = 0; i < ROWS.length; i++) {
            if (ROWS[i] == level) {
                return i;
            }
        }
        throw new IllegalArgumentException(String.valueOf(level));
    }

    static String levelName(ContextLevel l) {
        return l.name().toLowerCase(Locale.ROOT);
    }

    /** Virtual nanoseconds as trace-event microseconds, exactly. */
    static BigDecimal us(long ns) {
        return new BigDecimal(BigInteger.valueOf(ns), 3);
    }

    public static String render(Timeline t, String scenario, long seed) {
        List<ObjectNode> events = new ArrayList<>();
        for (int cpu = 0; cpu < t.cpus(); cpu++) {
            events.add(meta(pid(cpu), 0, "process_name", "name", "CPU " + cpu));
            events.add(meta(pid(cpu), 0, "process_sort_index", "sort_index", cpu));
            for (ContextLevel l : ROWS) {
                events.add(meta(pid(cpu), tid(cpu, l), "thread_name", "name", levelName(l)));
                events.add(meta(pid(cpu), tid(cpu, l), "thread_sort_index", "sort_index", rank(l)));
            }
        }
        for (Timeline.Slice s : t.slices()) {
            ObjectNode e = event("X", s.cpu(), s.level(), s.startNs(), s.name());
            e.put("dur", us(s.durNs()));
            e.put("cat", levelName(s.level()));
            ObjectNode a = e.putObject("args");
            a.put("context", s.name());
            a.put("task", s.task());
            a.put("pid", s.pid());
            a.put("ended_by", s.endedBy());
            events.add(e);
        }
        for (Timeline.Mark m : t.marks()) {
            Report r = m.report();
            ObjectNode e = event("i", m.cpu(), m.level(), m.timeNs(), r.kind().id());
            e.put("s", "t");
            e.put("cat", "report");
            ObjectNode a = e.putObject("args");
            a.put("title", r.title());
            a.put("context", r.where().context());
            a.put("task", r.where().comm());
            a.put("pid", r.where().pid());
            a.put("op", r.where().op());
            a.put("preemptCount", r.preemptCount());
            ArrayNode locks = a.putArray("locksHeld");
            r.locksHeld().forEach(locks::add);
            events.add(e);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{\"displayTimeUnit\":\"ns\",\"otherData\":");
        ObjectNode other = JSON.createObjectNode();
        other.put("generator", "kctx");
        other.put("scenario", scenario);
        other.put("seed", seed);
        other.put("endNs", t.endNs());
        sb.append(other).append(",\n\"traceEvents\":[\n");
        for (int i = 0; i < events.size(); i++) {
            sb.append(events.get(i)).append(i + 1 < events.size() ? ",\n" : "\n");
        }
        sb.append("]}\n");
        return sb.toString();
    }

    private static ObjectNode event(String ph, int cpu, ContextLevel level, long ns, String name) {
        ObjectNode e = JSON.createObjectNode();
        e.put("ph", ph);
        e.put("name", name);
        e.put("pid", pid(cpu));
        e.put("tid", tid(cpu, level));
        e.put("ts", us(ns));
        return e;
    }

    private static ObjectNode meta(int pid, int tid, String name, String key, Object value) {
        ObjectNode e = JSON.createObjectNode();
        e.put("ph", "M");
        e.put("name", name);
        e.put("pid", pid);
        e.put("tid", tid);
        e.put("ts", 0);
        ObjectNode a = e.putObject("args");
        if (value instanceof Integer i) {
            a.put(key, i);
        } else {
            a.put(key, String.valueOf(value));
        }
        return e;
    }
}
