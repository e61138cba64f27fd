package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.MailboxSelector;
import akka.actor.typed.Props;
import akka.actor.typed.Signal;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractOnMessageBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import dev.kctx.actors.program.JvmBlockingCheck;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A machine: spawns its CPUs and context entities, owns the calendar and the virtual clock, and
 * runs the simulation in rounds. A round is every event of one instant; the CPUs of a round run
 * one after another in CPU order, and what a round produces for the same instant forms the next
 * round. The clock moves on only when a round has fully completed. That makes a run a function of
 * its spec and seed alone, whatever the dispatcher's thread count. Handlers never block, sleep,
 * start threads or read the wall clock. A test (the testkit) may start it stepped instead: it then
 * pauses between rounds and runs on only when told how far ({@link StartStepped}, {@link Advance});
 * where it pauses does not change the run.
 *
 * <p>It receives through one {@code onMessage} over the sealed {@link Command} rather than a
 * {@code ReceiveBuilder} table (STYLE.md rule 6): on the message path a {@link RoundDone} comes
 * for every CPU of every round, and the table's walk of class tests per message was measured on
 * that path (docs/performance-notes.md, section 8).
 */
public final class Machine extends AbstractOnMessageBehavior<Machine.Command> {

    /** Everything the machine accepts. */
    public sealed interface Command permits Start, Stop, RoundDone, CpuFinished, Continue, StartStepped, Advance,
            InjectIrq, InjectProcess {
    }

    /**
     * A test (the testkit) asks the machine to run until {@code untilNs} one step at a time: it arms
     * the calendar, runs nothing and answers {@link Paused} at 0 on {@code pausedTo}; each
     * {@link Advance} then runs a stretch. {@link Finished} goes to {@code replyTo} when the run ends.
     */
    public record StartStepped(long untilNs, ActorRef<Finished> replyTo, ActorRef<Paused> pausedTo) implements Command {
        public StartStepped {
            if (untilNs < 0 || untilNs >= Long.MAX_VALUE / 2) {
                throw new IllegalArgumentException("until must be a finite, non-negative virtual time");
            }
        }
    }

    /**
     * A test to a stepped machine: run every round at or before {@code toNs}, at most {@code maxRounds}
     * of them, then answer {@link Paused}. Only a paused machine takes it.
     */
    public record Advance(long toNs, long maxRounds) implements Command {
        public Advance {
            if (maxRounds <= 0) {
                throw new IllegalArgumentException("an advance runs at least one round");
            }
        }
    }

    /**
     * Machine to the test: it stopped between rounds; {@code lastRoundNs} is the instant of the last
     * round it ran (-1 before the first), {@code trace} and {@code reports} what the rounds since the
     * previous pause produced, {@code over} true once the run has ended (a {@link Finished} follows).
     */
    public record Paused(long lastRoundNs, List<TraceRecord> trace, List<Report> reports, boolean over) {
        public Paused {
            trace = List.copyOf(trace);
            reports = List.copyOf(reports);
        }
    }

    /**
     * A test to a paused machine: interrupt line {@code line} fires at {@code atNs} (not before the
     * last round run), on the line's first CPU, besides the arrivals the spec gives it.
     */
    public record InjectIrq(int line, long atNs) implements Command {
    }

    /**
     * A test to a paused machine: a user process {@code name} running {@code body} starts on
     * {@code cpu} at {@code atNs}, as fork() from the test would; its pid is answered on {@code replyTo}.
     */
    public record InjectProcess(String name, dev.kctx.actors.program.Program body, int cpu, long atNs,
                                ActorRef<Integer> replyTo) implements Command {
    }

    /** Machine to itself: run the next batch of rounds (it yields its thread between batches). */
    private enum Continue implements Command { INSTANCE }

    /**
     * A client asks the machine to run until virtual time {@code untilNs} and answer {@link Finished}.
     * {@code progress}, if not null, is told the virtual time reached now and then (from the
     * machine's thread; it must be quick and must not block).
     */
    public record Start(long untilNs, ActorRef<Finished> replyTo, java.util.function.LongConsumer progress,
                        long maxEvents) implements Command {
        public Start(long untilNs, ActorRef<Finished> replyTo) {
            this(untilNs, replyTo, null);
        }

        public Start(long untilNs, ActorRef<Finished> replyTo, java.util.function.LongConsumer progress) {
            this(untilNs, replyTo, progress, Long.MAX_VALUE);
        }

        /** {@code maxEvents}: the run stops cleanly, with what it has, at the first round boundary after that many events. */
        public Start {
            if (untilNs < 0 || untilNs >= Long.MAX_VALUE / 2) {
                throw new IllegalArgumentException("until must be a finite, non-negative virtual time");
            }
            if (maxEvents <= 0) {
                throw new IllegalArgumentException("the event budget must be positive");
            }
        }
    }

    /**
     * A client (the wall-clock budget of {@link Simulation}) asks a running machine to stop: it ends
     * after the round in progress and answers {@link Finished} with what it has, {@code why} as the budget.
     */
    public record Stop(String why) implements Command {
    }

    /** The answer to {@link Start}. */
    public record Finished(RunResult result) {
    }

