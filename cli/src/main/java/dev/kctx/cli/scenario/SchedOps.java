package dev.kctx.cli.scenario;

import dev.kctx.actors.sched.Policy;
import dev.kctx.mechanisms.sched.SchedCalls;
import dev.kctx.mechanisms.sched.SchedUser;
import dev.kctx.mechanisms.user.Sys;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scheduling operations: the system calls a process makes ({@code sched_setscheduler},
 * {@code sched_setattr}, {@code nice}, {@code sched_setaffinity}, {@code sched_yield}), each
 * followed by perror's line when the kernel refused it, and the helpers kernel code calls on its
 * own thread ({@code sched_set_fifo}, {@code sched_set_fifo_low}, {@code sched_set_normal}). The
 * arguments are checked here only for their form: what the kernel refuses (a bad priority, an
 * empty mask, a missing privilege) is the call's errno at run time. Also the parsers of a policy
 * and a CPU list, which the task attributes share.
 */
public final class SchedOps {
    public static final List<String> SETSCHEDULER_KEYS = List.of("pid", "policy", "priority");
    public static final List<String> SETATTR_KEYS = List.of("pid", "policy", "priority", "nice");
    public static final List<String> SETAFFINITY_KEYS = List.of("pid", "cpus");
    /** CPU_SETSIZE: the CPUs a cpu_set_t can name. */
    static final int CPU_SETSIZE = 1024;
    static final String POLICY_USAGE = "normal, batch, idle, fifo or rr (any case, SCHED_ prefix allowed; other = normal)";
    /** The policies by the names chrt(1) and the man pages use, lower case, without SCHED_. */
    private static final Map<String, Policy> POLICIES = new LinkedHashMap<>();
    /** bitmap_parselist's ranges, without the stride form: {@code 0-3}, {@code 6}. */
    private static final Pattern RANGE = Pattern.compile("\\s*([0-9]{1,9})\\s*(?:-\\s*([0-9]{1,9})\\s*)?");

    static {
        POLICIES.put("normal", Policy.NORMAL);
        POLICIES.put("other", Policy.NORMAL);
        POLICIES.put("batch", Policy.BATCH);
        POLICIES.put("idle", Policy.IDLE);
        POLICIES.put("fifo", Policy.FIFO);
        POLICIES.put("rr", Policy.RR);
    }

    private SchedOps() {
    }

