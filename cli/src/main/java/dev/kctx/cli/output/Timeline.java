package dev.kctx.cli.output;

import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ran when, per CPU, derived from the trace records alone: the running intervals of each
 * context (hard IRQ, soft IRQ, kernel, user) and the intervals in which a context sat preempted
 * under another one, plus the reports as instants. The Chrome trace and the SVG picture are drawn
 * from it.
 *
 * <p>The derivation replays the CPU's context stack: {@code irq_handler_entry/exit} and
 * {@code softirq_entry/exit} push and pop interrupt frames, {@code sched_switch} replaces the
 * task, {@code sys_enter/sys_exit} move a process between USER and KERNEL, and
 * {@code kctx_preempt} notes how much work a preempted step had left.
 *
 * @param slices    running intervals, by start time, CPU and level
 * @param preempted intervals in which a context was on the CPU's stack but not running
 * @param marks     reports, by time
 */
public record Timeline(int cpus, long endNs, List<Slice> slices, List<Slice> preempted, List<Mark> marks) {

    /** One interval of one context on one CPU; {@code endedBy} says what ended it. */
    public record Slice(int cpu, ContextLevel level, String name, String task, int pid, long startNs, long endNs,
                        String endedBy) {
        public long durNs() {
            return endNs - startNs;
        }
    }

    /** A report at an instant. */
    public record Mark(int cpu, ContextLevel level, long timeNs, Report report) {
    }

    private static final Pattern NEXT = Pattern.compile("prev_state=(\\S+) ==> next_comm=(.*) next_pid=(\\d+) next_prio");
    private static final Pattern IRQ = Pattern.compile("irq=(\\d+) name=(.*)");
    private static final Pattern ACTION = Pattern.compile("\\[action=(\\w+)]");
    private static final Pattern REMAINING = Pattern.compile("remaining=(\\d+)ns");

    /**
     * Derives the timeline of a run. {@code processes} are the names of user processes (every other
     * task is a kernel thread); {@code syscalls} names system calls by number.
     */
    public static Timeline of(RunResult r, Set<String> processes, Map<Integer, String> syscalls) {
        List<Slice> slices = new ArrayList<>();
        List<Slice> preempted = new ArrayList<>();
        Map<Integer, CpuTrack> tracks = new HashMap<>();
        Map<Integer, ContextLevel> taskLevel = new HashMap<>();
        Map<Integer, String> taskName = new HashMap<>();
        for (TraceRecord t : r.trace()) {
            CpuTrack c = tracks.computeIfAbsent(t.cpu(), k -> new CpuTrack(k, slices, preempted));
            c.on(t, processes, syscalls, taskLevel, taskName);
        }
        for (CpuTrack c : tracks.values()) {
            c.finish(Math.max(r.endNs(), c.lastTime));
        }
        Comparator<Slice> order = Comparator.comparingLong(Slice::startNs).thenComparingInt(Slice::cpu)
                .thenComparing(Slice::level, Comparator.reverseOrder()).thenComparingLong(Slice::endNs);
        slices.sort(order);
        preempted.sort(order);
        List<Mark> marks = new ArrayList<>();
        for (Report rep : r.reports()) {
            marks.add(new Mark(rep.where().cpu(), rep.where().level(), rep.where().timeNs(), rep));
        }
        marks.sort(Comparator.comparingLong(Mark::timeNs).thenComparingInt(Mark::cpu));
        return new Timeline(r.cpus(), r.endNs(), List.copyOf(slices), List.copyOf(preempted), List.copyOf(marks));
    }

    /** One context on a CPU's stack. */
    private static final class Frame {
        ContextLevel level;
        String name;
        final String task;
        final int pid;
        final boolean isTask;
        long runStart = -1;
        long coveredStart = -1;
        boolean emitted;
        String note = "";

        Frame(ContextLevel level, String name, String task, int pid, boolean isTask) {
            this.level = level;
            this.name = name;
            this.task = task;
            this.pid = pid;
            this.isTask = isTask;
        }
    }

    /** Replays one CPU's records. */
    private static final class CpuTrack {
        final int cpu;
        final List<Slice> slices;
        final List<Slice> preempted;
        final Deque<Frame> stack = new ArrayDeque<>();
        long lastTime;

        CpuTrack(int cpu, List<Slice> slices, List<Slice> preempted) {
            this.cpu = cpu;
            this.slices = slices;
            this.preempted = preempted;
        }

