package dev.kctx.cli.experiment;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import org.HdrHistogram.Histogram;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measuring side of an experiment run: named queues of virtual timestamps that travel with the
 * data (a message sent at t carries t), and the latencies recorded where the data arrives. One
 * probe belongs to one run (a machine boot extension); like every kernel object it is touched by
 * one context at a time. Its operations take no virtual time and are not traced, so a run with
 * them schedules exactly as it would without them.
 */
public final class Probe {
    private final Map<String, ArrayDeque<Long>> queues = new LinkedHashMap<>();
    private final Map<String, List<Long>> samples = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    static Probe of(Exec x) {
        return x.kernel().extension(Probe.class, Probe::new);
    }

    ArrayDeque<Long> queue(String name) {
        return queues.computeIfAbsent(name, n -> new ArrayDeque<>());
    }

    void record(String metric, long ns) {
        samples.computeIfAbsent(metric, n -> new ArrayList<>()).add(ns);
    }

    void count(String name, long delta) {
        counts.merge(name, delta, Long::sum);
    }

    /** The latencies recorded under {@code metric}, in the order they were recorded. */
    public List<Long> samples(String metric) {
        return List.copyOf(samples.getOrDefault(metric, List.of()));
    }

    /** The same latencies as an HdrHistogram (3 significant digits). */
    public Histogram histogram(String metric) {
        Histogram h = new Histogram(3);
        samples.getOrDefault(metric, List.of()).forEach(h::recordValue);
        return h;
    }

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    /** Data is made now: the current virtual time joins queue {@code queue}. */
    record Stamp(String queue) implements Op {
        public Outcome execute(Exec x) {
            of(x).queue(queue).add(x.now());
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "probe: data into " + queue;
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * The data moves on: everything in {@code from} joins {@code to}, in order; when {@code metric}
     * is not null, the time each item took to get here is recorded under it on the way.
     */
    record Move(String from, String to, String metric) implements Op {
        Move(String from, String to) {
            this(from, to, null);
        }

        public Outcome execute(Exec x) {
            Probe p = of(x);
            ArrayDeque<Long> src = p.queue(from);
            ArrayDeque<Long> dst = p.queue(to);
            while (!src.isEmpty()) {
                long stamp = src.poll();
                if (metric != null) {
                    p.record(metric, x.now() - stamp);
                }
                dst.add(stamp);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "probe: " + from + " -> " + to;
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * The data arrives: for everything in {@code from}, now minus its stamp is recorded under
     * {@code metric}. {@code user} when it runs in a process's user mode (after a recv returned).
     */
    record Arrive(String from, String metric, boolean user) implements Op {
        public Outcome execute(Exec x) {
            Probe p = of(x);
            ArrayDeque<Long> src = p.queue(from);
            while (!src.isEmpty()) {
                p.record(metric, x.now() - src.poll());
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "probe: " + from + " arrives (" + metric + ")";
        }

        public boolean userMode() {
            return user;
        }

        public boolean traced() {
            return false;
        }
    }
}