    /**
     * Cpu to machine: its part of the round is done, with what it produced. The lists are the CPU's
     * own and it reuses them: they hold this round's output until the machine sends that CPU its
     * next round, so the machine copies what it keeps (it does, in {@code absorb}).
     */
    record RoundDone(int cpu, List<Cpu.Posted> posted, List<TraceRecord> trace, List<Report> reports,
                     List<String> dmesg, List<String> console, List<Cpu.Spawn> spawns, String failure,
                     String stop, Cpu.SettledStep settled) implements Command {
    }

    /** Cpu to machine: its statistics at the end of the run. */
    record CpuFinished(int cpu, CpuStats stats) implements Command {
    }

    /** The mailbox every CPU and context entity gets. */
    public static final MailboxSelector CONTEXT_MAILBOX = MailboxSelector.fromConfig("kctx.context-mailbox");

    /** How the machine spawns its CPUs and context entities: their mailbox, on the machine's own dispatcher. */
    private static final Props CHILD = CONTEXT_MAILBOX.withDispatcherSameAsParent();

    /**
     * The props to spawn a machine with under {@code config}: on the dispatcher {@code
     * kctx.engine.dispatcher} names (its actors follow it), so that with {@code machine} every
     * message between them stays on one thread.
     */
    public static Props props(Config config) {
        String d = config.getString("kctx.engine.dispatcher");
        // The level queue for the machine too: a plain FIFO for its unlevelled commands (LevelPriorityMailbox).
        return switch (d) {
            case "machine" -> CONTEXT_MAILBOX.withDispatcherFromConfig("kctx.engine.machine-dispatcher");
            case "default" -> CONTEXT_MAILBOX;
            default -> throw new IllegalArgumentException("kctx.engine.dispatcher must be machine or default, not " + d);
        };
    }

    private final MachineSpec spec;
    private final KernelObjects kernel;
    /** A test's hook on the actors the machine spawns (see {@link SpawnHook}), or null. */
    private final SpawnHook hook;
    private final List<ActorRef<Cpu.Command>> cpus = new ArrayList<>();
    /** The CPUs the machine runs itself (kctx.engine.inline-cpus); empty when they are actors. */
    private final List<Cpu> inlineCpus = new ArrayList<>();
    /** Rounds run per message when the machine runs the CPUs itself. */
    private final int roundsPerMessage;
    private final List<IrqLine> lines = new ArrayList<>();
    /** Per interrupt line, indexed by its source id (the lines take sources 0..n-1). */
    private final SplittableRandom[] arrivalRandom;
    private final int[] arrivalCount;
    private final MachineSpec.Irq[] irqSpecs;
    private final List<TaskControl> tasks = new ArrayList<>();
    /** Every task by pid, shared by the CPUs (tasks migrate). */
    private final Map<Integer, TaskControl> allTasks = new HashMap<>();
    private final Map<TaskControl, Long> startTimes = new HashMap<>();
    private final Calendar calendar;
    /** Per interrupt line: how far its arrivals are moved (the perturbation), and its last unmoved arrival. */
    private final long[] arrivalShift;
    private final long[] arrivalBase;
    /** Generator for processes started at run time, split in the order they are started. */
    private final SplittableRandom spawnRandom;
    private int nextSource;
    /** Decides injected IRQ faults, in calendar order. */
    private final SplittableRandom faultRandom;

    private long until;
    /** Stepped runs: whom to tell when paused (null: runs straight through), and the current stretch. */
    private ActorRef<Paused> pausedTo;
    private long pauseAfterNs = Long.MAX_VALUE;
    private long roundsLeft = Long.MAX_VALUE;
    private boolean paused;
    private int tracePausedAt;
    private int reportsPausedAt;
    private java.util.function.LongConsumer progress;
    private boolean answered;
    private ActorRef<Finished> replyTo;
    private long roundTime;
    private long rounds;
    private long events;
    /** The events of the current round per CPU, in calendar order, and the CPUs that have some. */
    private final List<List<Cpu.Event>> roundEvents = new ArrayList<>();
    /**
     * Stands in a CPU's part of the round for a step end that is the CPU's only event there and
     * not stale (see settleHeld); the step end itself is in {@code loneStepGen} and {@code
     * loneStepLevel}, and no record of it is made. Compared by identity, never handed to a CPU.
     */
    private static final Cpu.StepDone LONE_STEP_END = new Cpu.StepDone(0, -1, ContextLevel.KERNEL);
    private final long[] loneStepGen;
    private final ContextLevel[] loneStepLevel;
    /** Each CPU actor's {@link Cpu#settledStep()} from its last RoundDone (message path; inline CPUs are asked). */
    private final long[] settledStep;
    private final int[] roundCpus;
    private int roundCpuCount;
    private int nextRoundCpu;
    private String failure;
    private String stopped;
    private long maxEvents = Long.MAX_VALUE;
    /** Which budget ended the run early, or null. */
    private String budget;
    private final List<TraceRecord> trace = new ArrayList<>();
    private final List<Report> reports = new ArrayList<>();
    private final List<String> dmesg = new ArrayList<>();
    private final List<String> console = new ArrayList<>();
    private final CpuStats[] stats;
    private int finishedCpus;
    private long endTime;

