package dev.kctx.tests.properties;

import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.TimeFormat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rebuilds, from the trace alone, what each CPU was doing, and checks the model's preemption rules
 * against it. Nothing of the engine's state is used: only the ftrace events, their flags, the
 * scenario (which lines fire when, which tasks are processes) and the run's statistics.
 *
 * <p>Preemption order (named invariants, each a message when broken):
 * <ul>
 *   <li>{@code irq-line-concurrent}: one line's handler never runs on two CPUs at once;</li>
 *   <li>{@code irq-nesting}: a hard IRQ handler starts only outside any hard IRQ on its CPU;</li>
 *   <li>{@code irq-while-disabled}: a hard IRQ handler starts only when the context it interrupts
 *       had IRQs enabled (the flags of the event before it, or the op before it re-enabled them);</li>
 *   <li>{@code irq-pending}: an interrupt that arrived is never left pending while its CPU runs for a
 *       positive time with IRQs enabled outside a hard IRQ (lines with known arrival times);</li>
 *   <li>{@code irq-spurious}: no handler runs without an arrival;</li>
 *   <li>{@code softirq-nesting}: a soft IRQ starts only outside hard IRQs and outside soft IRQs;</li>
 *   <li>{@code softirq-on-irq-exit}: pending soft IRQs run at irq_exit when it returns to
 *       non-interrupt code with bottom halves enabled (unless softirq_defer);</li>
 *   <li>{@code flags}: the HARDIRQ/SOFTIRQ flags of every event agree with the rebuilt nesting;</li>
 *   <li>{@code switch}: the scheduler switches tasks only with no interrupt context open, and
 *       preempts (prev_state R+) kernel code only under preempt: full and only when it is not atomic;</li>
 * </ul>
 * Time: {@code time-per-level} the time the trace shows at each level and idle equals the run's
 * statistics, and {@code time-sum} those add up to the end time on every CPU.
 */
final class TraceChecker {
    private TraceChecker() {
    }

    enum St { ON, BLOCKED, UNKNOWN }

    /** What a check found, and how much it looked at. */
    static final class Result {
        final List<String> violations = new ArrayList<>();
        long events;
        long irqEntries;
        long softirqEntries;
        long trackedArrivals;
        long switches;

        void fail(String invariant, TraceRecord at, String what) {
            if (violations.size() < 20) {
                violations.add(invariant + ": " + what + (at == null ? "" : " [at " + line(at) + "]"));
            }
        }

        boolean ok() {
            return violations.isEmpty();
        }

        @Override
        public String toString() {
            return String.join("\n", violations);
        }
    }

    /** What the checks read of a run: kept apart from {@link RunResult} so that they do not depend on its shape. */
    record Run(int cpus, long untilNs, long endNs, List<TraceRecord> trace, List<CpuTime> cpuTimes) {
        static Run of(RunResult r) {
            return new Run(r.cpus(), r.untilNs(), r.endNs(), r.trace(),
                    r.cpuStats().stream().map(s -> new CpuTime(s.cpu(), s.levelNs(), s.idleNs())).toList());
        }
    }

    /** One CPU's time per {@link ContextLevel} (by ordinal) and idle, as the statistics report it. */
    record CpuTime(int cpu, long[] levelNs, long idleNs) {
        long timeAt(ContextLevel l) {
            return levelNs[l.ordinal()];
        }
    }

    static String line(TraceRecord r) {
        return "cpu " + r.cpu() + " " + TimeFormat.format(r.timeNs()) + " " + r.comm() + "-" + r.pid() + " "
                + r.flagsColumn() + " " + r.event() + ": " + r.args();
    }

    private record Open(char kind, int subject, St saved) {
    }

    private record Segment(long from, long to, St state) {
    }

    private static final Pattern NEW_TASK = Pattern.compile("comm=(\\S+) pid=(\\d+)");
    private static final Pattern PREV = Pattern.compile("prev_comm=(\\S+) prev_pid=(\\d+) .*prev_state=(\\S+)");

