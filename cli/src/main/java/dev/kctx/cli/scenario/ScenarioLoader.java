package dev.kctx.cli.scenario;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.program.Syscalls;
import dev.kctx.actors.sched.Policy;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.sched.SchedSettings;
import dev.kctx.contexts.Durations;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.TimeFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a scenario file into a {@link Scenario}: YAML through {@link SafeYaml}, then every section
 * checked and converted, so that whatever reaches the engine is valid. Any problem is a
 * {@link ScenarioError} naming the line and column and what would have been valid.
 */
public final class ScenarioLoader implements OpArg.Context {
    public static final List<String> SECTIONS = List.of("name", "description", "machine", "modules", "locks", "irqs",
            "softirqs", "tasklets", "works", "kthreads", "processes", "faults", "run", "expect", "perturb");
    public static final int MAX_CPUS = 256;
    /** TASK_COMM_LEN - 1: the longest task name the kernel keeps. */
    public static final int MAX_TASK_NAME = 15;
    public static final int MAX_NAME = 32;
    /** Most operations in one scenario (after aliases): bounds the work a file can ask for at load time. */
    public static final int MAX_OPS = 50_000;
    /** The kernel's RESERVED_PIDS and PID_MAX_LIMIT: explicit pids lie between them. */
    static final int MIN_PID = 300;
    static final int MAX_PID = 4_194_304;
    static final long DEFAULT_UNTIL = Durations.ms(10);
    /** The names the engine gives its counters ({@code faults.gfp_atomic_failed}, {@code irq.merged}, ...). */
    private static final java.util.regex.Pattern COUNTER = java.util.regex.Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_]+){0,3}");

    private static final Map<String, MachineSpec.Preempt> PREEMPT = new LinkedHashMap<>(Map.of("none",
            MachineSpec.Preempt.NONE));
    /** {@code time_slice} is the old name of {@code base_slice}, still read. */
    public static final List<String> MACHINE_KEYS = List.of("cpus", "preempt", "time_slice", "seed", "softirq_defer",
            "watchdog_thresh", "hz", "base_slice", "rt_runtime", "rt_period", "watchdog", "softlockup_panic",
            "hardlockup_panic", "hung_task_timeout", "hung_task_panic", "hung_task_warnings");
    /** CONFIG_HZ's choices (kernel/Kconfig.hz). */
    static final List<Integer> HZ = List.of(100, 250, 300, 1000);
    /** Most kernel threads and processes in one scenario, after {@code count}: bounds the machine a short file can ask for. */
    public static final int MAX_TASKS = 100_000;
    /** The largest initial count of a semaphore (the kernel's is an unsigned int; the engine's an int). */
    static final int MAX_SEMAPHORE_COUNT = Integer.MAX_VALUE;

    static {
        PREEMPT.put("voluntary", MachineSpec.Preempt.VOLUNTARY);
        PREEMPT.put("full", MachineSpec.Preempt.FULL);
    }

    private final OpRegistry registry;
    private final Map<String, LockType> locks = new LinkedHashMap<>();
    /** Locks with a declared lockdep class ({@code class:}), by lock name. */
    private final Map<String, String> lockClasses = new LinkedHashMap<>();
    private final Map<String, Integer> semaphores = new LinkedHashMap<>();
    private final Map<Integer, String> syscalls = new TreeMap<>();
    private final Set<String> programs = new java.util.TreeSet<>();
    /** The tasklets declared under {@code tasklets:}, known before any body is read. */
    private final Set<String> tasklets = new LinkedHashSet<>();
    /** The work items declared under {@code works:}, known before any body is read. */
    private final Set<String> works = new LinkedHashSet<>();
    private boolean shell;
    private int ops;

    private ScenarioLoader(OpRegistry registry) {
        this.registry = registry;
    }

    /** Reads and loads {@code file}; the scenario's default name is the file name without extension. */
    public static Scenario load(Path file) {
        return load(file, OpRegistry.standard());
    }

    public static Scenario load(Path file, OpRegistry registry) {
        String base = file.getFileName() == null ? "scenario" : file.getFileName().toString();
        return load(ScenarioInput.read(file), defaultName(base), registry);
    }

    /**
     * Loads {@code file} as the command line names it: a path, or {@code -} for standard input
     * (read from {@code stdin}, named {@code stdin}).
     */
    public static Scenario load(String file, java.io.InputStream stdin) {
        if (ScenarioInput.STDIN.equals(file)) {
            return load(ScenarioInput.read(stdin), "stdin", OpRegistry.standard());
        }
        return load(Path.of(file));
    }

    /** The name a scenario read from a file named {@code base} gets without a {@code name:}: the name without extension. */
    public static String defaultName(String base) {
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    public static Scenario load(String text, String defaultName) {
        return load(text, defaultName, OpRegistry.standard());
    }

    public static Scenario load(String text, String defaultName, OpRegistry registry) {
        Node root = SafeYaml.parse(text);
        if (root == null) {
            throw new ScenarioError(Node.Loc.START, "the scenario is empty",
                    "a mapping with the sections " + String.join(", ", SECTIONS));
        }
        return new ScenarioLoader(registry).scenario(root, defaultName);
    }

    // ---- sections ----

    private Scenario scenario(Node root, String defaultName) {
        Fields top = Fields.of(root, "the scenario", SECTIONS);
        String name = top.opt("name").map(n -> Values.name(n, "name", 64)).orElse(safeName(defaultName));
        String description = top.opt("description").map(n -> Values.string(n, "description")).orElse("");

        MachineSpec.Builder b = MachineSpec.builder().name(name);
        int cpus = machine(top.opt("machine"), b);
        Optional<ModulesSection.Declared> modules = top.opt("modules").map(ModulesSection::parse);
        modules.ifPresent(d -> {
            programs.addAll(d.programNames());
            d.boot(b, cpus);
        });
        Optional<Node.MapNode> worksNode = top.opt("works").map(this::workNames);
        Map<String, List<Op>> workBodies = new LinkedHashMap<>();
        if (worksNode.isPresent()) {
            // The system workqueue's worker, unless a module (the upcall helper) already runs it.
            boolean present = b.build().kthreads().stream().anyMatch(t -> t.name().startsWith("kworker/"));
            dev.kctx.mechanisms.deferred.Workqueue.declare(b, 0, present, workBodies);
        }
        // What built-in modules add to the machine (the timer tick, their kernel threads): the
        // scenario's own contexts come after them and must not take their lines or vectors.
        MachineSpec builtin = b.build();
        top.opt("locks").ifPresent(this::locks);
        locks.forEach(b::lock);
        semaphores.forEach(b::semaphore);
        lockClasses.forEach(b::lockClass);

        Optional<Node.MapNode> taskletsNode = top.opt("tasklets").map(this::taskletNames);
        List<MachineSpec.Irq> irqs = new ArrayList<>(builtin.irqs());
        top.opt("irqs").ifPresent(n -> irqs.addAll(irqs(n, cpus, builtin.irqs())));
        Map<SoftirqVector, Program> softirqs = new EnumMap<>(SoftirqVector.class);
        softirqs.putAll(builtin.softirqs());
        top.opt("softirqs").ifPresent(n -> softirqs.putAll(softirqs(n, builtin.softirqs().keySet())));
        if (taskletsNode.isPresent()) {
            if (softirqs.containsKey(SoftirqVector.TASKLET) && !tasklets.isEmpty()) {
                throw new ScenarioError(top.keyLoc("tasklets"), "TASKLET_SOFTIRQ runs the tasklets and also has a handler under 'softirqs:'",
                        "either 'tasklets:' or a TASKLET handler under 'softirqs:'");
            }
            taskletBodies(taskletsNode.get(), b);
        }
        worksNode.ifPresent(m -> m.entries().forEach(e -> workBodies.put(e.key(),
                body(e.value(), BodyKind.KTHREAD, "work " + e.key()))));
        Set<String> taskNames = new HashSet<>();
        builtin.kthreads().forEach(t -> taskNames.add(t.name()));
        List<MachineSpec.Task> kthreads = new ArrayList<>(builtin.kthreads());
        top.opt("kthreads").ifPresent(n -> kthreads.addAll(tasks(n, "kthreads", cpus, taskNames, 0)));
        List<MachineSpec.Task> processes = top.opt("processes").map(n -> tasks(n, "processes", cpus, taskNames, kthreads.size()))
                .orElse(List.of());
        top.opt("faults").ifPresent(n -> b.faults(FaultsSection.parse(n)));
        long until = top.opt("run").map(this::run).orElse(DEFAULT_UNTIL);
        Map<Integer, String> declaredPids = new java.util.TreeMap<>();
        processes.stream().filter(t -> t.pid() != 0).forEach(t -> declaredPids.put(t.pid(), t.name()));
        Optional<Expect> expect = top.opt("expect").map(n -> expect(n, declaredPids));

        if (modules.isEmpty() && shell) {
            // A shell without modules still has the module loader (insmod answers "No such file").
            ModulesSection.Declared.NONE.boot(b, cpus);
        }
        List<MachineSpec.Task> startedKthreads = kthreads;
        List<MachineSpec.Task> startedProcesses = processes;
        dev.kctx.actors.Perturbation perturbation = dev.kctx.actors.Perturbation.NONE;
        Optional<Node> perturbNode = top.opt("perturb");
        if (perturbNode.isPresent()) {
            Set<String> irqNames = new java.util.TreeSet<>();
            irqs.forEach(i -> irqNames.add(i.name()));
            Set<String> allTasks = new java.util.TreeSet<>(taskNames);
            PerturbSection.Pinned pinned = PerturbSection.parse(perturbNode.get(), irqNames, allTasks);
            pinned.seed().ifPresent(b::seed);
            startedKthreads = PerturbSection.shiftStarts(kthreads, pinned.startShiftsNs());
            startedProcesses = PerturbSection.shiftStarts(processes, pinned.startShiftsNs());
            perturbation = pinned.perturbation();
        }
        MachineSpec base = b.build();
        MachineSpec spec;
        try {
            spec = base.withContexts(name, locks, irqs, softirqs, startedKthreads, startedProcesses).withPerturbation(perturbation);
        } catch (IllegalArgumentException e) {
            // Everything the constructor checks is checked above with a location; this is a safety net.
            throw new ScenarioError(top.loc(), "invalid machine: " + e.getMessage(), "a consistent scenario");
        }
        Set<String> processNames = new LinkedHashSet<>();
        processes.forEach(t -> processNames.add(t.name()));
        return new Scenario(name, description, spec, until, expect, processNames, syscalls);
    }

    private static String safeName(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_.+:-]", "_");
        return t.isEmpty() ? "scenario" : t.length() > 64 ? t.substring(0, 64) : t;
    }

    /**
     * The machine section: CPUs, the preemption model, the scheduler's tunables (CONFIG_HZ,
     * sysctl_sched_base_slice, sched_rt_runtime_us and sched_rt_period_us) and the rest; answers
     * the CPU count.
     */
    private int machine(Optional<Node> node, MachineSpec.Builder b) {
        if (node.isEmpty()) {
            return 1;
        }
        Fields f = Fields.of(node.get(), "machine", MACHINE_KEYS);
        int cpus = (int) f.opt("cpus").map(n -> Values.integer(n, "cpus", 1, MAX_CPUS)).orElse(1L).longValue();
        b.cpus(cpus);
        f.opt("preempt").ifPresent(n -> b.preempt(Values.choice(n, "preempt model", PREEMPT)));
        f.opt("hz").ifPresent(n -> b.hz(hz(n)));
        if (f.opt("base_slice").isPresent() && f.opt("time_slice").isPresent()) {
            throw new ScenarioError(f.keyLoc("time_slice"), "'time_slice' is the old name of 'base_slice', and both are given",
                    "one of them, preferably 'base_slice'");
        }
        f.opt("base_slice").or(() -> f.opt("time_slice"))
                .ifPresent(n -> b.baseSlice(baseSlice(n, f.opt("base_slice").isPresent() ? "base_slice" : "time_slice")));
        long period = f.opt("rt_period").map(ScenarioLoader::rtPeriod).orElse(SchedSettings.DEFAULT_RT_PERIOD_NS);
        b.rtPeriod(period);
        f.opt("rt_runtime").ifPresent(n -> b.rtRuntime(rtRuntime(n, period, f.has("rt_period"))));
        if (f.opt("rt_runtime").isEmpty() && period < SchedSettings.DEFAULT_RT_RUNTIME_NS) {
            throw new ScenarioError(f.opt("rt_period").orElseThrow().loc(), "rt_period " + TimeFormat.format(period)
                    + " is shorter than the default rt_runtime (" + TimeFormat.format(SchedSettings.DEFAULT_RT_RUNTIME_NS)
                    + "); sched_rt_handler answers EINVAL",
                    "an 'rt_runtime:' up to the period as well, e.g. rt_runtime: " + TimeFormat.format(period * 95 / 100) + ", or -1");
        }
        f.opt("seed").ifPresent(n -> b.seed(Values.integer(n, "seed", Long.MIN_VALUE, Long.MAX_VALUE)));
        f.opt("softirq_defer").ifPresent(n -> b.softirqDeferToKsoftirqd(Values.bool(n, "softirq_defer")));
        b.watchdogs(watchdogs(f));
        return cpus;
    }

    /**
     * The lockup and hung-task detectors' sysctls (MachineSpec.Watchdogs): kernel.watchdog,
     * watchdog_thresh, softlockup_panic, hardlockup_panic, hung_task_timeout_secs (0 turns the
     * check off), hung_task_panic and hung_task_warnings (-1: no limit).
     */
    private static MachineSpec.Watchdogs watchdogs(Fields f) {
        MachineSpec.Watchdogs w = MachineSpec.Watchdogs.DEFAULT;
        if (f.has("watchdog")) {
            w = w.withEnabled(Values.bool(f.opt("watchdog").orElseThrow(), "watchdog"));
        }
        if (f.has("watchdog_thresh")) {
            w = w.withThresh(Values.positiveDuration(f.opt("watchdog_thresh").orElseThrow(), "watchdog_thresh"));
        }
        boolean soft = f.opt("softlockup_panic").map(n -> Values.bool(n, "softlockup_panic")).orElse(w.softPanic());
        boolean hard = f.opt("hardlockup_panic").map(n -> Values.bool(n, "hardlockup_panic")).orElse(w.hardPanic());
        boolean hung = f.opt("hung_task_panic").map(n -> Values.bool(n, "hung_task_panic")).orElse(w.hungPanic());
        w = w.withPanics(soft, hard, hung);
        long timeout = f.opt("hung_task_timeout").map(n -> Values.duration(n, "hung_task_timeout")).orElse(w.hungTimeoutNs());
        long warnings = f.opt("hung_task_warnings")
                .map(n -> Values.integer(n, "hung_task_warnings", -1, Integer.MAX_VALUE)).orElse((long) w.hungWarnings());
        return w.withHungTask(timeout, (int) warnings);
    }

    /** CONFIG_HZ: 100, 250, 300 or 1000 (kernel/Kconfig.hz). */
    private static int hz(Node n) {
        long hz = Values.integer(n, "hz", 1, 1_000_000);
        if (!HZ.contains((int) hz)) {
            throw new ScenarioError(n.loc(), "hz " + hz + " is not a CONFIG_HZ choice", "one of 100, 250, 300, 1000");
        }
        return (int) hz;
    }

    /** sysctl_sched_base_slice, within the bounds the engine's scheduler accepts (SchedSettings). */
    private static long baseSlice(Node n, String key) {
        long ns = Values.positiveDuration(n, key);
        if (ns < Durations.us(100) || ns > Durations.ms(100)) {
            throw new ScenarioError(n.loc(), key + " " + Values.string(n, key) + " is out of range",
                    "a duration from 100us to 100ms (the default is 0.75ms * (1 + log2(min(cpus, 8))))");
        }
        return ns;
    }

    /** sched_rt_period_us: from 1 us to INT_MAX us (the sysctl's bounds, kernel/sched/rt.c). */
    private static long rtPeriod(Node n) {
        long ns = Values.positiveDuration(n, "rt_period");
        if (ns < Durations.us(1) || ns > Integer.MAX_VALUE * 1000L) {
            throw new ScenarioError(n.loc(), "rt_period " + Values.string(n, "rt_period") + " is out of range",
                    "a duration from 1us to " + Integer.MAX_VALUE + "us (sched_rt_period_us), e.g. 1s");
        }
        return ns;
    }

    /**
     * sched_rt_runtime_us: -1 (RUNTIME_INF: no RT throttling) or a duration up to the period;
     * sched_rt_handler answers EINVAL for a longer one.
     */
    private static long rtRuntime(Node n, long period, boolean periodGiven) {
        String expected = "-1 (no RT throttling) or a duration up to rt_period, e.g. 950ms";
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.INT) {
            if (!s.text().strip().equals("-1")) {
                throw new ScenarioError(n.loc(), "rt_runtime " + Errors.clip(s.text()) + " is neither -1 nor a duration", expected);
            }
            return -1;
        }
        long ns = Values.duration(n, "rt_runtime");
        if (ns > period) {
            throw new ScenarioError(n.loc(), "rt_runtime " + Values.string(n, "rt_runtime") + " is longer than rt_period ("
                    + TimeFormat.format(period) + (periodGiven ? "" : ", the default") + "); sched_rt_handler answers EINVAL", expected);
        }
        return ns;
    }

    private void locks(Node node) {
        Node.MapNode m = Values.map(node, "locks", "lock names and their types, e.g. 'L: spinlock'");
        Map<String, LockType> types = new LinkedHashMap<>();
        for (LockType t : LockType.values()) {
            types.put(t.name().toLowerCase(Locale.ROOT), t);
        }
        for (Node.Entry e : m.entries()) {
            String name = Values.name(new Node.ScalarNode(e.keyLoc(), Node.ScalarKind.STRING, e.key()), "lock name", MAX_NAME);
            if (e.value() instanceof Node.MapNode mn && mn.entries().stream().anyMatch(k -> k.key().equals("type"))) {
                // {type: T, class: C}: the lock in lockdep class C (lockdep_set_class, or locks
                // initialised at one site, which share that site's static lock_class_key).
                Fields f = Fields.of(e.value(), "lock " + name, List.of("type", "class"));
                Node typeNode = f.req("type", "TYPE");
                String typeName = Values.string(typeNode, "lock type");
                LockType t = types.get(typeName);
                if (t == null || t == LockType.SEMAPHORE) {
                    throw new ScenarioError(typeNode.loc(), t == null ? Errors.unknown("lock type", typeName, types.keySet())
                            : "a counting semaphore has no lockdep class (the kernel does not track struct semaphore)",
                            "one of spinlock, rwlock, mutex, rwsem");
                }
                locks.put(name, t);
                f.opt("class").ifPresent(c -> lockClasses.put(name, Values.name(c, "lock class", MAX_NAME)));
                continue;
            }
            if (e.value() instanceof Node.MapNode) {
                // {semaphore: N}: sema_init(&name, N).
                for (Node.Entry k : ((Node.MapNode) e.value()).entries()) {
                    if (!k.key().equals("semaphore")) {
                        throw new ScenarioError(k.keyLoc(), "unknown key '" + Errors.clip(k.key()) + "' in lock " + name
                                + " (a semaphore takes its count; other locks take {type: TYPE, class: CLASS})",
                                "'" + name + ": {semaphore: COUNT}', '" + name + ": {type: TYPE, class: CLASS}', or '" + name
                                        + ": TYPE' with TYPE " + Errors.oneOf(types.keySet()));
                    }
                }
                Fields f = Fields.of(e.value(), "lock " + name, List.of("semaphore"));
                long count = Values.integer(f.req("semaphore", "COUNT"), "semaphore count", 0, MAX_SEMAPHORE_COUNT);
                locks.put(name, LockType.SEMAPHORE);
                semaphores.put(name, (int) count);
                continue;
            }
            String typeName = Values.string(e.value(), "lock type");
            LockType t = types.get(typeName);
            if (t == null) {
                throw new ScenarioError(e.value().loc(), Errors.unknown("lock type", typeName, types.keySet()),
                        Errors.oneOf(types.keySet()) + ", or {semaphore: COUNT}");
            }
            locks.put(name, t);
            if (t == LockType.SEMAPHORE) {
                // DEFINE_SEMAPHORE(name, 1): a semaphore without a count is a binary one.
                semaphores.put(name, 1);
            }
        }
    }

    private List<MachineSpec.Irq> irqs(Node node, int cpus, List<MachineSpec.Irq> builtin) {
        Node.SeqNode s = Values.seq(node, "irqs", "interrupt lines, each '- {name: nic, line: 11, ...}'");
        List<MachineSpec.Irq> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        builtin.forEach(i -> names.add(i.name()));
        Map<Integer, String> lines = new TreeMap<>();
        builtin.forEach(i -> lines.put(i.line(), i.name()));
        for (Node item : s.items()) {
            Fields f = Fields.of(item, "irq", List.of("name", "line", "cpus", "arrivals", "handler", "thread", "oneshot", "nmi"));
            Node nameNode = f.req("name", "NAME");
            String name = Values.name(nameNode, "irq name", MAX_NAME);
            if (!names.add(name)) {
                throw new ScenarioError(nameNode.loc(), "a second irq named '" + name + "'", "a unique name per irq");
            }
            Node lineNode = f.req("line", "NUMBER");
            int line = (int) Values.integer(lineNode, "irq line", 0, 1023);
            String taken = lines.putIfAbsent(line, name);
            if (taken != null) {
                throw new ScenarioError(lineNode.loc(), "irq line " + line + " is already " + taken + "'s",
                        "a line no other irq uses (the built-in modules' timer tick takes line 0)");
            }
            List<Integer> affinity = new ArrayList<>();
            Optional<Node> cpusNode = f.opt("cpus");
            if (cpusNode.isPresent()) {
                Node.SeqNode cs = Values.seq(cpusNode.get(), "irq cpus", "CPU numbers, e.g. [0, 1]");
                if (cs.items().isEmpty()) {
                    throw new ScenarioError(cs.loc(), "irq cpus is empty", "at least one CPU number, e.g. [0]");
                }
                for (Node c : cs.items()) {
                    affinity.add((int) Values.integer(c, "irq cpu", 0, cpus - 1));
                }
            } else {
                affinity.add(0);
            }
            Arrivals arrivals = arrivals(f.req("arrivals", "{every: 1ms}"));
            Optional<Node> threadNode = f.opt("thread");
            Optional<Node> nmiNode = f.opt("nmi");
            if (nmiNode.isPresent() && Values.bool(nmiNode.get(), "nmi")) {
                // register_nmi_handler: an NMI source has one handler, run in NMI context, never threaded
                threadNode.ifPresent(n -> {
                    throw new ScenarioError(n.loc(), "an NMI source cannot have a thread", "a 'handler:' only, or no 'nmi: true'");
                });
                f.opt("oneshot").ifPresent(n -> {
                    throw new ScenarioError(n.loc(), "oneshot on an NMI source", "no 'oneshot:' (NMIs are not masked lines)");
                });
                Program handler = program(f.req("handler", "[OPERATIONS]"), BodyKind.HARDIRQ, "nmi " + name + " handler", 1);
                out.add(MachineSpec.Irq.nmi(name, line, affinity, arrivals, handler));
                continue;
            }
            if (threadNode.isEmpty()) {
                f.opt("oneshot").ifPresent(n -> {
                    throw new ScenarioError(n.loc(), "oneshot without a thread", "a 'thread:' body (request_threaded_irq), or no 'oneshot:'");
                });
                Program handler = program(f.req("handler", "[OPERATIONS]"), BodyKind.HARDIRQ, "irq " + name + " handler", 1);
                out.add(new MachineSpec.Irq(name, line, affinity, arrivals, handler));
                continue;
            }
            // request_threaded_irq: no handler is irq_default_primary_handler, which only wakes the thread
            Program primary = f.opt("handler").map(n -> program(n, BodyKind.HARDIRQ, "irq " + name + " handler", 1))
                    .orElse(new Program(List.of(), 1));
            Program thread = program(threadNode.get(), BodyKind.KTHREAD, "irq " + name + " thread", 1);
            boolean oneshot = f.opt("oneshot").map(n -> Values.bool(n, "oneshot")).orElse(true);
            out.add(new MachineSpec.Irq(name, line, affinity, arrivals, primary, thread, oneshot));
        }
        return out;
    }

    private Arrivals arrivals(Node node) {
        Node.MapNode m = Values.map(node, "arrivals", "one of 'at: [TIMES]', 'every: DURATION', 'rate: PER_SECOND'");
        Set<String> present = new LinkedHashSet<>();
        for (Node.Entry e : m.entries()) {
            if (List.of("at", "every", "rate").contains(e.key())) {
                present.add(e.key());
            }
        }
        if (present.size() != 1) {
            Node.Loc loc = m.entries().isEmpty() ? m.loc() : m.entries().get(present.size() > 1 ? 1 : 0).keyLoc();
            throw new ScenarioError(loc, present.isEmpty() ? "arrivals say neither 'at', 'every' nor 'rate'"
                    : "arrivals give more than one of " + String.join(", ", present),
                    "exactly one of 'at: [TIMES]', 'every: DURATION', 'rate: PER_SECOND'");
        }
        String kind = present.iterator().next();
        if (kind.equals("at")) {
            Fields f = Fields.of(node, "arrivals", List.of("at"));
            Node.SeqNode s = Values.seq(f.req("at", "[TIMES]"), "at", "virtual times, e.g. [100us, 2ms]");
            List<Long> times = new ArrayList<>();
            for (Node t : s.items()) {
                long v = Values.duration(t, "arrival time");
                if (!times.isEmpty() && v < times.get(times.size() - 1)) {
                    throw new ScenarioError(t.loc(), "arrival time " + Values.string(t, "") + " is before the one before it",
                            "ascending times");
                }
                times.add(v);
            }
            return new Arrivals.At(times);
        }
        Fields f = Fields.of(node, "arrivals", List.of(kind, "count", "start"));
        long count = f.opt("count").map(n -> Values.integer(n, "count", 0, Long.MAX_VALUE / 4)).orElse(-1L);
        long start = f.opt("start").map(n -> Values.duration(n, "start")).orElse(0L);
        if (kind.equals("every")) {
            return new Arrivals.Every(Values.positiveDuration(f.req("every", "DURATION"), "every"), count, start);
        }
        // At least one arrival per 1000 virtual seconds on average, so that gaps stay far from overflow.
        double rate = Values.number(f.req("rate", "PER_SECOND"), "rate", 0.001, 1e9);
        return new Arrivals.Rate(rate, count, start);
    }

    private Map<SoftirqVector, Program> softirqs(Node node, Set<SoftirqVector> builtin) {
        Node.MapNode m = Values.map(node, "softirqs", "soft IRQ vectors and their handlers, e.g. 'NET_RX: [...]'");
        Map<SoftirqVector, Program> out = new EnumMap<>(SoftirqVector.class);
        Map<String, SoftirqVector> vectors = OpArg.vectors();
        for (Node.Entry e : m.entries()) {
            SoftirqVector v = vectors.get(e.key());
            if (v == null) {
                throw new ScenarioError(e.keyLoc(), Errors.unknown("soft IRQ vector", e.key(), vectors.keySet()),
                        Errors.oneOf(vectors.keySet()));
            }
            if (builtin.contains(v)) {
                throw new ScenarioError(e.keyLoc(), "soft IRQ " + v + " runs what a module needs (a built-in's kernel timers,"
                        + " a declared netlink input)", "another vector, or no module that needs it");
            }
            out.put(v, program(e.value(), BodyKind.SOFTIRQ, "softirq " + v, 1));
        }
        return out;
    }

    /** The tasklet names, first, so that any body may schedule any tasklet (a tasklet itself included). */
    private Node.MapNode taskletNames(Node node) {
        return names(node, "tasklets", "tasklet names and their handlers, e.g. 'rx_done: [- compute: 5us]'",
                tasklets, "tasklet", "tasklet");
    }

    /** The work item names, first, so that any body may queue or flush any work (a work itself included). */
    private Node.MapNode workNames(Node node) {
        return names(node, "works", "work item names and their functions, e.g. 'refresh: [- mutex_lock: cfg]'",
                works, "work", "work item");
    }

    /** The keys of section {@code what} (a map as {@code expected} says), each a name added to {@code into} once. */
    private static Node.MapNode names(Node node, String what, String expected, Set<String> into, String item, String per) {
        Node.MapNode m = Values.map(node, what, expected);
        for (Node.Entry e : m.entries()) {
            String name = Values.name(new Node.ScalarNode(e.keyLoc(), Node.ScalarKind.STRING, e.key()), item + " name", MAX_NAME);
            if (!into.add(name)) {
                throw new ScenarioError(e.keyLoc(), "a second " + item + " named '" + name + "'", "a unique name per " + per);
            }
        }
        return m;
    }

    /** DECLARE_TASKLET(name, func): the handler runs in soft IRQ context (TASKLET_SOFTIRQ), never on two CPUs at once. */
    private void taskletBodies(Node.MapNode m, MachineSpec.Builder b) {
        for (Node.Entry e : m.entries()) {
            b.tasklet(e.key(), program(e.value(), BodyKind.SOFTIRQ, "tasklet " + e.key(), 1));
        }
    }

    /**
     * The kernel threads or processes of one section. {@code count: N} makes N tasks NAME-0 ..
     * NAME-(N-1) of one body, with pids PID, PID+1, ... when a pid is given; {@code policy},
     * {@code priority}, {@code nice} and {@code cpus} are what sched_setattr and sched_setaffinity
     * would set, refused here where the kernel would answer EINVAL.
     */
    private List<MachineSpec.Task> tasks(Node node, String section, int cpus, Set<String> taskNames, int kthreadCount) {
        boolean user = section.equals("processes");
        String what = user ? "process" : "kthread";
        Node.SeqNode s = Values.seq(node, section, section + ", each '- {name: worker, body: [...]}'");
        List<String> keys = user ? List.of("name", "count", "cpu", "cpus", "start", "repeat", "pid", "policy", "priority", "nice", "body")
                : List.of("name", "count", "cpu", "cpus", "start", "repeat", "policy", "priority", "nice", "body");
        List<MachineSpec.Task> out = new ArrayList<>();
        Map<Integer, Node> explicitPids = new LinkedHashMap<>();
        int autoPids = 0;
        for (Node item : s.items()) {
            Fields f = Fields.of(item, what, keys);
            Node nameNode = f.req("name", "NAME");
            String name = Values.name(nameNode, what + " name", MAX_TASK_NAME);
            Optional<Node> countNode = f.opt("count");
            int count = countNode.map(n -> (int) Values.integer(n, what + " count", 1, MAX_TASKS)).orElse(1);
            if (taskNames.size() + count > MAX_TASKS) {
                throw new ScenarioError(countNode.map(Node::loc).orElse(nameNode.loc()), "more than " + MAX_TASKS
                        + " kernel threads and processes", "a smaller scenario");
            }
            List<String> names = taskNames(name, count, nameNode);
            for (String n : names) {
                if (!taskNames.add(n)) {
                    throw new ScenarioError(nameNode.loc(), "a second task named '" + n + "'",
                            "a unique name per kthread and process");
                }
            }
            Optional<Node> cpuNode = f.opt("cpu");
            int cpu = (int) cpuNode.map(n -> Values.integer(n, what + " cpu", 0, cpus - 1)).orElse(-1L).longValue();
            List<Integer> allowed = List.of();
            Optional<Node> cpusNode = f.opt("cpus");
            if (cpusNode.isPresent()) {
                java.util.BitSet mask = SchedOps.cpuList(cpusNode.get(), what + " cpus", cpus, false,
                        "CPUs of this machine: 0.." + (cpus - 1));
                if (cpu >= 0 && !mask.get(cpu)) {
                    throw new ScenarioError(cpuNode.orElseThrow().loc(), what + " cpu " + cpu + " is not in its cpus ("
                            + SchedOps.cpulist(mask) + ")", "a CPU from its cpus, or no 'cpu:' (the tasks then spread over them)");
                }
                allowed = mask.stream().boxed().toList();
            }
            SchedAttr attr = schedAttr(f, what);
            long start = f.opt("start").map(n -> Values.duration(n, "start")).orElse(0L);
            long repeat = f.opt("repeat").map(n -> StandardOps.count(n, "repeat")).orElse(1L);
            int pid = 0;
            Optional<Node> pidNode = f.opt("pid");
            if (pidNode.isPresent()) {
                pid = (int) Values.integer(pidNode.get(), "pid", MIN_PID, MAX_PID);
                if (pid + (long) count - 1 > MAX_PID) {
                    throw new ScenarioError(pidNode.get().loc(), "pids " + pid + ".." + (pid + (long) count - 1) + " go beyond "
                            + MAX_PID + " (PID_MAX_LIMIT)", "a pid up to " + (MAX_PID - count + 1) + " for " + count + " processes");
                }
                for (int i = 0; i < count; i++) {
                    if (explicitPids.putIfAbsent(pid + i, pidNode.get()) != null) {
                        throw new ScenarioError(pidNode.get().loc(), "pid " + (pid + i) + " is used twice", "a unique pid");
                    }
                }
            } else if (user) {
                autoPids += count;
            }
            // One body for all the tasks of a count: operations are immutable and shared.
            Program body = program(f.req("body", "[OPERATIONS]"), user ? BodyKind.USER : BodyKind.KTHREAD,
                    what + " " + name, repeat);
            for (int i = 0; i < count; i++) {
                out.add(new MachineSpec.Task(names.get(i), cpu, start, body, pid == 0 ? 0 : pid + i, attr, allowed));
            }
        }
        // The engine numbers ksoftirqd/N and kernel threads from 10 up and processes without a pid
        // from 1000 up; an explicit pid must not collide with either.
        int firstKthreadPid = 10 + cpus;
        int lastKthreadPid = firstKthreadPid + kthreadCount - 1;
        for (Map.Entry<Integer, Node> e : explicitPids.entrySet()) {
            int pid = e.getKey();
            if (pid >= firstKthreadPid && pid <= lastKthreadPid) {
                throw new ScenarioError(e.getValue().loc(), "pid " + pid + " is also given to a kernel thread",
                        "a pid above " + lastKthreadPid);
            }
            if (pid >= 1000 && pid < 1000 + autoPids) {
                throw new ScenarioError(e.getValue().loc(), "pid " + pid + " is also given to a process without a pid",
                        "a pid outside 1000.." + (1000 + autoPids - 1) + ", or pids for every process");
            }
        }
        return out;
    }

    /** NAME, or NAME-0 .. NAME-(count-1): each within TASK_COMM_LEN. */
    private static List<String> taskNames(String name, int count, Node nameNode) {
        if (count == 1) {
            return List.of(name);
        }
        String last = name + "-" + (count - 1);
        if (last.length() > MAX_TASK_NAME) {
            throw new ScenarioError(nameNode.loc(), "with count " + count + " the last task is named '" + last + "', longer than "
                    + MAX_TASK_NAME + " characters (TASK_COMM_LEN - 1)", "a name of at most "
                    + (MAX_TASK_NAME - last.length() + name.length()) + " characters for this count");
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(name + "-" + i);
        }
        return names;
    }

    /**
     * {@code policy}, {@code priority}, {@code nice}: what __sched_setscheduler accepts. An RT policy
     * (fifo, rr) needs rt_priority 1..99, the others take 0; nice is -20..19 (an RT task keeps it
     * for when it goes back to the fair class).
     */
    private static SchedAttr schedAttr(Fields f, String what) {
        Policy policy = f.opt("policy").map(n -> SchedOps.policy(n, what + " policy")).orElse(Policy.NORMAL);
        Optional<Node> priorityNode = f.opt("priority");
        int priority = priorityNode.map(n -> (int) Values.integer(n, what + " priority", 0, SchedAttr.MAX_RT_PRIO - 1)).orElse(0);
        if (policy.realtime() && priorityNode.isEmpty()) {
            throw new ScenarioError(f.keyLoc("policy"), policy.kernelName() + " needs a priority (rt_priority 1..99;"
                    + " sched_setscheduler answers EINVAL for 0)", "'priority: N' with N from 1 to 99, e.g. 'priority: 50'");
        }
        if (policy.realtime() && priority == 0) {
            throw new ScenarioError(priorityNode.orElseThrow().loc(), policy.kernelName() + " priority 0 is invalid"
                    + " (sched_setscheduler answers EINVAL)", "a priority from 1 to 99");
        }
        if (!policy.realtime() && priority != 0) {
            throw new ScenarioError(priorityNode.orElseThrow().loc(), "priority " + priority + " is for SCHED_FIFO and SCHED_RR; "
                    + policy.kernelName() + " takes 0 (sched_setscheduler answers EINVAL)",
                    "'policy: fifo' or 'policy: rr' with it, or no priority (the fair class orders by 'nice:')");
        }
        int nice = f.opt("nice").map(n -> (int) Values.integer(n, what + " nice", -20, 19)).orElse(0);
        return new SchedAttr(policy, priority, nice);
    }

    private long run(Node node) {
        Fields f = Fields.of(node, "run", List.of("until"));
        return f.opt("until").map(n -> Values.positiveDuration(n, "until")).orElse(DEFAULT_UNTIL);
    }

    private Expect expect(Node node, Map<Integer, String> declaredPids) {
        Map<String, Expect.Bound> boundKeys = Expect.boundKeys();
        List<String> keys = new ArrayList<>(List.of("clean", "reports"));
        keys.addAll(boundKeys.keySet());
        keys.add("console_contains");
        keys.add("dmesg_contains");
        keys.add("mechanisms");
        keys.add("counters");
        keys.add("tasks");
        Fields f = Fields.of(node, "expect", keys);
        Optional<Boolean> clean = f.opt("clean").map(n -> Values.bool(n, "clean"));
        Map<ReportKind, Expect.Range> reports = new LinkedHashMap<>();
        Optional<Node> rn = f.opt("reports");
        if (rn.isPresent()) {
            Node.MapNode m = Values.map(rn.get(), "expect reports", "report kinds and counts, e.g. 'sleep-in-atomic: 1'");
            Map<String, ReportKind> kinds = new LinkedHashMap<>();
            for (ReportKind k : ReportKind.values()) {
                kinds.put(k.id(), k);
            }
            for (Node.Entry e : m.entries()) {
                ReportKind k = kinds.get(e.key());
                if (k == null) {
                    throw new ScenarioError(e.keyLoc(), Errors.unknown("report kind", e.key(), kinds.keySet()),
                            Errors.oneOf(kinds.keySet()));
                }
                reports.put(k, range(e.value(), e.key()));
            }
            if (clean.orElse(false) && reports.values().stream().anyMatch(r -> r.max() > 0)) {
                throw new ScenarioError(f.keyLoc("clean"), "'clean: true' contradicts the expected reports",
                        "either 'clean: true' or 'reports:'");
            }
        }
        List<Expect.Bound> bounds = new ArrayList<>();
        for (Node.Entry e : f.entries()) {
            Expect.Bound b = boundKeys.get(e.key());
            if (b != null && !Values.isNull(e.value())) {
                bounds.add(new Expect.Bound(b.histo(), b.stat(), Values.duration(e.value(), e.key())));
            }
        }
        List<String> console = f.opt("console_contains").map(n -> texts(n, "console_contains", "the console")).orElse(List.of());
        List<String> dmesg = f.opt("dmesg_contains").map(n -> texts(n, "dmesg_contains", "the kernel log")).orElse(List.of());
        Map<String, Expect.Range> counters = new LinkedHashMap<>();
        f.opt("counters").ifPresent(countersNode -> {
            Node.MapNode m = Values.map(countersNode, "expect counters", "engine counters and their values, e.g. 'faults.irq_lost: {min: 1}'");
            for (Node.Entry e : m.entries()) {
                if (!COUNTER.matcher(e.key()).matches()) {
                    throw new ScenarioError(e.keyLoc(), "'" + Errors.clip(e.key()) + "' is not a counter name",
                            "a name like faults.irq_lost (lower-case words, digits, '.' and '_')");
                }
                if (!KernelObjects.COUNTERS.contains(e.key())) {
                    // A misspelt name would otherwise read as a counter that stayed 0.
                    throw new ScenarioError(e.keyLoc(), Errors.unknown("counter", e.key(), KernelObjects.COUNTERS),
                            Errors.oneOf(KernelObjects.COUNTERS) + " (the socket mechanisms' counters go under 'mechanisms:')");
                }
                counters.put(e.key(), range(e.value(), "counter " + e.key(), "a number, or {min: N, max: N}"));
            }
        });
        List<Expect.Count> counts = f.opt("mechanisms").map(ScenarioLoader::counts).orElse(List.of());
        List<Expect.TaskEnd> tasks = f.opt("tasks").map(n -> taskEnds(n, declaredPids)).orElse(List.of());
        return new Expect(clean, reports, bounds, console, counts, counters, tasks, dmesg);
    }

    /** {@code console_contains: [TEXT...]} and {@code dmesg_contains}: non-empty texts {@code where} must show. */
    private static List<String> texts(Node node, String key, String where) {
        List<String> out = new ArrayList<>();
        Node.SeqNode cs = Values.seq(node, key, "texts " + where + " must show, e.g. [\"Permission denied\"]");
        for (Node t : cs.items()) {
            if (!(t instanceof Node.ScalarNode sc) || sc.kind() == Node.ScalarKind.NULL) {
                throw Values.wrongType(t, "a " + key + " item", "a text, e.g. \"Permission denied\"");
            }
            if (sc.text().isEmpty()) {
                throw new ScenarioError(t.loc(), "a " + key + " item is empty", "a non-empty text " + where + " must show");
            }
            // Expect's verdict prints the text: no control characters (Values.string refuses them).
            out.add(Values.string(t, "a " + key + " item"));
        }
        return out;
    }

    /** {@code tasks: {4243: {signal: SIGKILL}, 4242: {exit: 0}, 4244: {state: D}}}: how declared processes ended. */
    private static List<Expect.TaskEnd> taskEnds(Node node, Map<Integer, String> declaredPids) {
        String pids = declaredPids.isEmpty() ? "none here: give the processes a 'pid:'"
                : String.join(", ", declaredPids.keySet().stream().map(String::valueOf).toList());
        Node.MapNode m = Values.map(node, "expect tasks", "pids and how they end, e.g. '4243: {signal: SIGKILL}'");
        List<Expect.TaskEnd> out = new ArrayList<>();
        for (Node.Entry e : m.entries()) {
            int pid;
            try {
                pid = Integer.parseInt(e.key());
            } catch (NumberFormatException x) {
                throw new ScenarioError(e.keyLoc(), "'" + Errors.clip(e.key()) + "' is not a pid",
                        "the pid of a process declared with 'pid:' (" + pids + ")");
            }
            if (!declaredPids.containsKey(pid)) {
                throw new ScenarioError(e.keyLoc(), "no process with pid " + pid + " is declared",
                        "the pid of a process declared with 'pid:' (" + pids + ")");
            }
            String usage = "{exit: N} | {signal: SIGKILL} | {state: R | S | D | X}";
            Fields f = Fields.of(e.value(), "expect tasks " + pid, Expect.TASK_KEYS);
            if (f.entries().isEmpty()) {
                throw new ScenarioError(e.value().loc(), "expect tasks " + pid + " expects nothing", usage);
            }
            Integer exit = f.opt("exit").map(n -> (int) Values.integer(n, "exit code", 0, 255)).orElse(null);
            Integer signal = f.opt("signal").map(n -> {
                int sig = KillOp.signal(n);
                if (sig == 0) {
                    throw new ScenarioError(n.loc(), "signal 0 kills nothing", "a signal name such as SIGKILL");
                }
                return sig;
            }).orElse(null);
            if (exit != null && signal != null) {
                throw new ScenarioError(f.keyLoc("signal"), "a process either exits or is killed, not both", usage);
            }
            Character state = f.opt("state").map(n -> {
                String s = Values.string(n, "task state");
                if (s.length() != 1 || Expect.TASK_STATES.indexOf(s.charAt(0)) < 0) {
                    throw new ScenarioError(n.loc(), "unknown task state '" + Errors.clip(s) + "'",
                            "R (runnable), S (interruptible sleep), D (uninterruptible sleep) or X (dead)");
                }
                return s.charAt(0);
            }).orElse(null);
            if (state != null && state != 'X' && (exit != null || signal != null)) {
                throw new ScenarioError(f.keyLoc("state"), "a process that exited is in state X, not " + state, usage);
            }
            out.add(new Expect.TaskEnd(pid, exit, signal, state));
        }
        return out;
    }

    /** {@code mechanisms: {netlink: {sent: 17, dropped: {ENOBUFS: 7}, errors: 0}}}: counters at the end of the run. */
    private static final String MESSAGES = "a number of messages, or {min: N, max: N}";

    private static List<Expect.Count> counts(Node node) {
        Node.MapNode m = Values.map(node, "expect mechanisms", "mechanisms and their counters, e.g. 'netlink: {sent: 3, dropped: 0}'");
        Map<String, String> mechanisms = new LinkedHashMap<>();
        Expect.MECHANISMS.forEach(x -> mechanisms.put(x, x));
        Map<String, dev.kctx.mechanisms.Errno> errnos = new LinkedHashMap<>();
        for (dev.kctx.mechanisms.Errno e : dev.kctx.mechanisms.Errno.values()) {
            errnos.put(e.name(), e);
        }
        List<Expect.Count> out = new ArrayList<>();
        for (Node.Entry e : m.entries()) {
            String mech = Values.choice(new Node.ScalarNode(e.keyLoc(), Node.ScalarKind.STRING, e.key()), "mechanism", mechanisms);
            Fields cf = Fields.of(e.value(), "the counters of " + mech, Expect.COUNTERS);
            for (Node.Entry c : cf.entries()) {
                boolean perErrno = c.key().equals("dropped") || c.key().equals("errors");
                if (perErrno && c.value() instanceof Node.MapNode byErrno && byErrno.entries().stream()
                        .noneMatch(x -> x.key().equals("min") || x.key().equals("max"))) {
                    for (Node.Entry x : byErrno.entries()) {
                        dev.kctx.mechanisms.Errno errno = Values.choice(
                                new Node.ScalarNode(x.keyLoc(), Node.ScalarKind.STRING, x.key()), "errno", errnos);
                        out.add(new Expect.Count(mech, c.key(), errno, range(x.value(), mech + " " + c.key() + " " + x.key(), MESSAGES)));
                    }
                } else {
                    out.add(new Expect.Count(mech, c.key(), null, range(c.value(), mech + " " + c.key(), c.key().equals("sent") || c.key().equals("delivered") || c.key().equals("in_flight")
                            ? MESSAGES : MESSAGES + ", or counts by errno, e.g. {ENOBUFS: 7}")));
                }
            }
        }
        return out;
    }

    private static Expect.Range range(Node n, String kind) {
        return range(n, kind, "a number of distinct reports, or {min: N, max: N}");
    }

    private static Expect.Range range(Node n, String kind, String expected) {
        if (n instanceof Node.MapNode) {
            Fields f = Fields.of(n, "the count of " + kind, List.of("min", "max"));
            long min = f.opt("min").map(v -> Values.integer(v, "min", 0, Long.MAX_VALUE)).orElse(0L);
            long max = f.opt("max").map(v -> Values.integer(v, "max", 0, Long.MAX_VALUE)).orElse(Long.MAX_VALUE);
            if (max < min) {
                throw new ScenarioError(f.keyLoc("max"), "max is below min", "max >= min");
            }
            return new Expect.Range(min, max);
        }
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.INT) {
            long v = Values.integer(n, "the count of " + kind, 0, Long.MAX_VALUE);
            return new Expect.Range(v, v);
        }
        throw Values.wrongType(n, "the count of " + kind, expected);
    }

    // ---- bodies ----

    private Program program(Node node, BodyKind kind, String where, long repeat) {
        return new Program(body(node, kind, where), repeat);
    }

    @Override
    public Map<String, LockType> locks() {
        return locks;
    }

    @Override
    public Set<String> tasklets() {
        return tasklets;
    }

    @Override
    public Set<String> works() {
        return works;
    }

    @Override
    public void syscall(String name) {
        syscalls.putIfAbsent(Syscalls.nr(name), name);
    }

    @Override
    public Set<String> programs() {
        return programs;
    }

    @Override
    public void shell() {
        if (!shell) {
            shell = true;
            // The system calls shell commands make, so that the outputs name them.
            for (String n : List.of("read", "write", "openat", "close", "lseek", "ioctl", "mkdir", "rmdir", "mknod",
                    "getdents64", "newfstatat", "init_module", "delete_module", "syslog", "setuid", "nanosleep", "reboot",
                    "execve")) {
                int nr = dev.kctx.mechanisms.syscall.SyscallTable.nr(n);
                if (nr >= 0) {
                    syscalls.putIfAbsent(nr, n);
                }
            }
        }
    }

    @Override
    public List<Op> body(Node node, BodyKind kind, String where) {
        Node.SeqNode s = Values.seq(node, "the body of " + where, "operations, e.g. '- compute: 5us'");
        if (s.items().isEmpty()) {
            throw new ScenarioError(s.loc(), "the body of " + where + " is empty", "at least one operation, e.g. '- compute: 5us'");
        }
        OpSink sink = new OpSink();
        for (Node item : s.items()) {
            op(item, kind, sink);
        }
        return List.copyOf(sink.list());
    }

    private void op(Node item, BodyKind kind, OpSink sink) {
        String name;
        Node.Loc nameLoc;
        Node value;
        if (item instanceof Node.ScalarNode sc && sc.kind() == Node.ScalarKind.STRING) {
            name = sc.text();
            nameLoc = sc.loc();
            value = null;
        } else if (item instanceof Node.MapNode m && m.entries().size() == 1) {
            Node.Entry e = m.entries().get(0);
            name = e.key();
            nameLoc = e.keyLoc();
            value = e.value();
        } else if (item instanceof Node.MapNode m && m.entries().size() > 1) {
            List<String> ks = m.entries().stream().map(Node.Entry::key).toList();
            throw new ScenarioError(m.entries().get(1).keyLoc(), "an operation with several keys (" + String.join(", ", ks)
                    + ")", "one operation per list item, e.g. '- msleep: 1ms'; arguments of syscall and loop go in a mapping under the operation");
        } else {
            throw Values.wrongType(item, "an operation", "an operation such as '- compute: 5us' or '- schedule'");
        }
        if (++ops > MAX_OPS) {
            throw new ScenarioError(nameLoc, "more than " + MAX_OPS + " operations", "a smaller scenario");
        }
        Optional<OpRegistry.OpDef> def = registry.get(name);
        if (def.isEmpty()) {
            List<String> valid = registry.namesFor(kind);
            throw new ScenarioError(nameLoc, Errors.unknown("operation", name, registry.names()), Errors.oneOf(valid));
        }
        OpRegistry.OpDef d = def.get();
        if (!d.allowedIn().contains(kind)) {
            String why = kind == BodyKind.USER
                    ? "'" + name + "' is kernel code; a user process runs it only inside a system call"
                    : d.allowedIn().equals(OpRegistry.USER) ? "'" + name + "' is made by user processes, not in " + kind.text()
                    : "'" + name + "' is not available in " + kind.text();
            String expected = kind == BodyKind.USER
                    ? "'- syscall: {name: NAME, body: [- " + name + ": ...]}', or one of " + String.join(", ", registry.namesFor(kind))
                    : Errors.oneOf(registry.namesFor(kind));
            throw new ScenarioError(nameLoc, why, expected);
        }
        d.parser().parse(new OpArg(name, value, nameLoc, kind, this), sink);
    }
}