    private Machine(ActorContext<Command> context, MachineSpec spec, boolean traceEnabled) {
        super(context);
        // BlockHound instruments the JDK once per JVM (about a second): only for specs with Java handlers.
        if (spec.hasJavaHandlers() && !JvmBlockingCheck.install()) {
            context.getLog().warn("JVM-level blocking check unavailable ({}); run the JVM with "
                    + "-XX:+AllowRedefinitionToAddDeleteMethods to enable it", JvmBlockingCheck.unavailableReason());
        }
        this.spec = spec;
        this.calendar = new Calendar(spec.perturbation().ties() == null ? null : spec.perturbation().ties().forCpus(spec.cpus()));
        this.stats = new CpuStats[spec.cpus()];
        this.kernel = new KernelObjects();
        kernel.atEnd(TaskTable.class, () -> TaskTable.of(kernel));
        Config config = context.getSystem().settings().config();
        boolean inline = config.getBoolean("kctx.engine.inline-bursts");
        // Running the CPUs in the machine needs their bursts inline too: nothing may wait for a message.
        boolean cpusInline = inline && config.getBoolean("kctx.engine.inline-cpus");
        this.roundsPerMessage = config.getInt("kctx.engine.rounds-per-message");
        this.roundCpus = new int[spec.cpus()];
        spec.locks().forEach(kernel::declareLock);
        this.faultRandom = new SplittableRandom(spec.seed() ^ 0x5DEECE66DL);
        kernel.injectAllocationFaults(spec.faults().gfpAtomicFailRate(), faultRandom.split());
        spec.semaphoreCounts().forEach((name, count) -> kernel.lock(name, KernelObjects.LockType.SEMAPHORE).setCount(count));
        for (MachineSpec.Boot<?> b : spec.boot()) {
            boot(kernel, b);
        }
        this.hook = kernel.existing(SpawnHook.class);
        SplittableRandom root = new SplittableRandom(spec.seed());
        arrivalRandom = new SplittableRandom[spec.irqs().size()];
        arrivalCount = new int[spec.irqs().size()];
        irqSpecs = new MachineSpec.Irq[spec.irqs().size()];
        arrivalShift = new long[spec.irqs().size()];
        loneStepGen = new long[spec.cpus()];
        loneStepLevel = new ContextLevel[spec.cpus()];
        settledStep = new long[spec.cpus()];
        Arrays.fill(settledStep, Cpu.KEEPS_STEP_ENDS);
        arrivalBase = new long[spec.irqs().size()];
        int source = 0;
        for (MachineSpec.Irq irq : spec.irqs()) {
            SplittableRandom arrivals = root.split();
            SplittableRandom handlerRandom = root.split();
            ContextCode code = ContextCode.of("hardirq " + irq.line() + " " + irq.name(), irq.handler(), handlerRandom);
            var ref = spawnEntity(HardIrq.create(code), "hardirq-" + irq.line() + "-" + safe(irq.name()));
            context.watch(ref);
            IrqLine line = new IrqLine(source++, irq.line(), irq.name(), irq.cpus(), ref, code, irq.thread() != null,
                    irq.oneshot(), irq.nmi());
            lines.add(line);
            irqSpecs[line.source()] = irq;
            arrivalRandom[line.source()] = arrivals;
            arrivalShift[line.source()] = spec.perturbation().irqShiftNs(irq.name());
        }
        Set<String> printedOnce = new HashSet<>();
        dev.kctx.actors.sched.RunQueue[] rqs = new dev.kctx.actors.sched.RunQueue[spec.cpus()];
        for (int c = 0; c < rqs.length; c++) {
            rqs[c] = new dev.kctx.actors.sched.RunQueue(c, spec.sched(), printedOnce);
        }
        // the CPUs' run queues, shared for wake-up placement and balancing
        var balance = new dev.kctx.actors.sched.Balance(rqs);
        int kernelPid = 10;
        Set<Integer> explicitPids = new HashSet<>();
        spec.kthreads().forEach(t -> explicitPids.add(t.pid()));
        spec.processes().forEach(t -> explicitPids.add(t.pid()));
        for (int c = 0; c < spec.cpus(); c++) {
            ContextCode softirqCode = ContextCode.softirqs("softirq/" + c,
                    dev.kctx.actors.program.SoftirqTimers.withArmedWork(spec.softirqs()), root.split());
            var softirq = spawnEntity(SoftIrq.create(softirqCode), "softirq-" + c);
            String kname = "ksoftirqd/" + c;
            ContextCode kcode = ContextCode.of(kname, Ksoftirqd.program(), root.split());
            var kref = spawnEntity(KernelThread.create(kcode), "ksoftirqd-" + c);
            TaskControl ksoftirqd = new TaskControl(source++, kernelPid++, kname, c, false, kref, kcode);
            ksoftirqd.bindToCpu(c);
            allTasks.put(ksoftirqd.pid, ksoftirqd);
            var kinfo = new dev.kctx.actors.program.TaskInfo(ksoftirqd.pid, kname, c, false);
            kinfo.stateFrom(() -> ksoftirqd.state);
            kernel.registerTask(kinfo);
            Map<String, ActorRef<ContextProtocol.Command>> taskletEntities = new HashMap<>();
            Map<String, ContextCode> taskletCode = new HashMap<>();
            for (var tl : new java.util.TreeMap<>(spec.tasklets()).entrySet()) {
                ContextCode tc = ContextCode.of("tasklet " + tl.getKey(), tl.getValue(), root.split());
                taskletCode.put(tl.getKey(), tc);
                var tref = spawnEntity(SoftIrq.create(tc), "tasklet-" + c + "-" + safe(tl.getKey()));
                context.watch(tref);
                taskletEntities.put(tl.getKey(), tref);
            }
            roundEvents.add(new ArrayList<>());
            if (cpusInline) {
                Cpu cpu = new Cpu(c, spec, kernel, this::fromInlineCpu, softirq, softirqCode, ksoftirqd, traceEnabled,
                        true, taskletEntities, taskletCode, balance, allTasks);
                cpu.postTo(poster);
                inlineCpus.add(cpu);
            } else {
                cpus.add(spawnChild(Cpu.create(c, spec, kernel, context.getSelf(), softirq, softirqCode, ksoftirqd,
                                traceEnabled, inline, taskletEntities, taskletCode, balance, allTasks),
                        Cpu.Command.class, "cpu-" + c));
                context.watch(cpus.get(c));
            }
            context.watch(softirq);
            context.watch(kref);
        }
        // The irq threads come first among the kernel threads, as request_threaded_irq runs at driver probe.
        for (IrqLine line : lines) {
            MachineSpec.Irq irq = irqSpecs[line.source()];
            if (irq.thread() == null) {
                continue;
            }
            while (explicitPids.contains(kernelPid)) {
                kernelPid++;
            }
            int pid = kernelPid++;
            String name = irq.threadName();
            ContextCode code = ContextCode.of(name, IrqThread.program(irq.line(), irq.thread()), root.split());
            var ref = spawnEntity(KernelThread.create(code), "kthread-" + pid + "-" + safe(name));
            context.watch(ref);
            TaskControl it = new TaskControl(source++, pid, name, irq.cpus().get(0), false, ref, code,
                    dev.kctx.actors.sched.SchedAttr.fifo(50));
            it.setAllowed(mask(irq.cpus()));
            it.irqLine = line;
            addTask(it, 0);
        }
        int rr = 0;
        for (MachineSpec.Task t : spec.kthreads()) {
            int cpu = startCpu(t, rr++);
            int pid = t.pid();
            if (pid == 0) {
                while (explicitPids.contains(kernelPid)) {
                    kernelPid++;
                }
                pid = kernelPid++;
            }
            ContextCode code = ContextCode.of(t.name(), t.body(), root.split());
            var ref = spawnEntity(KernelThread.create(code), "kthread-" + pid + "-" + safe(t.name()));
            context.watch(ref);
            TaskControl kt = new TaskControl(source++, pid, t.name(), cpu, false, ref, code, t.attr());
            if (t.cpu() >= 0 && t.allowed().isEmpty()) {
                kt.bindToCpu(cpu); // kthread_bind: a per-CPU kernel thread
            } else {
                kt.setAllowed(t.affinity(spec.cpus()));
            }
            addTask(kt, t.startNs());
        }
        int userPid = 1000;
        Set<Integer> pids = new HashSet<>();
        Set<Integer> reserved = new HashSet<>();
        spec.processes().forEach(p -> reserved.add(p.pid()));
        tasks.forEach(tc -> pids.add(tc.pid));
        for (MachineSpec.Task t : spec.processes()) {
            int cpu = startCpu(t, rr++);
            int pid = t.pid();
            if (pid == 0) {
                while (pids.contains(userPid) || reserved.contains(userPid)) {
                    userPid++;
                }
                pid = userPid++;
            }
            pids.add(pid);
            ContextCode code = ContextCode.of(t.name(), t.body(), root.split());
            var ref = spawnEntity(UserProcess.create(code), "process-" + pid + "-" + safe(t.name()));
            context.watch(ref);
            TaskControl pt = new TaskControl(source++, pid, t.name(), cpu, true, ref, code, t.attr());
            pt.setAllowed(t.affinity(spec.cpus()));
            addTask(pt, t.startNs());
        }
        this.spawnRandom = root.split();
        this.nextSource = source;
    }