    /** Checks the preemption rules of {@code r}, a run of {@code m}. */
    static Result preemption(GenMachine m, RunResult r) {
        return preemption(m, Run.of(r));
    }

    static Result preemption(GenMachine m, Run r) {
        Result res = new Result();
        walk(m, r, res, true);
        lines(r, res);
        return res;
    }

    /** {@code irq-line-concurrent}: one line's handler never runs on two CPUs at once (the IRQ core's IRQD_IRQ_INPROGRESS). */
    private static void lines(Run r, Result res) {
        Map<Integer, Integer> running = new HashMap<>();
        for (TraceRecord t : r.trace()) {
            if (t.event().equals("irq_handler_entry")) {
                Integer other = running.putIfAbsent(t.subject(), t.cpu());
                if (other != null) {
                    res.fail("irq-line-concurrent", t, "irq " + t.subject() + " entered on cpu " + t.cpu()
                            + " while its handler still runs on cpu " + other);
                }
            } else if (t.event().equals("irq_handler_exit") && Integer.valueOf(t.cpu()).equals(running.get(t.subject()))) {
                running.remove(t.subject());
            }
        }
    }

    /** Checks that the time the trace shows per level matches the statistics and adds up. */
    static Result time(GenMachine m, RunResult r) {
        return time(m, Run.of(r));
    }

    static Result time(GenMachine m, Run r) {
        Result res = new Result();
        long[][] levels = walk(m, r, res, false);
        res.violations.clear();
        for (CpuTime s : r.cpuTimes()) {
            long sum = s.idleNs();
            for (ContextLevel l : ContextLevel.values()) {
                sum += s.timeAt(l);
            }
            if (sum != r.endNs()) {
                res.fail("time-sum", null, "cpu " + s.cpu() + ": levels + idle = " + sum + "ns, the run ended at "
                        + r.endNs() + "ns");
            }
            long[] t = levels[s.cpu()];
            for (ContextLevel l : ContextLevel.values()) {
                if (t[l.ordinal()] != s.timeAt(l)) {
                    res.fail("time-per-level", null, "cpu " + s.cpu() + " " + l + ": the trace shows " + t[l.ordinal()]
                            + "ns, the statistics " + s.timeAt(l) + "ns");
                }
            }
            if (t[ContextLevel.values().length] != s.idleNs()) {
                res.fail("time-per-level", null, "cpu " + s.cpu() + " idle: the trace shows "
                        + t[ContextLevel.values().length] + "ns, the statistics " + s.idleNs() + "ns");
            }
        }
        return res;
    }

