package dev.kctx.tests.properties;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated machine, kept as data so that a failing case prints as a scenario file anyone can
 * run with {@code ./kctx run}: {@link #yaml()} is exactly what the properties load and run.
 */
record GenMachine(String name, int cpus, boolean preemptFull, long timeSliceNs, long seed, boolean softirqDefer,
                  long watchdogThreshNs, Map<String, String> locks, List<Irq> irqs, Map<String, List<Item>> softirqs,
                  List<Task> kthreads, List<Task> processes, long untilNs) {

    GenMachine {
        locks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(locks));
        irqs = List.copyOf(irqs);
        softirqs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(softirqs));
        kthreads = List.copyOf(kthreads);
        processes = List.copyOf(processes);
    }

    /** When an interrupt line fires; {@link #times} is null for a random rate (the engine draws it). */
    sealed interface Arrival {
        String yaml();

        /** The arrival times up to {@code untilNs}, or null when only the engine knows them. */
        List<Long> times(long untilNs);
    }

    record Every(long periodNs, long startNs, int count) implements Arrival {
        public String yaml() {
            return "{every: " + dur(periodNs) + ", start: " + dur(startNs) + ", count: " + count + "}";
        }

        public List<Long> times(long untilNs) {
            List<Long> t = new ArrayList<>();
            for (int i = 0; i < count && startNs + i * periodNs <= untilNs; i++) {
                t.add(startNs + i * periodNs);
            }
            return t;
        }
    }

    record At(List<Long> at) implements Arrival {
        At {
            at = List.copyOf(at);
        }

        public String yaml() {
            StringBuilder sb = new StringBuilder("{at: [");
            for (int i = 0; i < at.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(dur(at.get(i)));
            }
            return sb.append("]}").toString();
        }

        public List<Long> times(long untilNs) {
            return at.stream().filter(t -> t <= untilNs).toList();
        }
    }

    record Rate(int perSecond, long startNs, int count) implements Arrival {
        public String yaml() {
            return "{rate: " + perSecond + ", start: " + dur(startNs) + ", count: " + count + "}";
        }

        public List<Long> times(long untilNs) {
            return null;
        }
    }

    /** A hard interrupt line; arrivals go round-robin over {@code cpus}. */
    record Irq(String name, int line, List<Integer> cpus, Arrival arrivals, List<Item> handler) {
        Irq {
            cpus = List.copyOf(cpus);
            handler = List.copyOf(handler);
        }
    }

    /**
     * A kernel thread or process; {@code cpu} -1 leaves the choice to the loader (and the task may
     * migrate), {@code repeat} 0 is forever, {@code nice} its weight in the fair class.
     */
    record Task(String name, int cpu, long startNs, int repeat, List<Item> body, int nice) {
        Task {
            body = List.copyOf(body);
        }

        Task(String name, int cpu, long startNs, int repeat, List<Item> body) {
            this(name, cpu, startNs, repeat, body, 0);
        }
    }

    GenMachine withLocks(Map<String, String> l) {
        return new GenMachine(name, cpus, preemptFull, timeSliceNs, seed, softirqDefer, watchdogThreshNs, l, irqs,
                softirqs, kthreads, processes, untilNs);
    }

    GenMachine withIrqs(List<Irq> i) {
        return new GenMachine(name, cpus, preemptFull, timeSliceNs, seed, softirqDefer, watchdogThreshNs, locks, i,
                softirqs, kthreads, processes, untilNs);
    }

    GenMachine withSoftirqs(Map<String, List<Item>> s) {
        return new GenMachine(name, cpus, preemptFull, timeSliceNs, seed, softirqDefer, watchdogThreshNs, locks, irqs,
                s, kthreads, processes, untilNs);
    }

    GenMachine withKthreads(List<Task> k) {
        return new GenMachine(name, cpus, preemptFull, timeSliceNs, seed, softirqDefer, watchdogThreshNs, locks, irqs,
                softirqs, k, processes, untilNs);
    }

    GenMachine withProcesses(List<Task> p) {
        return new GenMachine(name, cpus, preemptFull, timeSliceNs, seed, softirqDefer, watchdogThreshNs, locks, irqs,
                softirqs, kthreads, p, untilNs);
    }

    GenMachine withName(String n) {
        return new GenMachine(n, cpus, preemptFull, timeSliceNs, seed, softirqDefer, watchdogThreshNs, locks, irqs,
                softirqs, kthreads, processes, untilNs);
    }

    /** The names of the user processes (everything else that runs is kernel code). */
    List<String> processNames() {
        return processes.stream().map(Task::name).toList();
    }

    /** A duration as the scenario format writes it. */
    static String dur(long ns) {
        if (ns % 1_000_000 == 0 && ns != 0) {
            return ns / 1_000_000 + "ms";
        }
        if (ns % 1000 == 0) {
            return ns / 1000 + "us";
        }
        return ns + "ns";
    }

    /** The scenario file. */
    String yaml() {
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(name).append('\n');
        y.append("machine: {cpus: ").append(cpus).append(", preempt: ").append(preemptFull ? "full" : "none")
                .append(", hz: 1000, base_slice: ").append(dur(timeSliceNs)).append(", seed: ").append(seed)
                .append(", softirq_defer: ").append(softirqDefer).append(", watchdog_thresh: ")
                .append(dur(watchdogThreshNs)).append("}\n");
        if (!locks.isEmpty()) {
            y.append("locks:\n");
            locks.forEach((k, v) -> y.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        if (!irqs.isEmpty()) {
            y.append("irqs:\n");
            for (Irq i : irqs) {
                y.append("  - name: ").append(i.name()).append('\n');
                y.append("    line: ").append(i.line()).append('\n');
                y.append("    cpus: ").append(i.cpus()).append('\n');
                y.append("    arrivals: ").append(i.arrivals().yaml()).append('\n');
                y.append("    handler:\n");
                body(y, i.handler(), 6);
            }
        }
        if (!softirqs.isEmpty()) {
            y.append("softirqs:\n");
            softirqs.forEach((v, b) -> {
                y.append("  ").append(v).append(":\n");
                body(y, b, 4);
            });
        }
        tasks(y, "kthreads", kthreads);
        tasks(y, "processes", processes);
        y.append("run: {until: ").append(dur(untilNs)).append("}\n");
        return y.toString();
    }

    private static void tasks(StringBuilder y, String section, List<Task> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        y.append(section).append(":\n");
        for (Task t : tasks) {
            y.append("  - name: ").append(t.name()).append('\n');
            if (t.cpu() >= 0) {
                y.append("    cpu: ").append(t.cpu()).append('\n');
            }
            y.append("    start: ").append(dur(t.startNs())).append('\n');
            if (t.nice() != 0) {
                y.append("    nice: ").append(t.nice()).append('\n');
            }
            y.append("    repeat: ").append(t.repeat() == 0 ? "forever" : String.valueOf(t.repeat())).append('\n');
            y.append("    body:\n");
            body(y, t.body(), 6);
        }
    }

    static void body(StringBuilder y, List<Item> items, int indent) {
        if (items.isEmpty()) {
            y.setLength(y.length() - 1);
            y.append(" []\n");
            return;
        }
        String pad = " ".repeat(indent);
        for (Item it : items) {
            if (it instanceof Item.Leaf l) {
                y.append(pad).append("- ").append(l.name());
                if (l.arg() != null) {
                    y.append(": ").append(l.arg());
                }
                y.append('\n');
            } else if (it instanceof Item.Nested n) {
                y.append(pad).append("- ").append(n.name()).append(":\n");
                y.append(pad).append("    ").append(n.head()).append('\n');
                y.append(pad).append("    ").append(n.bodyKey()).append(":\n");
                body(y, n.body(), indent + 6);
                if (!n.otherwise().isEmpty()) {
                    y.append(pad).append("    else:\n");
                    body(y, n.otherwise(), indent + 6);
                }
            }
        }
    }
}