    /** A CPU or context actor stopped (it crashed: a bug, not a model outcome): end the run now, saying so. */
    private Behavior<Command> onChildStopped(Terminated t) {
        if (answered) {
            return this;
        }
        failEngine("engine failure: actor " + t.getRef().path().name() + " stopped unexpectedly");
        return Behaviors.stopped();
    }

    private void failEngine(String why) {
        if (answered) {
            return;
        }
        answered = true;
        List<CpuStats> known = new ArrayList<>();
        for (CpuStats c : stats) {
            if (c != null) {
                known.add(c);
            }
        }
        if (replyTo != null) {
            replyTo.tell(new Finished(new RunResult(spec.name(), spec.seed(), spec.cpus(), until, roundTime, events, rounds,
                    trace, reports, dmesg, console, known, Optional.of(why), Optional.empty(), Optional.ofNullable(budget),
                    kernel.counters(), kernel.endState())));
        }
        if (pausedTo != null) {
            pause(true);
        }
    }

    private static <T> void boot(KernelObjects kernel, MachineSpec.Boot<T> b) {
        T fresh = b.factory().get();
        kernel.extension(b.key(), () -> fresh);
    }

    /** A cpumask of these CPUs. */
    private static java.util.BitSet mask(List<Integer> cpus) {
        java.util.BitSet b = new java.util.BitSet();
        cpus.forEach(b::set);
        return b;
    }