    private static long[][] walk(GenMachine m, Run r, Result res, boolean rules) {
        int cpus = r.cpus();
        List<List<TraceRecord>> byCpu = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            byCpu.add(new ArrayList<>());
        }
        for (TraceRecord t : r.trace()) {
            byCpu.get(t.cpu()).add(t);
        }
        Set<String> processNames = new HashSet<>(m.processNames());
        Set<Integer> processPids = new HashSet<>();
        Map<Integer, Boolean> inSyscall = new HashMap<>();
        // Pids of processes are learned from sched_wakeup_new, which precedes any run of the task.
        for (TraceRecord t : r.trace()) {
            if (t.event().equals("sched_wakeup_new")) {
                Matcher mt = NEW_TASK.matcher(t.args());
                if (mt.find() && processNames.contains(mt.group(1))) {
                    processPids.add(Integer.parseInt(mt.group(2)));
                }
            }
        }
        // Tasks migrate: whether a task switched in is inside a system call is known only from the whole
        // trace in its (causal) order, not from the events of the CPU it arrives on.
        Map<TraceRecord, Boolean> syscallAtSwitchIn = new java.util.IdentityHashMap<>();
        Map<Integer, Boolean> state = new HashMap<>();
        for (TraceRecord t : r.trace()) {
            switch (t.event()) {
                case "sys_enter" -> state.put(t.pid(), true);
                case "sys_exit" -> state.put(t.pid(), false);
                case "sched_switch" -> syscallAtSwitchIn.put(t, state.getOrDefault(t.subject(), false));
                default -> {
                }
            }
        }
        long[][] levels = new long[cpus][ContextLevel.values().length + 1];
        for (int c = 0; c < cpus; c++) {
            List<Segment> segments = cpu(m, r, res, rules, byCpu.get(c), processPids, inSyscall, syscallAtSwitchIn, levels[c]);
            if (rules) {
                arrivals(m, r, res, c, byCpu.get(c), segments);
            }
        }
        return levels;
    }

    private static St flagsState(TraceRecord t) {
        return (t.flags() & (TraceRecord.IRQS_OFF | TraceRecord.HARDIRQ)) != 0 ? St.BLOCKED : St.ON;
    }

    private static List<Segment> cpu(GenMachine m, Run r, Result res, boolean rules, List<TraceRecord> recs,
                                     Set<Integer> processPids, Map<Integer, Boolean> inSyscall,
                                     Map<TraceRecord, Boolean> syscallAtSwitchIn, long[] levels) {
        Deque<Open> stack = new ArrayDeque<>();
        Map<Integer, St> taskState = new HashMap<>();
        Set<Integer> pendingSoft = new TreeSet<>();
        List<Segment> segments = new ArrayList<>();
        int curPid = 0;
        long last = 0;
        St after = St.ON;
        boolean softObligation = false;
        long obligationAt = -1;
        int obligationLine = -1;
        for (TraceRecord t : recs) {
            res.events++;
            // time since the previous event belongs to what ran then
            long dt = t.timeNs() - last;
            if (dt > 0) {
                levels[level(stack, curPid, processPids, inSyscall)] += dt;
            }
            String ev = t.event();
            St before = ev.equals("irq_handler_entry") ? after : flagsState(t);
            if (dt > 0) {
                segments.add(new Segment(last, t.timeNs(), before));
            }
            if (rules && softObligation && !ev.equals("kctx_preempt")) {
                boolean replay = ev.equals("irq_handler_entry") && t.timeNs() == obligationAt && t.subject() == obligationLine;
                // handle_edge_irq's pending loop: an arrival that came while the handler ran on another
                // CPU runs the handler again before irq_exit; the obligation moves to that handler's exit.
                if (!replay && (!ev.equals("softirq_entry") || t.timeNs() != obligationAt)) {
                    res.fail("softirq-on-irq-exit", t, "soft IRQs " + pendingSoft + " were pending when the hard IRQ"
                            + " returned to non-interrupt code, but the next event is not their softirq_entry");
                }
                softObligation = false;
            }
            boolean hasH = stack.stream().anyMatch(o -> o.kind() == 'H');
            boolean hasS = stack.stream().anyMatch(o -> o.kind() == 'S');
            switch (ev) {
                case "irq_handler_entry" -> {
                    res.irqEntries++;
                    if (rules && hasH) {
                        res.fail("irq-nesting", t, "a hard IRQ handler started inside another one");
                    }
                    if (rules && after == St.BLOCKED) {
                        res.fail("irq-while-disabled", t, "a hard IRQ handler started while the interrupted context"
                                + " had IRQs disabled");
                    }
                    stack.push(new Open('H', t.subject(), after));
                    hasH = true;
                }
                case "softirq_entry" -> {
                    res.softirqEntries++;
                    if (rules && hasH) {
                        res.fail("softirq-nesting", t, "a soft IRQ started inside a hard IRQ handler");
                    }
                    if (rules && hasS) {
                        res.fail("softirq-nesting", t, "a soft IRQ started inside another soft IRQ");
                    }
                    pendingSoft.remove(t.subject());
                    stack.push(new Open('S', t.subject(), null));
                    hasS = true;
                }
                case "softirq_raise" -> pendingSoft.add(t.subject());
                case "sched_switch" -> {
                    res.switches++;
                    if (rules && !stack.isEmpty()) {
                        res.fail("switch", t, "the scheduler switched tasks inside an interrupt context " + stack);
                    }
                    Matcher p = PREV.matcher(t.args());
                    if (rules && p.find() && p.group(3).equals("R+")) {
                        int prev = Integer.parseInt(p.group(2));
                        boolean user = processPids.contains(prev) && !inSyscall.getOrDefault(prev, false);
                        if (!user && !m.preemptFull()) {
                            res.fail("switch", t, "kernel code was preempted by the scheduler under preempt: none");
                        }
                        int depth = (t.flags() >> TraceRecord.DEPTH_SHIFT) & 0xf;
                        if (!user && (depth != 0 || (t.flags() & (TraceRecord.IRQS_OFF | TraceRecord.BH_OFF)) != 0)) {
                            res.fail("switch", t, "the scheduler preempted kernel code that was atomic");
                        }
                    }
                }
                case "sys_enter" -> inSyscall.put(t.pid(), true);
                case "sys_exit" -> inSyscall.put(t.pid(), false);
                default -> {
                }
            }
            if (rules) {
                boolean hFlag = (t.flags() & TraceRecord.HARDIRQ) != 0;
                boolean sFlag = (t.flags() & TraceRecord.SOFTIRQ) != 0;
                if (hFlag != hasH) {
                    res.fail("flags", t, "the HARDIRQ flag says " + hFlag + ", the rebuilt nesting " + stack);
                }
                if (hasS && !sFlag) {
                    res.fail("flags", t, "inside a soft IRQ without the SOFTIRQ flag");
                }
                if (sFlag && !hasS && !ev.equals("kctx_preempt") && !ev.equals("sched_wakeup")) {
                    res.fail("flags", t, "the SOFTIRQ flag is set outside any soft IRQ");
                }
            }
            switch (ev) {
                case "irq_handler_exit" -> {
                    Open top = stack.peek();
                    if (top == null || top.kind() != 'H' || top.subject() != t.subject()) {
                        res.fail("irq-nesting", t, "irq_handler_exit does not close the innermost hard IRQ " + stack);
                        after = St.UNKNOWN;
                    } else {
                        stack.pop();
                        after = top.saved();
                        boolean bhOff = (t.flags() & TraceRecord.BH_OFF) != 0;
                        if (stack.isEmpty() && !bhOff && !pendingSoft.isEmpty() && !m.softirqDefer()) {
                            softObligation = true;
                            obligationAt = t.timeNs();
                            obligationLine = t.subject();
                        }
                    }
                }
                case "softirq_exit" -> {
                    Open top = stack.peek();
                    if (top == null || top.kind() != 'S' || top.subject() != t.subject()) {
                        res.fail("softirq-nesting", t, "softirq_exit does not close the innermost soft IRQ " + stack);
                    } else {
                        stack.pop();
                    }
                    after = flagsState(t);
                }
                case "irq_handler_entry" -> after = St.BLOCKED;
                case "sched_switch" -> {
                    taskState.put(curPid, flagsState(t));
                    curPid = t.subject();
                    inSyscall.put(curPid, syscallAtSwitchIn.getOrDefault(t, false));
                    after = taskState.getOrDefault(curPid, St.ON);
                }
                case "kctx_op" -> after = opEffect(t.args(), flagsState(t), hasH);
                default -> after = flagsState(t);
            }
            last = t.timeNs();
        }
        long dt = r.endNs() - last;
        if (dt > 0) {
            levels[level(stack, curPid, processPids, inSyscall)] += dt;
            segments.add(new Segment(last, r.endNs(), after));
        }
        return segments;
    }

    /** The IRQ state after a traced operation whose flags show the state before it. */
    private static St opEffect(String op, St before, boolean inHardirq) {
        if (op.startsWith("local_irq_disable") || op.startsWith("local_irq_save")) {
            return St.BLOCKED;
        }
        if (op.startsWith("local_irq_enable")) {
            return inHardirq ? St.BLOCKED : St.ON;
        }
        if (op.startsWith("local_irq_restore") || op.contains("_unlock_irq")) {
            return inHardirq ? St.BLOCKED : St.UNKNOWN;
        }
        return before;
    }

    private static int level(Deque<Open> stack, int curPid, Set<Integer> processPids, Map<Integer, Boolean> inSyscall) {
        Open top = stack.peek();
        if (top != null) {
            return (top.kind() == 'H' ? ContextLevel.HARDIRQ : ContextLevel.SOFTIRQ).ordinal();
        }
        if (curPid == 0) {
            return ContextLevel.values().length;
        }
        boolean user = processPids.contains(curPid) && !inSyscall.getOrDefault(curPid, false);
        return (user ? ContextLevel.USER : ContextLevel.KERNEL).ordinal();
    }

    /** When the line's handler ran, on every CPU: {cpu, entry, exit} (exit: the run's end if it never left). */
    private static List<long[]> running(Run r, int line) {
        List<long[]> out = new ArrayList<>();
        Map<Integer, Long> open = new HashMap<>();
        for (TraceRecord t : r.trace()) {
            if (t.subject() != line) {
                continue;
            }
            if (t.event().equals("irq_handler_entry")) {
                open.put(t.cpu(), t.timeNs());
            } else if (t.event().equals("irq_handler_exit") && open.containsKey(t.cpu())) {
                out.add(new long[] {t.cpu(), open.remove(t.cpu()), t.timeNs()});
            }
        }
        open.forEach((c, from) -> out.add(new long[] {c, from, r.endNs()}));
        return out;
    }

    /** irq-pending and irq-spurious for the lines whose arrival times the scenario fixes. */
    private static void arrivals(GenMachine m, Run r, Result res, int cpu, List<TraceRecord> recs,
                                 List<Segment> segments) {
        for (GenMachine.Irq irq : m.irqs()) {
            List<Long> times = irq.arrivals().times(r.untilNs());
            List<Long> entries = recs.stream()
                    .filter(t -> t.event().equals("irq_handler_entry") && t.subject() == irq.line())
                    .map(TraceRecord::timeNs).toList();
            if (times == null) {
                continue;
            }
            List<long[]> running = running(r, irq.line());
            List<Long> mine = new ArrayList<>();
            for (int n = 0; n < times.size(); n++) {
                // The last instant of a run (until) is run too: an arrival there can have its entry.
                long a = times.get(n);
                int target = irq.cpus().get(n % irq.cpus().size());
                // An arrival while the line's handler runs on another CPU is replayed there (handle_edge_irq).
                for (long[] run : running) {
                    if (run[0] != target && run[1] <= a && a < run[2]) {
                        target = (int) run[0];
                    }
                }
                if (target == cpu && a <= r.endNs()) {
                    mine.add(a);
                }
            }
            res.trackedArrivals += mine.size();
            for (int k = 0; k < entries.size(); k++) {
                long at = entries.get(k);
                long before = mine.stream().filter(x -> x <= at).count();
                if (before < k + 1) {
                    res.fail("irq-spurious", null, "cpu " + cpu + ": handler entry " + (k + 1) + " of irq " + irq.line()
                            + " at " + TimeFormat.format(at) + " but only " + before + " arrivals by then");
                }
            }
            for (long a : mine) {
                long enter = entries.stream().filter(x -> x >= a).findFirst().orElse(r.endNs());
                for (Segment s : segments) {
                    if (s.to() > a && s.from() < enter && s.state() == St.ON) {
                        res.fail("irq-pending", null, "cpu " + cpu + ": irq " + irq.line() + " arrived at "
                                + TimeFormat.format(a) + " and entered at " + TimeFormat.format(enter)
                                + ", but the CPU ran with IRQs enabled outside hard IRQ from " + TimeFormat.format(s.from())
                                + " to " + TimeFormat.format(s.to()));
                        break;
                    }
                }
            }
        }
    }
}