    static void registerAll(OpRegistry r) {
        r.register("sched_setscheduler", "sched_setscheduler: {pid: 0, policy: fifo, priority: 50}", OpRegistry.USER,
                SchedOps::setscheduler);
        r.register("sched_setattr", "sched_setattr: {pid: 0, policy: normal, nice: -5}", OpRegistry.USER,
                SchedOps::setattr);
        r.register("nice", "nice: INCREMENT", OpRegistry.USER, SchedOps::nice);
        r.register("sched_setaffinity", "sched_setaffinity: {pid: 0, cpus: \"0-3\"}", OpRegistry.USER,
                SchedOps::setaffinity);
        r.register("sched_yield", "sched_yield", OpRegistry.USER, (a, o) -> {
            a.none();
            a.context().syscall("sched_yield");
            SchedUser.yield().forEach(o::op);
        });
        r.register("sched_set_fifo", "sched_set_fifo", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.op(SchedCalls.schedSetFifo());
        });
        r.register("sched_set_fifo_low", "sched_set_fifo_low", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.op(SchedCalls.schedSetFifoLow());
        });
        r.register("sched_set_normal", "sched_set_normal: NICE", OpRegistry.KERNEL,
                (a, o) -> o.op(SchedCalls.schedSetNormal((int) a.integer("sched_set_normal: NICE",
                        SchedCalls.MIN_NICE, SchedCalls.MAX_NICE))));
    }

    private static void setscheduler(OpArg a, OpSink o) {
        Fields f = a.fields("sched_setscheduler: {pid: 0, policy: fifo, priority: 50}", SETSCHEDULER_KEYS);
        int pid = pid(f);
        int policy = policyNumber(f.req("policy", "fifo | rr | normal | batch | idle"));
        int priority = f.opt("priority").map(n -> int32(n, "sched_setscheduler priority")).orElse(0);
        a.context().syscall("sched_setscheduler");
        SchedUser.setscheduler(pid, policy, priority).forEach(o::op);
        o.op(Sys.perror("sched_setscheduler"));
    }

    private static void setattr(OpArg a, OpSink o) {
        Fields f = a.fields("sched_setattr: {pid: 0, policy: normal, priority: 0, nice: -5}", SETATTR_KEYS);
        int pid = pid(f);
        int policy = policyNumber(f.req("policy", "normal | batch | idle | fifo | rr"));
        int priority = f.opt("priority").map(n -> int32(n, "sched_setattr priority")).orElse(0);
        int nice = f.opt("nice").map(n -> int32(n, "sched_setattr nice")).orElse(0);
        a.context().syscall("sched_setattr");
        SchedUser.setattr(pid, policy, priority, nice).forEach(o::op);
        o.op(Sys.perror("sched_setattr"));
    }

    /** nice(3): an increment; the kernel clamps the result to -20..19. */
    private static void nice(OpArg a, OpSink o) {
        int incr = int32(a.value("nice: INCREMENT"), "nice");
        a.context().syscall("getpriority");
        a.context().syscall("setpriority");
        SchedUser.nice(incr).forEach(o::op);
        o.op(Sys.perror("nice"));
    }

    private static void setaffinity(OpArg a, OpSink o) {
        Fields f = a.fields("sched_setaffinity: {pid: 0, cpus: \"0-3\"}", SETAFFINITY_KEYS);
        int pid = pid(f);
        BitSet mask = cpuList(f.req("cpus", "a list of CPUs such as [0, 1], or \"0-3,6\""), "sched_setaffinity cpus",
                CPU_SETSIZE, true, "the CPUs a cpu_set_t holds, 0.." + (CPU_SETSIZE - 1));
        a.context().syscall("sched_setaffinity");
        SchedUser.setaffinity(pid, mask).forEach(o::op);
        o.op(Sys.perror("sched_setaffinity"));
    }

    /** {@code pid:} of a scheduling call: any pid_t, 0 (the default) for the caller; the kernel judges the rest. */
    private static int pid(Fields f) {
        return f.opt("pid").map(n -> int32(n, f.where().replace("'", "") + " pid")).orElse(0);
    }

    private static int int32(Node n, String what) {
        return (int) Values.integer(n, what, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * A policy by name: normal (other), batch, idle, fifo, rr, in any case, with or without
     * {@code SCHED_}.
     */
    static Policy policy(Node n, String what) {
        String s = Values.string(n, what);
        Policy p = POLICIES.get(normalise(s));
        if (p == null) {
            String near = Errors.nearest(normalise(s), POLICIES.keySet());
            throw new ScenarioError(n.loc(), "unknown " + what + " '" + Errors.clip(s) + "'"
                    + (near == null ? "" : " (did you mean '" + near + "'?)"), "one of " + POLICY_USAGE);
        }
        return p;
    }

    /** A system call's policy: a name, or the number the program passes (one the kernel does not know is its EINVAL). */
    static int policyNumber(Node n) {
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.INT) {
            return int32(n, "policy");
        }
        return policy(n, "policy").number();
    }

    private static String normalise(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        return t.startsWith("sched_") ? t.substring(6) : t;
    }

    /**
     * A CPU list: {@code [0, 2]}, one number, or the kernel's cpulist text {@code "0-3,6"}
     * (bitmap_parselist, without strides). Each CPU is below {@code limit}.
     *
     * @param allowEmpty whether no CPU at all is a valid input (a system call's mask: the kernel answers EINVAL)
     * @param range      what the valid CPUs are, for errors
     */
    static BitSet cpuList(Node n, String what, int limit, boolean allowEmpty, String range) {
        String expected = "a list of CPU numbers such as [0, 1], or a range list such as \"0-3,6\" (" + range + ")";
        BitSet b = new BitSet();
        if (n instanceof Node.SeqNode seq) {
            for (Node c : seq.items()) {
                b.set(cpu(c, what, limit, range));
            }
        } else if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.INT) {
            b.set(cpu(n, what, limit, range));
        } else if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.STRING) {
            String text = s.text();
            if (!text.isBlank()) {
                for (String part : text.split(",", -1)) {
                    Matcher m = RANGE.matcher(part);
                    if (!m.matches()) {
                        throw new ScenarioError(n.loc(), what + " '" + Errors.clip(text) + "' is not a CPU list", expected);
                    }
                    int lo = Integer.parseInt(m.group(1));
                    int hi = m.group(2) == null ? lo : Integer.parseInt(m.group(2));
                    if (hi < lo) {
                        throw new ScenarioError(n.loc(), what + " '" + Errors.clip(text) + "' has the range " + lo + "-" + hi
                                + ", which ends before it starts", expected);
                    }
                    if (hi >= limit) {
                        throw new ScenarioError(n.loc(), what + " '" + Errors.clip(text) + "' names CPU " + hi + ", out of range",
                                expected);
                    }
                    b.set(lo, hi + 1);
                }
            }
        } else {
            throw Values.wrongType(n, what, expected);
        }
        if (b.isEmpty() && !allowEmpty) {
            throw new ScenarioError(n.loc(), what + " names no CPU (sched_setaffinity answers EINVAL for an empty mask)",
                    "at least one CPU: " + expected);
        }
        return b;
    }

    private static int cpu(Node c, String what, int limit, String range) {
        if (!(c instanceof Node.ScalarNode s) || s.kind() != Node.ScalarKind.INT) {
            throw Values.wrongType(c, "a CPU in " + what, "a CPU number (" + range + ")");
        }
        return (int) Values.integer(c, "a CPU in " + what, 0, limit - 1);
    }

    /** The CPUs of {@code b} as a cpulist, {@code 0-3,6}. */
    static String cpulist(BitSet b) {
        StringBuilder sb = new StringBuilder();
        for (int lo = b.nextSetBit(0); lo >= 0; ) {
            int hi = b.nextClearBit(lo) - 1;
            sb.append(sb.isEmpty() ? "" : ",").append(lo).append(lo == hi ? "" : "-" + hi);
            lo = b.nextSetBit(hi + 1);
        }
        return sb.toString();
    }
}