    /** The CPU a task starts on: its own, else the next of its allowed CPUs in round-robin order. */
    private int startCpu(MachineSpec.Task t, int turn) {
        if (t.cpu() >= 0) {
            return t.cpu();
        }
        java.util.BitSet allowed = t.affinity(spec.cpus());
        int n = allowed.cardinality();
        int k = turn % n;
        int c = allowed.nextSetBit(0);
        for (int i = 0; i < k; i++) {
            c = allowed.nextSetBit(c + 1);
        }
        return c;
    }

    private void addTask(TaskControl t, long start) {
        var info = new dev.kctx.actors.program.TaskInfo(t.pid, t.comm, t.cpu(), t.user);
        info.stateFrom(() -> t.state);
        info.cpuFrom(t::cpu);
        allTasks.put(t.pid, t);
        kernel.registerTask(info);
        tasks.add(t);
        startTimes.put(t, start);
    }

    /** Spawns a CPU or context actor on the machine's mailbox and dispatcher, through the test's hook if there is one. */
    private <T> ActorRef<T> spawnChild(Behavior<T> behavior, Class<T> type, String name) {
        return getContext().spawn(hook == null ? behavior : hook.wrap(name, type, behavior), name, CHILD);
    }

    private ActorRef<ContextProtocol.Command> spawnEntity(Behavior<ContextProtocol.Command> behavior, String name) {
        return spawnChild(behavior, ContextProtocol.Command.class, name);
    }

    /** A machine for {@code spec}; {@code traceEnabled} false keeps only statistics and reports. */
    public static Behavior<Command> create(MachineSpec spec, boolean traceEnabled) {
        return Behaviors.setup(ctx -> new Machine(ctx, spec, traceEnabled));
    }

    private static String safe(String name) {
        StringBuilder sb = new StringBuilder();
        for (char ch : name.toCharArray()) {
            sb.append(Character.isLetterOrDigit(ch) || ch == '-' || ch == '_' ? ch : '_');
        }
        return sb.toString();
    }

    /** {@link RoundDone} first: it comes once per CPU and round, everything else once per run or pause. */
    @Override
    public Behavior<Command> onMessage(Command message) {
        if (message instanceof RoundDone d) {
            return onRoundDone(d);
        } else if (message instanceof Continue c) {
            return onContinue(c);
        } else if (message instanceof CpuFinished f) {
            return onCpuFinished(f);
        } else if (message instanceof Start s) {
            return onStart(s);
        } else if (message instanceof Stop s) {
            return onStop(s);
        } else if (message instanceof StartStepped s) {
            return onStartStepped(s);
        } else if (message instanceof Advance a) {
            return onAdvance(a);
        } else if (message instanceof InjectIrq i) {
            return onInjectIrq(i);
        } else if (message instanceof InjectProcess p) {
            return onInjectProcess(p);
        }
        throw new IllegalStateException("unknown command " + message);
    }

    @Override
    public Behavior<Command> onSignal(Signal signal) {
        if (signal instanceof Terminated t) {
            return onChildStopped(t);
        }
        return this;
    }

    private Behavior<Command> onStart(Start s) {
        begin(s.untilNs(), s.replyTo());
        progress = s.progress();
        maxEvents = s.maxEvents();
        arm();
        runOn();
        return this;
    }

    /** As {@link #onStart}, but paused before the first round: the test moves time with {@link Advance}. */
    private Behavior<Command> onStartStepped(StartStepped s) {
        begin(s.untilNs(), s.replyTo());
        pausedTo = s.pausedTo();
        pauseAfterNs = -1;
        roundTime = -1;
        arm();
        runOn();
        return this;
    }

    private void begin(long untilNs, ActorRef<Finished> finishedTo) {
        if (replyTo != null) {
            throw new IllegalStateException("a machine runs once");
        }
        until = untilNs;
        replyTo = finishedTo;
    }

    private Behavior<Command> onAdvance(Advance a) {
        if (!paused) {
            throw new IllegalStateException("advance sent to a machine that is not paused");
        }
        paused = false;
        pauseAfterNs = a.toNs();
        roundsLeft = a.maxRounds();
        runOn();
        return this;
    }