        void on(TraceRecord t, Set<String> processes, Map<Integer, String> syscalls, Map<Integer, ContextLevel> taskLevel,
                Map<Integer, String> taskName) {
            long now = t.timeNs();
            lastTime = Math.max(lastTime, now);
            switch (t.event()) {
                case "sched_switch" -> {
                    Matcher m = NEXT.matcher(t.args());
                    if (!m.find()) {
                        return;
                    }
                    String state = m.group(1);
                    String ended = state.startsWith("R") ? "preempted by the scheduler" : state.equals("X") ? "exit"
                            : "sleeps (state " + state + ")";
                    while (!stack.isEmpty()) {
                        retire(stack.pop(), now, ended);
                    }
                    String comm = m.group(2);
                    int pid = Integer.parseInt(m.group(3));
                    if (pid != 0) {
                        boolean user = processes.contains(comm);
                        ContextLevel level = taskLevel.getOrDefault(pid, user ? ContextLevel.USER : ContextLevel.KERNEL);
                        String name = taskName.getOrDefault(pid, (user ? "process " : "kthread ") + comm);
                        push(new Frame(level, name, comm, pid, true), now);
                    }
                }
                case "sys_enter", "sys_exit" -> {
                    Frame f = taskFrame();
                    if (f == null) {
                        return;
                    }
                    boolean enter = t.event().equals("sys_enter");
                    String base = "process " + f.task;
                    String call = syscalls.getOrDefault(t.subject(), "NR " + t.subject());
                    boolean top = f == stack.peek();
                    if (top) {
                        close(f, now, enter ? "sys_enter " + call : "sys_exit " + call);
                        endCovered(f, now);
                    }
                    f.level = enter ? ContextLevel.KERNEL : ContextLevel.USER;
                    f.name = enter ? base + " syscall " + call : base;
                    taskLevel.put(f.pid, f.level);
                    taskName.put(f.pid, f.name);
                    if (top) {
                        open(f, now);
                    }
                }
                case "irq_handler_entry" -> {
                    Matcher m = IRQ.matcher(t.args());
                    String name = m.find() ? "hardirq " + m.group(1) + " " + m.group(2) : "hardirq";
                    push(new Frame(ContextLevel.HARDIRQ, name, t.comm(), t.pid(), false), now);
                }
                case "softirq_entry" -> {
                    Matcher m = ACTION.matcher(t.args());
                    Frame below = stack.peek();
                    String in = below != null && below.isTask && below.task.startsWith("ksoftirqd/")
                            ? " (" + below.task + ")" : "";
                    push(new Frame(ContextLevel.SOFTIRQ, "softirq " + (m.find() ? m.group(1) : "?") + in, t.comm(),
                            t.pid(), false), now);
                }
                case "irq_handler_exit", "softirq_exit" -> {
                    Frame top = stack.peek();
                    if (top != null && !top.isTask) {
                        pop(now, t.event().equals("irq_handler_exit") ? "irq_handler_exit" : "softirq_exit");
                    }
                }
                case "kctx_preempt" -> {
                    Frame top = stack.peek();
                    Matcher m = REMAINING.matcher(t.args());
                    if (top != null) {
                        top.note = m.find() ? " (" + m.group(1) + "ns left)" : "";
                    }
                }
                default -> {
                }
            }
        }

        Frame taskFrame() {
            Frame bottom = stack.peekLast();
            return bottom != null && bottom.isTask ? bottom : null;
        }

        void push(Frame f, long now) {
            Frame top = stack.peek();
            if (top != null) {
                close(top, now, "preempted by " + f.name + top.note);
                top.note = "";
                if (top.coveredStart < 0) {
                    top.coveredStart = now;
                }
            }
            stack.push(f);
            open(f, now);
        }

        void pop(long now, String why) {
            Frame f = stack.pop();
            retire(f, now, why);
            if (!f.emitted) {
                // An interrupt that took no virtual time still happened: keep it as an instant slice.
                slices.add(new Slice(cpu, f.level, f.name, f.task, f.pid, now, now, why));
            }
            Frame top = stack.peek();
            if (top != null) {
                // Still covered until it really runs: another interrupt may follow at this instant.
                open(top, now);
            }
        }

        void open(Frame f, long now) {
            f.runStart = now;
        }

        void close(Frame f, long now, String why) {
            if (f.runStart >= 0 && now > f.runStart) {
                endCovered(f, f.runStart);
                slices.add(new Slice(cpu, f.level, f.name, f.task, f.pid, f.runStart, now, why));
                f.emitted = true;
            }
            f.runStart = -1;
        }

        /** The frame leaves the CPU: its last interval and any wait under other contexts end. */
        void retire(Frame f, long now, String why) {
            long resumed = f.runStart >= 0 ? f.runStart : now;
            close(f, now, why);
            endCovered(f, resumed);
        }

        void endCovered(Frame f, long now) {
            if (f.coveredStart >= 0 && now > f.coveredStart) {
                preempted.add(new Slice(cpu, f.level, f.name, f.task, f.pid, f.coveredStart, now, "resumed"));
            }
            f.coveredStart = -1;
        }

        void finish(long end) {
            for (Frame f : stack) {
                retire(f, end, "end of run");
            }
            stack.clear();
        }
    }
}
