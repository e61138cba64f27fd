package dev.kctx.actors;

import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.sched.SchedSettings;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a machine run needs: CPUs, scheduler settings, seed, and the contexts with their
 * bodies. The YAML scenario front end produces the same record. {@code perturbation} moves the run
 * off its default schedule ({@link Perturbation#NONE} keeps it).
 */
public record MachineSpec(String name, int cpus, Preempt preempt, SchedSettings sched, long seed,
                          boolean softirqDeferToKsoftirqd, Map<String, LockType> locks, List<Irq> irqs,
                          Map<SoftirqVector, Program> softirqs, List<Task> kthreads, List<Task> processes,
                          Watchdogs watchdogs, Map<String, Integer> semaphoreCounts, List<Boot<?>> boot, Faults faults,
                          Map<String, Program> tasklets, Perturbation perturbation) {

    /**
     * Faults to inject, each with a seeded probability: GFP_ATOMIC allocations that fail, IRQ
     * arrivals that are lost, and spurious IRQ arrivals (per line, per virtual second).
     */
    public record Faults(double gfpAtomicFailRate, double irqLossRate, double spuriousIrqsPerSecond) {
        public static final Faults NONE = new Faults(0, 0, 0);

        public Faults {
            if (!(gfpAtomicFailRate >= 0 && gfpAtomicFailRate <= 1) || !(irqLossRate >= 0 && irqLossRate <= 1)) {
                throw new IllegalArgumentException("fault rates are probabilities between 0 and 1");
            }
            if (!(spuriousIrqsPerSecond >= 0) || Double.isInfinite(spuriousIrqsPerSecond)) {
                throw new IllegalArgumentException("spurious IRQs per second must be a non-negative number");
            }
        }
    }

    /**
     * Machine-wide state a mechanism needs at boot (its registry, the modules on disk), made fresh
     * for every run by {@code factory} and reachable from operations through
     * {@link dev.kctx.actors.program.KernelObjects#extension}.
     */
    public record Boot<T>(Class<T> key, java.util.function.Supplier<? extends T> factory) {
    }

    /** The kernel's default watchdog_thresh: 10 s; a soft lockup is reported after twice that. */
    public static final long DEFAULT_WATCHDOG_THRESH_NS = Watchdogs.DEFAULT.threshNs();

    /**
     * The kernel's lockup and hung-task detectors and their sysctls (Linux 6.6,
     * Documentation/admin-guide/sysctl/kernel.rst): {@code enabled} is kernel.watchdog (0 is the
     * nowatchdog boot option: neither lockup detector runs); {@code threshNs} is
     * kernel.watchdog_thresh (10 s: a hard lockup after about that long with interrupts off, a
     * soft lockup after twice it without a reschedule); {@code softPanic} and {@code hardPanic}
     * are kernel.softlockup_panic and hardlockup_panic (the kernel panics after the report; the
     * run stops there); {@code hungTimeoutNs} is kernel.hung_task_timeout_secs (120 s; 0 turns
     * khungtaskd's check off), {@code hungPanic} kernel.hung_task_panic and {@code hungWarnings}
     * kernel.hung_task_warnings (10 reports, then silence; -1 for no limit).
     */
    public record Watchdogs(boolean enabled, long threshNs, boolean softPanic, boolean hardPanic, long hungTimeoutNs,
                            boolean hungPanic, int hungWarnings) {
        /** The kernel's defaults (CONFIG_BOOTPARAM_*_PANIC off, as distributions build it). */
        public static final Watchdogs DEFAULT = new Watchdogs(true, 10_000_000_000L, false, false, 120_000_000_000L,
                false, 10);

        public Watchdogs {
            if (threshNs <= 0) {
                throw new IllegalArgumentException("watchdog threshold must be positive");
            }
            if (hungTimeoutNs < 0) {
                throw new IllegalArgumentException("hung_task_timeout must not be negative");
            }
            if (hungWarnings < -1) {
                throw new IllegalArgumentException("hung_task_warnings is -1 (no limit) or a count");
            }
        }

        public Watchdogs withThresh(long ns) {
            return new Watchdogs(enabled, ns, softPanic, hardPanic, hungTimeoutNs, hungPanic, hungWarnings);
        }

        public Watchdogs withEnabled(boolean on) {
            return new Watchdogs(on, threshNs, softPanic, hardPanic, hungTimeoutNs, hungPanic, hungWarnings);
        }

        public Watchdogs withPanics(boolean soft, boolean hard, boolean hung) {
            return new Watchdogs(enabled, threshNs, soft, hard, hungTimeoutNs, hung, hungWarnings);
        }

        public Watchdogs withHungTask(long timeoutNs, int warnings) {
            return new Watchdogs(enabled, threshNs, softPanic, hardPanic, timeoutNs, hungPanic, warnings);
        }
    }

    /** kernel.watchdog_thresh. */
    public long watchdogThreshNs() {
        return watchdogs.threshNs();
    }

    /**
     * Kernel preemption model (CONFIG_PREEMPT_*, or preempt= with PREEMPT_DYNAMIC): NONE lets
     * kernel code keep the CPU until it sleeps, calls cond_resched or returns to user mode;
     * VOLUNTARY also reschedules at might_sleep points (might_resched); FULL preempts kernel code
     * whenever preempt_count is zero and interrupts are on. User code is preempted in all three.
     */
    public enum Preempt { NONE, VOLUNTARY, FULL }

    /**
     * One hard interrupt line. With a {@code thread} body it is a threaded interrupt
     * (request_threaded_irq, kernel/irq/manage.c): {@code handler} is the primary handler, run in
     * hard IRQ context, which wakes the kernel thread irq/LINE-NAME (SCHED_FIFO 50, as
     * setup_irq_thread makes it via sched_set_fifo) to run {@code thread} in process context, where
     * it may sleep. With {@code oneshot} (IRQF_ONESHOT) the line stays masked from the primary
     * handler's end until the thread has finished (irq_finalize_oneshot); an arrival meanwhile is
     * kept pending and delivered at the unmask.
     */
    public record Irq(String name, int line, List<Integer> cpus, Arrivals arrivals, Program handler, Program thread,
                      boolean oneshot, boolean nmi) {
        public Irq {
            cpus = List.copyOf(cpus);
            if (cpus.isEmpty()) {
                throw new IllegalArgumentException("irq " + name + " needs at least one CPU in its affinity");
            }
            if (thread == null && oneshot) {
                throw new IllegalArgumentException("irq " + name + ": IRQF_ONESHOT needs a threaded handler");
            }
            if (nmi && thread != null) {
                throw new IllegalArgumentException("irq " + name + ": an NMI handler cannot be threaded (request_nmi refuses IRQF_ONESHOT and threads)");
            }
        }

        public Irq(String name, int line, List<Integer> cpus, Arrivals arrivals, Program handler, Program thread,
                   boolean oneshot) {
            this(name, line, cpus, arrivals, handler, thread, oneshot, false);
        }

        /**
         * An NMI source: {@code handler} runs in NMI context (nmi_enter, in_nmi()) at each arrival,
         * whatever the CPU's IRQ state, nested over a running hard IRQ handler; NMIs do not nest.
         */
        public static Irq nmi(String name, int line, List<Integer> cpus, Arrivals arrivals, Program handler) {
            return new Irq(name, line, cpus, arrivals, handler, null, false, true);
        }

        public Irq(String name, int line, List<Integer> cpus, Arrivals arrivals, Program handler) {
            this(name, line, cpus, arrivals, handler, null, false);
        }

        /** The irq thread's comm, as setup_irq_thread names it: irq/LINE-NAME, cut to TASK_COMM_LEN - 1. */
        public String threadName() {
            String n = "irq/" + line + "-" + name;
            return n.length() > 15 ? n.substring(0, 15) : n;
        }
    }

    /**
     * A kernel thread or user process. {@code cpu} is the CPU it starts on, -1 to spread the tasks
     * round-robin; pid 0 means "assign". {@code allowed} is its cpus_allowed (sched_setaffinity):
     * empty means the CPU it was given when that is set (a pinned task, as taskset -c does), else
     * every CPU. {@code attr} is its policy, RT priority and nice value.
     */
    public record Task(String name, int cpu, long startNs, Program body, int pid, SchedAttr attr, List<Integer> allowed) {
        public Task {
            java.util.Objects.requireNonNull(attr, "attr");
            allowed = List.copyOf(allowed);
        }

        public Task(String name, int cpu, long startNs, Program body, int pid) {
            this(name, cpu, startNs, body, pid, SchedAttr.DEFAULT, List.of());
        }

        /** The CPUs the task may use on a machine of {@code cpus} CPUs. */
        public java.util.BitSet affinity(int cpus) {
            java.util.BitSet b = new java.util.BitSet(cpus);
            if (!allowed.isEmpty()) {
                allowed.forEach(b::set);
            } else if (cpu >= 0) {
                b.set(cpu);
            } else {
                b.set(0, cpus);
            }
            return b;
        }
    }

    /** A machine on its default schedule. */
    public MachineSpec(String name, int cpus, Preempt preempt, SchedSettings sched, long seed,
                       boolean softirqDeferToKsoftirqd, Map<String, LockType> locks, List<Irq> irqs,
                       Map<SoftirqVector, Program> softirqs, List<Task> kthreads, List<Task> processes,
                       Watchdogs watchdogs, Map<String, Integer> semaphoreCounts, List<Boot<?>> boot, Faults faults,
                       Map<String, Program> tasklets) {
        this(name, cpus, preempt, sched, seed, softirqDeferToKsoftirqd, locks, irqs, softirqs, kthreads, processes,
                watchdogs, semaphoreCounts, boot, faults, tasklets, Perturbation.NONE);
    }

    public MachineSpec {
        java.util.Objects.requireNonNull(perturbation, "perturbation");
        if (cpus < 1 || cpus > 4096) {
            throw new IllegalArgumentException("cpus must be between 1 and 4096, not " + cpus);
        }
        java.util.Objects.requireNonNull(sched, "sched");
        java.util.Objects.requireNonNull(watchdogs, "watchdogs");
        locks = Map.copyOf(locks);
        semaphoreCounts = Map.copyOf(semaphoreCounts);
        boot = List.copyOf(boot);
        java.util.Objects.requireNonNull(faults, "faults");
        tasklets = Map.copyOf(tasklets);
        for (var e : semaphoreCounts.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("semaphore " + e.getKey() + " needs a count of at least 0");
            }
        }
        irqs = List.copyOf(irqs);
        softirqs = Map.copyOf(softirqs);
        kthreads = List.copyOf(kthreads);
        processes = List.copyOf(processes);
        for (Irq irq : irqs) {
            for (int c : irq.cpus()) {
                if (c < 0 || c >= cpus) {
                    throw new IllegalArgumentException("irq " + irq.name() + " has CPU " + c + " in its affinity; the machine has CPUs 0.." + (cpus - 1));
                }
            }
        }
        if (!tasklets.isEmpty() && softirqs.containsKey(SoftirqVector.TASKLET)) {
            throw new IllegalArgumentException("TASKLET_SOFTIRQ runs the tasklets; it cannot have a handler of its own too");
        }
        for (String shifted : perturbation.irqShiftsNs().keySet()) {
            if (irqs.stream().noneMatch(i -> i.name().equals(shifted))) {
                throw new IllegalArgumentException("the perturbation shifts irq " + shifted + ", which the machine does not have");
            }
        }
        java.util.Set<Integer> lines = new java.util.HashSet<>();
        for (Irq irq : irqs) {
            if (!lines.add(irq.line())) {
                throw new IllegalArgumentException("irq line " + irq.line() + " is declared twice");
            }
        }
        java.util.Set<Integer> pids = new java.util.HashSet<>();
        for (Task t : kthreads) {
            checkCpu(t, cpus);
            checkTask(t, pids);
        }
        for (Task t : processes) {
            checkTask(t, pids);
        }
        for (Task t : processes) {
            checkCpu(t, cpus);
            if (!t.body().userModeOnly()) {
                throw new IllegalArgumentException("process " + t.name() + " runs kernel operations in user mode; put them inside a syscall");
            }
        }
    }

    private static void checkTask(Task t, java.util.Set<Integer> pids) {
        if (t.startNs() < 0) {
            throw new IllegalArgumentException(t.name() + " starts at a negative time");
        }
        if (t.pid() < 0) {
            throw new IllegalArgumentException(t.name() + " has a negative pid");
        }
        if (t.pid() > 0 && !pids.add(t.pid())) {
            throw new IllegalArgumentException("pid " + t.pid() + " is used twice");
        }
    }

    private static void checkCpu(Task t, int cpus) {
        if (t.cpu() < -1 || t.cpu() >= cpus) {
            throw new IllegalArgumentException(t.name() + " is pinned to CPU " + t.cpu() + "; the machine has CPUs 0.." + (cpus - 1));
        }
        for (int c : t.allowed()) {
            if (c < 0 || c >= cpus) {
                throw new IllegalArgumentException(t.name() + " has CPU " + c + " in its cpus_allowed; the machine has CPUs 0.." + (cpus - 1));
            }
        }
        if (t.cpu() >= 0 && !t.allowed().isEmpty() && !t.allowed().contains(t.cpu())) {
            throw new IllegalArgumentException(t.name() + " starts on CPU " + t.cpu() + ", which is not in its cpus_allowed " + t.allowed());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when some context runs a Java handler: only then is the JVM-level blocking check needed. */
    public boolean hasJavaHandlers() {
        return irqs.stream().anyMatch(i -> i.handler().hasJavaHandler() || i.thread() != null && i.thread().hasJavaHandler())
                || softirqs.values().stream().anyMatch(Program::hasJavaHandler)
                || kthreads.stream().anyMatch(t -> t.body().hasJavaHandler())
                || processes.stream().anyMatch(t -> t.body().hasJavaHandler())
                || tasklets.values().stream().anyMatch(Program::hasJavaHandler);
    }

    /** The same machine with another seed. */
    public MachineSpec withSeed(long newSeed) {
        return new MachineSpec(name, cpus, preempt, sched, newSeed, softirqDeferToKsoftirqd, locks, irqs, softirqs,
                kthreads, processes, watchdogs, semaphoreCounts, boot, faults, tasklets, perturbation);
    }

    /** The same machine moved off its default schedule by {@code p}. */
    public MachineSpec withPerturbation(Perturbation p) {
        return new MachineSpec(name, cpus, preempt, sched, seed, softirqDeferToKsoftirqd, locks, irqs, softirqs,
                kthreads, processes, watchdogs, semaphoreCounts, boot, faults, tasklets, p);
    }

    /** The same machine with one more piece of boot-time state (see {@link Boot}), e.g. a test's observer. */
    public <T> MachineSpec withBoot(Class<T> key, java.util.function.Supplier<? extends T> factory) {
        List<Boot<?>> more = new ArrayList<>(boot);
        more.add(new Boot<>(key, factory));
        return new MachineSpec(name, cpus, preempt, sched, seed, softirqDeferToKsoftirqd, locks, irqs, softirqs,
                kthreads, processes, watchdogs, semaphoreCounts, more, faults, tasklets);
    }

    /** The same machine with these faults injected. */
    public MachineSpec withFaults(Faults newFaults) {
        return new MachineSpec(name, cpus, preempt, sched, seed, softirqDeferToKsoftirqd, locks, irqs, softirqs,
                kthreads, processes, watchdogs, semaphoreCounts, boot, newFaults, tasklets, perturbation);
    }

    /** The same machine with these locks and contexts (what a front end builds after the settings). */
    public MachineSpec withContexts(String newName, Map<String, LockType> newLocks, List<Irq> newIrqs,
                                    Map<SoftirqVector, Program> newSoftirqs, List<Task> newKthreads, List<Task> newProcesses) {
        return new MachineSpec(newName, cpus, preempt, sched, seed, softirqDeferToKsoftirqd, newLocks, newIrqs,
                newSoftirqs, newKthreads, newProcesses, watchdogs, semaphoreCounts, boot, faults, tasklets, perturbation);
    }

    /** Fluent construction with the defaults: 1 CPU, preempt none, the kernel's scheduler defaults for the CPU count, seed 1. */
    public static final class Builder {
        private String name = "machine";
        private int cpus = 1;
        private Preempt preempt = Preempt.NONE;
        /** 0: the kernel's default for the CPU count. */
        private long baseSlice;
        private int hz = SchedSettings.DEFAULT_HZ;
        private long rtRuntime = SchedSettings.DEFAULT_RT_RUNTIME_NS;
        private long rtPeriod = SchedSettings.DEFAULT_RT_PERIOD_NS;
        private long seed = 1;
        private boolean defer;
        private Watchdogs watchdogs = Watchdogs.DEFAULT;
        private final Map<String, Integer> semaphoreCounts = new LinkedHashMap<>();
        private final List<Boot<?>> boot = new ArrayList<>();
        private Faults faults = Faults.NONE;
        private final Map<String, Program> tasklets = new LinkedHashMap<>();

        /** A tasklet (DECLARE_TASKLET): its handler runs in soft IRQ context on the CPU that scheduled it. */
        public Builder tasklet(String taskletName, Program handler) {
            if (tasklets.putIfAbsent(taskletName, handler) != null) {
                throw new IllegalArgumentException("tasklet " + taskletName + " is declared twice");
            }
            return this;
        }

        public Builder faults(Faults f) {
            faults = f;
            return this;
        }

        /** Boot-time state of a mechanism, created fresh for each run. */
        public <T> Builder boot(Class<T> key, java.util.function.Supplier<? extends T> factory) {
            boot.add(new Boot<>(key, factory));
            return this;
        }
        private final Map<String, LockType> locks = new LinkedHashMap<>();
        private final Map<String, String> lockClasses = new LinkedHashMap<>();
        private final List<Irq> irqs = new ArrayList<>();
        private final Map<SoftirqVector, Program> softirqs = new EnumMap<>(SoftirqVector.class);
        private final List<Task> kthreads = new ArrayList<>();
        private final List<Task> processes = new ArrayList<>();

        public Builder name(String n) {
            name = n;
            return this;
        }

        public Builder cpus(int n) {
            cpus = n;
            return this;
        }

        public Builder preempt(Preempt p) {
            preempt = p;
            return this;
        }

        /** sysctl_sched_base_slice: the fair class's request size (EEVDF's r_i); default 0.75 ms * (1 + ilog2(min(cpus, 8))). */
        public Builder baseSlice(long ns) {
            if (ns <= 0) {
                throw new IllegalArgumentException("the base slice must be positive");
            }
            baseSlice = ns;
            return this;
        }

        /** CONFIG_HZ: the scheduler tick's rate (100, 250, 300 or 1000; default 250). */
        public Builder hz(int h) {
            hz = h;
            return this;
        }

        /** sched_rt_runtime_us in ns, -1 for no RT throttling (default 950 ms). */
        public Builder rtRuntime(long ns) {
            rtRuntime = ns;
            return this;
        }

        /** sched_rt_period_us in ns (default 1 s). */
        public Builder rtPeriod(long ns) {
            rtPeriod = ns;
            return this;
        }

        public Builder kthread(Task t) {
            kthreads.add(t);
            return this;
        }

        public Builder process(Task t) {
            processes.add(t);
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** Kernels 4.9 to 6.4: while ksoftirqd is runnable, irq_exit leaves soft IRQs to it. */
        public Builder softirqDeferToKsoftirqd(boolean d) {
            defer = d;
            return this;
        }

        /** kernel.watchdog_thresh: a hard lockup after about this long with IRQs off, a soft lockup after twice it. */
        public Builder watchdogThresh(long ns) {
            watchdogs = watchdogs.withThresh(ns);
            return this;
        }

        /** The lockup and hung-task detectors' settings as a whole. */
        public Builder watchdogs(Watchdogs w) {
            watchdogs = java.util.Objects.requireNonNull(w, "watchdogs");
            return this;
        }

        /** A counting semaphore (sema_init) with its initial count. */
        public Builder semaphore(String semName, int count) {
            locks.put(semName, LockType.SEMAPHORE);
            semaphoreCounts.put(semName, count);
            return this;
        }

        public Builder lock(String lockName, LockType type) {
            LockType was = locks.putIfAbsent(lockName, type);
            if (was != null && was != type) {
                throw new IllegalArgumentException("lock " + lockName + " is declared as " + was + " and as " + type);
            }
            return this;
        }

        /**
         * Puts a declared lock in lockdep class {@code lockClass} (lockdep_set_class, or locks
         * initialised at one site): locks of one class are one node of the dependency graph, so
         * nesting two of them without a subclass annotation is recursive locking.
         */
        public Builder lockClass(String lockName, String lockClass) {
            if (!locks.containsKey(lockName)) {
                throw new IllegalArgumentException("lock " + lockName + " is not declared");
            }
            lockClasses.put(lockName, lockClass);
            return this;
        }

        public Builder irq(String irqName, int line, List<Integer> affinity, Arrivals arrivals, Program handler) {
            irqs.add(new Irq(irqName, line, affinity, arrivals, handler));
            return this;
        }

        /**
         * An NMI source (register_nmi_handler): {@code handler} runs in NMI context at each arrival,
         * whatever the IRQ state of the CPU, nested over a running hard IRQ handler; see {@link Irq#nmi}.
         */
        public Builder nmi(String nmiName, int line, List<Integer> affinity, Arrivals arrivals, Program handler) {
            irqs.add(Irq.nmi(nmiName, line, affinity, arrivals, handler));
            return this;
        }

        /**
         * A threaded interrupt (request_threaded_irq): {@code primary} in hard IRQ context (an empty
         * program is irq_default_primary_handler), then {@code thread} in irq/LINE-NAME at SCHED_FIFO 50.
         */
        public Builder threadedIrq(String irqName, int line, List<Integer> affinity, Arrivals arrivals, Program primary,
                                   Program thread, boolean oneshot) {
            irqs.add(new Irq(irqName, line, affinity, arrivals, primary, thread, oneshot));
            return this;
        }

        public Builder softirq(SoftirqVector v, Program handler) {
            if (softirqs.putIfAbsent(v, handler) != null) {
                throw new IllegalArgumentException("soft IRQ " + v + " has two handlers");
            }
            return this;
        }

        public Builder kthread(String threadName, int cpu, long startNs, Program body) {
            kthreads.add(new Task(threadName, cpu, startNs, body, 0));
            return this;
        }

        public Builder kthread(String threadName, int cpu, long startNs, Program body, int pid) {
            kthreads.add(new Task(threadName, cpu, startNs, body, pid));
            return this;
        }

        public Builder process(String procName, int cpu, long startNs, Program body) {
            processes.add(new Task(procName, cpu, startNs, body, 0));
            return this;
        }

        public Builder process(String procName, int cpu, long startNs, Program body, int pid) {
            processes.add(new Task(procName, cpu, startNs, body, pid));
            return this;
        }

        public MachineSpec build() {
            if (cpus < 1 || cpus > 4096) {
                throw new IllegalArgumentException("cpus must be between 1 and 4096, not " + cpus);
            }
            SchedSettings sched = new SchedSettings(hz, baseSlice > 0 ? baseSlice : SchedSettings.defaultBaseSlice(cpus),
                    rtRuntime, rtPeriod);
            List<Boot<?>> boots = new ArrayList<>(boot);
            if (!lockClasses.isEmpty()) {
                dev.kctx.actors.program.LockClasses classes = new dev.kctx.actors.program.LockClasses(lockClasses);
                boots.add(new Boot<>(dev.kctx.actors.program.LockClasses.class, () -> classes));
            }
            return new MachineSpec(name, cpus, preempt, sched, seed, defer, locks, irqs, softirqs, kthreads, processes,
                    watchdogs, semaphoreCounts, boots, faults, tasklets);
        }
    }
}