    private Behavior<Command> onInjectIrq(InjectIrq i) {
        checkInjection(i.atNs());
        IrqLine line = lines.stream().filter(l -> l.line() == i.line()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the machine has no IRQ line " + i.line()));
        // Marked resent: not part of the line's own arrival stream, so it schedules no next arrival.
        calendar.add(line.cpus().get(0), ContextLevel.HARDIRQ, line.source(), new Cpu.IrqArrive(i.atNs(), line, false, false, true));
        return this;
    }

    private Behavior<Command> onInjectProcess(InjectProcess p) {
        checkInjection(p.atNs());
        if (p.cpu() < 0 || p.cpu() >= spec.cpus()) {
            throw new IllegalArgumentException("no CPU " + p.cpu());
        }
        int pid = kernel.allocatePid();
        kernel.registerTask(new dev.kctx.actors.program.TaskInfo(pid, p.name(), p.cpu(), true));
        spawn(new Cpu.Spawn(pid, p.name(), p.body(), p.cpu(), p.atNs(), dev.kctx.actors.sched.SchedAttr.DEFAULT, false));
        p.replyTo().tell(pid);
        return this;
    }

    private void checkInjection(long atNs) {
        if (!paused) {
            throw new IllegalStateException("only a paused machine takes injected events");
        }
        if (atNs <= roundTime) {
            throw new IllegalArgumentException("cannot inject at " + atNs + "ns: virtual time has already run to " + roundTime + "ns");
        }
    }

    /** Runs on: the next rounds, inline or as messages to the CPU actors. */
    private void runOn() {
        if (inlineCpus.isEmpty()) {
            nextRound();
        } else {
            runInline();
        }
    }

    /** True when a stepped run has reached the end of its stretch (and is not over). */
    private boolean pauseDue() {
        if (pausedTo == null || failure != null || stopped != null || budget != null || calendar.isEmpty()
                || calendar.headTime() > until || events >= maxEvents) {
            return false;
        }
        return calendar.headTime() > pauseAfterNs || roundsLeft <= 0;
    }

    private void pause(boolean over) {
        paused = !over;
        pausedTo.tell(new Paused(roundTime, trace.subList(tracePausedAt, trace.size()),
                reports.subList(reportsPausedAt, reports.size()), over));
        tracePausedAt = trace.size();
        reportsPausedAt = reports.size();
    }

    /** Puts the first arrivals, task starts and watchdog timers on the calendar. */
    private void arm() {
        for (TaskControl t : tasks) {
            calendar.add(t.cpu(), t.startLevel(), t.source, new Cpu.TaskArrive(startTimes.get(t), t));
        }
        for (IrqLine line : lines) {
            long first = irqSpecs[line.source()].arrivals().first(arrivalRandom[line.source()]);
            if (first >= 0) {
                arrivalBase[line.source()] = first;
                calendar.add(line.cpus().get(0), ContextLevel.HARDIRQ, line.source(), arrival(shifted(first, line), line));
            }
            scheduleSpurious(line, 0);
        }
        for (int c = 0; c < spec.cpus(); c++) {
            LockupDetector.arm(calendar, c, spec.watchdogs());
        }
        HungTaskDetector.arm(calendar, spec.watchdogs());
    }

    /** Ends the run at the next round boundary; the rounds already run stay as they are. */
    private Behavior<Command> onStop(Stop s) {
        if (budget == null) {
            budget = s.why();
        }
        return this;
    }

    private Behavior<Command> onContinue(Continue c) {
        if (!answered) {
            runInline();
        }
        return this;
    }

    /**
     * Runs up to {@code roundsPerMessage} rounds with the CPUs as plain objects, then yields the
     * thread. Each CPU gets its events of the round in level order, as its priority mailbox would
     * hand them out, then the round's end; CPUs go in CPU order, as the message protocol does.
     */
    private void runInline() {
        for (int n = 0; n < roundsPerMessage; n++) {
            if (!startRound()) {
                return;
            }
            for (int i = 0; i < roundCpuCount && failure == null; i++) {
                int c = roundCpus[i];
                try {
                    runInlineCpu(c);
                } catch (RuntimeException | AssertionError e) {
                    // A bug in the engine, not a model outcome: end the run now, as a crashed CPU actor would.
                    getContext().getLog().error("engine failure on cpu {}", c, e);
                    failEngine("engine failure: cpu-" + c + " stopped unexpectedly: " + e);
                    return;
                }
            }
            for (int i = 0; i < roundCpuCount; i++) {
                roundEvents.get(roundCpus[i]).clear();
            }
        }
        getContext().getSelf().tell(Continue.INSTANCE);
    }

    private void runInlineCpu(int c) {
        Cpu cpu = inlineCpus.get(c);
        List<Cpu.Event> events = roundEvents.get(c);
        if (events.get(0) == LONE_STEP_END) {
            // alone in the CPU's part of the round (settleHeld), so nothing to sort
            cpu.onStepEnd(roundTime, loneStepGen[c], loneStepLevel[c]);
        } else {
            inLevelOrder(events);
            for (Cpu.Event ev : events) {
                cpu.onEvent(ev);
            }
        }
        cpu.onRoundEnd();
    }

    /** A stable insertion sort by mailbox priority: the order a CPU's priority mailbox gives (usually already so). */
    private static void inLevelOrder(List<Cpu.Event> events) {
        for (int i = 1; i < events.size(); i++) {
            Cpu.Event e = events.get(i);
            int p = LevelPriorityMailbox.priorityOf(e);
            int j = i - 1;
            while (j >= 0 && LevelPriorityMailbox.priorityOf(events.get(j)) > p) {
                events.set(j + 1, events.get(j));
                j--;
            }
            events.set(j + 1, e);
        }
    }

    /** Where the CPUs the machine drives itself put their events: the calendar, at once. */
    private final Cpu.Poster poster = new Cpu.Poster() {
        @Override
        public void post(Cpu.Event e, int cpu, ContextLevel level, int source) {
            if (e.time() < roundTime) {
                throw postedIntoThePast(new Cpu.Posted(cpu, level, source, e));
            }
            calendar.add(cpu, level, source, e);
        }

        @Override
        public void postStepEnd(long time, long gen, ContextLevel level, int cpu, int source) {
            if (time < roundTime) {
                throw postedIntoThePast(new Cpu.Posted(cpu, level, source, new Cpu.StepDone(time, gen, level)));
            }
            calendar.addStepEnd(cpu, level, source, time, gen);
        }
    };

    /** A CPU posted an event before the round's instant: an engine bug, whichever path carried it. */
    private static IllegalStateException postedIntoThePast(Cpu.Posted p) {
        return new IllegalStateException("event posted into the past: " + p);
    }

    /** What an inline CPU answers, taken at once. */
    private void fromInlineCpu(Command c) {
        if (c instanceof RoundDone d) {
            absorb(d);
        } else if (c instanceof CpuFinished f) {
            onCpuFinished(f);
        }
    }

    private void scheduleNextArrival(Cpu.IrqArrive a) {
        IrqLine line = a.line();
        int n = arrivalCount[line.source()]++;
        long next = irqSpecs[line.source()].arrivals().next(arrivalBase[line.source()], n, arrivalRandom[line.source()]);
        if (next >= 0) {
            arrivalBase[line.source()] = next;
            int cpu = line.cpus().get((n + 1) % line.cpus().size());
            calendar.add(cpu, ContextLevel.HARDIRQ, line.source(), arrival(Math.max(a.time(), shifted(next, line)), line));
        }
    }

    /** An arrival moved by the line's perturbation, never before 0 (the default run: unmoved). */
    private long shifted(long time, IrqLine line) {
        long s = arrivalShift[line.source()];
        return s == 0 ? time : Math.max(0, time + s);
    }

    /** An arrival, possibly lost (fault injection). */
    private Cpu.IrqArrive arrival(long time, IrqLine line) {
        double loss = spec.faults().irqLossRate();
        boolean lost = loss > 0 && faultRandom.nextDouble() < loss;
        if (lost) {
            kernel.count("faults.irq_lost", 1);
        }
        return new Cpu.IrqArrive(time, line, lost, false);
    }

    /** Spurious arrivals of a line: an extra Poisson stream (fault injection). */
    private void scheduleSpurious(IrqLine line, long after) {
        double rate = spec.faults().spuriousIrqsPerSecond();
        if (rate <= 0) {
            return;
        }
        long gap = Math.max(1, Math.round(-Math.log(1.0 - faultRandom.nextDouble()) / rate * 1e9));
        if (after + gap <= until) {
            calendar.add(line.cpus().get(0), ContextLevel.HARDIRQ, line.source(), new Cpu.IrqArrive(after + gap, line, false, true));
        }
    }

    /**
     * The next round's events collected, or false when the run pauses here (a pause is due) or ends
     * (nothing is left before the end time).
     */
    private boolean startRound() {
        if (pauseDue()) {
            pause(false);
            return false;
        }
        if (!collectRound()) {
            finish();
            return false;
        }
        return true;
    }

    private void nextRound() {
        if (!startRound()) {
            return;
        }
        nextRoundCpu = 0;
        dispatchNext();
    }

    /** Takes the next instant's events off the calendar into {@code roundEvents}; false when the run is over. */
    private boolean collectRound() {
        if (failure != null || stopped != null || budget != null || calendar.isEmpty() || calendar.headTime() > until) {
            return false;
        }
        if (events >= maxEvents) {
            budget = "the event budget of " + maxEvents + " events ran out";
            return false;
        }
        roundTime = calendar.headTime();
        rounds++;
        roundsLeft--;
        if (progress != null && (rounds & 0x3ff) == 0) {
            progress.accept(roundTime);
        }
        roundCpuCount = 0;
        // A CPU's first event of the round, a step end kept back (see settleHeld) until it is known
        // whether more events of that CPU follow: -1 when none is.
        int held = -1;
        long heldGen = 0;
        ContextLevel heldLevel = null;
        while (!calendar.isEmpty() && calendar.headTime() == roundTime) {
            int cpu = calendar.headCpu();
            events++;
            if (held >= 0 && held != cpu) {
                settleHeld(held, heldGen, heldLevel);
                held = -1;
            }
            List<Cpu.Event> mine = roundEvents.get(cpu);
            if (held < 0 && mine.isEmpty() && calendar.headIsStepEnd()) {
                held = cpu;
                heldGen = calendar.headGen();
                heldLevel = calendar.headLevel();
                calendar.dropHead();
                continue;
            }
            if (held == cpu) {
                // More of this CPU's events follow: the step end goes first, where the calendar had it.
                addToRound(cpu, new Cpu.StepDone(roundTime, heldGen, heldLevel));
                held = -1;
            }
            Cpu.Event e = calendar.pollEvent();
            addToRound(cpu, e);
            if (e instanceof Cpu.IrqArrive a && a.spurious()) {
                kernel.count("faults.irq_spurious", 1);
                scheduleSpurious(a.line(), a.time());
            } else if (e instanceof Cpu.IrqArrive a && !a.resent()) {
                scheduleNextArrival(a);
            }
        }
        if (held >= 0) {
            settleHeld(held, heldGen, heldLevel);
        }
        return true;
    }

    /**
     * A CPU's only event of the round is the end of a step of generation {@code gen}. When a
     * preemption made it stale the CPU would find nothing to do (it settled at its last event and
     * nothing came since), and its time accounting would only split one interval in two: the CPU is
     * not called (inline) or sent anything (message path), and the step end's record is never made.
     * The event still counts, and the round still takes place. An inline CPU is asked; a CPU actor
     * told the machine how it settled with its last RoundDone, and nothing has reached it since.
     */
    private void settleHeld(int cpu, long gen, ContextLevel level) {
        if (!inlineCpus.isEmpty()) {
            if (!inlineCpus.get(cpu).ignores(gen)) {
                loneStepGen[cpu] = gen;
                loneStepLevel[cpu] = level;
                addToRound(cpu, LONE_STEP_END);
            }
        } else if (!Cpu.staleUnder(settledStep[cpu], gen)) {
            addToRound(cpu, new Cpu.StepDone(roundTime, gen, level));
        }
    }

    /** Adds {@code e} to {@code cpu}'s part of the round, and the CPU to the round's CPUs with its first event. */
    private void addToRound(int cpu, Cpu.Event e) {
        List<Cpu.Event> mine = roundEvents.get(cpu);
        if (mine.isEmpty()) {
            // The calendar orders a round by CPU first, so the CPUs come in ascending order.
            roundCpus[roundCpuCount++] = cpu;
        }
        mine.add(e);
    }

    private void dispatchNext() {
        if (failure != null || nextRoundCpu == roundCpuCount) {
            for (int i = 0; i < roundCpuCount; i++) {
                roundEvents.get(roundCpus[i]).clear();
            }
            nextRound();
            return;
        }
        int c = roundCpus[nextRoundCpu++];
        ActorRef<Cpu.Command> cpu = cpus.get(c);
        List<Cpu.Event> mine = roundEvents.get(c);
        // In the order the CPU's priority mailbox hands them out, so that the last one sent, which
        // carries the round's end, is also the last one it takes (a CPU of a round has one at least).
        inLevelOrder(mine);
        int last = mine.size() - 1;
        for (int i = 0; i < last; i++) {
            cpu.tell(mine.get(i));
        }
        cpu.tell(new Cpu.LastEvent(mine.get(last)));
    }

    private Behavior<Command> onRoundDone(RoundDone d) {
        absorb(d);
        dispatchNext();
        return this;
    }

    /** Takes in what one CPU's part of the round produced: outputs, new processes, events for the calendar. */
    private void absorb(RoundDone d) {
        settledStep[d.cpu()] = d.settled().value();
        // Most rounds produce no output: addAll of an empty list still copies an array.
        if (!d.trace().isEmpty()) {
            trace.addAll(d.trace());
        }
        if (!d.reports().isEmpty()) {
            reports.addAll(d.reports());
        }
        if (!d.dmesg().isEmpty()) {
            dmesg.addAll(d.dmesg());
        }
        if (!d.console().isEmpty()) {
            console.addAll(d.console());
        }
        for (Cpu.Spawn sp : d.spawns()) {
            spawn(sp);
        }
        List<Cpu.Posted> posted = d.posted();
        // by index: an iterator per round was a tenth of the engine's allocation
        for (int i = 0, n = posted.size(); i < n; i++) {
            Cpu.Posted p = posted.get(i);
            if (p.event().time() < roundTime) {
                throw postedIntoThePast(p);
            }
            calendar.add(p.cpu(), p.level(), p.source(), p.event());
        }
        if (d.failure() != null && failure == null) {
            failure = d.failure();
        }
        if (d.stop() != null && stopped == null) {
            stopped = d.stop();
        }
    }

    /** A process started at run time (fork from a context, or injected by a test) gets its actor and its start. */
    private void spawn(Cpu.Spawn sp) {
        ContextCode code = ContextCode.of(sp.name(), sp.body(), spawnRandom.split());
        var ref = spawnEntity(UserProcess.create(code), "process-" + sp.pid() + "-" + safe(sp.name()));
        getContext().watch(ref);
        TaskControl t = new TaskControl(nextSource++, sp.pid(), sp.name(), sp.cpu(), true, ref, code, sp.attr());
        if (sp.pinned()) {
            t.setAllowed(mask(List.of(sp.cpu())));
        }
        var info = kernel.task(sp.pid());
        if (info != null) {
            info.stateFrom(() -> t.state);
            info.cpuFrom(t::cpu);
        }
        allTasks.put(t.pid, t);
        calendar.add(t.cpu(), t.startLevel(), t.source, new Cpu.TaskArrive(sp.time(), t));
    }

    private void finish() {
        endTime = failure != null || stopped != null || budget != null ? roundTime : until;
        for (ActorRef<Cpu.Command> cpu : cpus) {
            cpu.tell(new Cpu.Finish(endTime));
        }
        for (Cpu cpu : inlineCpus) {
            cpu.onFinish(new Cpu.Finish(endTime));
        }
    }

    private Behavior<Command> onCpuFinished(CpuFinished f) {
        stats[f.cpu()] = f.stats();
        if (++finishedCpus == stats.length && !answered) {
            answered = true;
            replyTo.tell(new Finished(new RunResult(spec.name(), spec.seed(), spec.cpus(), until, endTime, events, rounds,
                    trace, reports, dmesg, console, List.of(stats), Optional.ofNullable(failure),
                    Optional.ofNullable(stopped), Optional.ofNullable(budget), kernel.counters(), kernel.endState())));
            if (pausedTo != null) {
                pause(true);
            }
        }
        return this;
    }
}
