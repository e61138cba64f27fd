package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractOnMessageBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.kctx.actors.program.Describable;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.ProgramRunner;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.actors.sched.Balance;
import dev.kctx.actors.sched.RunQueue;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.AtomicState;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Gate;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.Where;
import org.HdrHistogram.Histogram;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One CPU: decides which context runs, preempts at the exact virtual instant, keeps the stack of
 * preempted contexts (what preempt_count's nesting records), runs soft IRQs on irq_exit and
 * local_bh_enable with the kernel's restart and time limits, and switches tasks as its run queue
 * ({@link RunQueue}, the scheduler of kernel/sched) decides: at wake-ups, at the tick, when the
 * running task sleeps or yields, at the preemption points of the machine's preemption model.
 *
 * <p>It receives the calendar's events for one instant (each at its context level, so the
 * priority mailbox hands them out in preemption order), the last of them in a {@link LastEvent}
 * that carries the round's end; it answers the
 * machine with everything the round produced. While a context entity runs a burst the CPU lends
 * it its state and waits for {@link Ran}, deferring other events. Handlers never block, sleep,
 * start threads or read the wall clock.
 */
public final class Cpu {

    /** Everything a CPU accepts. */
    public sealed interface Command permits Event, LastEvent, Ran, Finish {
    }

    /** A calendar event for this CPU; it carries its virtual time. */
    public sealed interface Event extends Command, Leveled
            permits IrqArrive, StepDone, WakeUp, TaskArrive, SchedEvent, LockReleased, WatchdogTimer, WatchdogNmi,
            HungTaskCheck, Notify, TaskletRetry, SoftirqTimer {
        long time();
    }

    /** The scheduler's own events (the tick, its timers, moves between CPUs): all at KERNEL level. */
    public sealed interface SchedEvent extends Event permits Tick, SchedTimer, Migrate, Pull, SetAttr {
        @Override
        default ContextLevel level() {
            return ContextLevel.KERNEL;
        }
    }

    /**
     * Machine to CPU: interrupt line {@code line} fires (HARDIRQ level); {@code resent} for an
     * arrival held while its IRQF_ONESHOT line was masked, delivered at the unmask, or one a test injected:
     * either way not part of the line's arrival stream.
     */
    public record IrqArrive(long time, IrqLine line, boolean lost, boolean spurious, boolean resent) implements Event {
        public IrqArrive(long time, IrqLine line) {
            this(time, line, false, false, false);
        }

        public IrqArrive(long time, IrqLine line, boolean lost, boolean spurious) {
            this(time, line, lost, spurious, false);
        }

        public ContextLevel level() {
            return ContextLevel.HARDIRQ;
        }
    }

    /** Calendar to CPU: the step that began generation {@code gen} has used its cost (at the step's level). */
    public record StepDone(long time, long gen, ContextLevel level) implements Event {
    }

    /** Calendar to CPU: wake the waiter of {@code handle}; {@code traceHere} when no waker traced it (timers). */
    public record WakeUp(long time, WaitHandle handle, boolean traceHere) implements Event {
        public ContextLevel level() {
            return ContextLevel.KERNEL;
        }
    }

    /** Machine to CPU: a task starts (it becomes runnable). */
    public record TaskArrive(long time, TaskControl task) implements Event {
        public ContextLevel level() {
            return task.startLevel();
        }
    }

    /** Calendar to CPU: the scheduler tick {@code gen} (scheduler_tick at HZ, KERNEL level; not traced). */
    public record Tick(long time, long gen) implements SchedEvent {
    }

    /** Calendar to CPU: the RT period timer (do_sched_rt_period_timer) may lift RT throttling. */
    public record SchedTimer(long time) implements SchedEvent {
    }

    /**
     * CPU to CPU: {@code task} moves here (load balancing, RT push/pull, a new task's placement);
     * {@code fresh} for a new task, whose sched_wakeup_new this CPU traces.
     */
    public record Migrate(long time, TaskControl task, boolean fresh) implements SchedEvent {
    }

    /** CPU to CPU: CPU {@code dst} asks for a task to run (idle balance, periodic balance, RT pull). */
    public record Pull(long time, int dst) implements SchedEvent {
    }

    /** CPU to CPU: sched_setattr / sched_setaffinity of task {@code pid}, done on the CPU that has it. */
    public record SetAttr(long time, int pid, SchedAttr attr, java.util.BitSet allowed) implements SchedEvent {
    }

    /** Calendar to CPU: a lock this CPU spins on was released. */
    public record LockReleased(long time, String lock) implements Event {
        public ContextLevel level() {
            return ContextLevel.KERNEL;
        }
    }

    /** Calendar to CPU: the watchdog hrtimer expires (watchdog_timer_fn, hard IRQ; see {@link LockupDetector}). */
    public record WatchdogTimer(long time) implements Event {
        public ContextLevel level() {
            return ContextLevel.HARDIRQ;
        }
    }

    /** Calendar to CPU: the hard lockup detector's perf NMI (watchdog_hardlockup_check; runs whatever the IRQ state). */
    public record WatchdogNmi(long time) implements Event {
        public ContextLevel level() {
            return ContextLevel.HARDIRQ;
        }
    }

    /** Calendar to CPU 0: khungtaskd's periodic check (see {@link HungTaskDetector}). */
    public record HungTaskCheck(long time) implements Event {
        public ContextLevel level() {
            return ContextLevel.KERNEL;
        }
    }

    /** Calendar to CPU: signal_wake_up for task {@code pid} (a signal or other return-to-user work is pending). */
    public record Notify(long time, int pid) implements Event {
        public ContextLevel level() {
            return ContextLevel.KERNEL;
        }
    }

    /** Calendar to CPU: a tasklet this CPU found running elsewhere has finished there; queue it here again. */
    public record TaskletRetry(long time, String tasklet) implements Event {
        public ContextLevel level() {
            return ContextLevel.SOFTIRQ;
        }
    }

    /**
     * Calendar to CPU: work armed for {@code vector} on this CPU is due (a timer_list callback, RCU's
     * work; see {@link dev.kctx.actors.program.SoftirqTimers}). The local timer interrupt raises the
     * vector and its irq_exit runs it; taken, like an interrupt, only while IRQs are on.
     */
    public record SoftirqTimer(long time, SoftirqVector vector) implements Event {
        public ContextLevel level() {
            return ContextLevel.HARDIRQ;
        }
    }

    /** A process to start at run time (call_usermodehelper, fork), for the machine to spawn; it inherits {@code attr}. */
    record Spawn(int pid, String name, dev.kctx.actors.program.Program body, int cpu, long time, SchedAttr attr, boolean pinned) {
    }

    /**
     * Machine to CPU, at the event's level: {@code event} is the last of this CPU's events of the
     * instant (the machine sends them in level order), so after it the round ends: answer with
     * {@link Machine.RoundDone}. The round's end rides on the last event instead of following it
     * as a message of its own (docs/performance-notes.md, section 8).
     */
    public record LastEvent(Event event) implements Command, Leveled {
        public LastEvent {
            java.util.Objects.requireNonNull(event, "event");
        }

        @Override
        public ContextLevel level() {
            return event.level();
        }

        /** The instant of the round that ends. */
        public long time() {
            return event.time();
        }
    }

    /** Entity to CPU, at the entity's level: the burst {@code runId} ended with {@code outcome}. */
    public record Ran(long runId, ContextLevel level, Outcome outcome) implements Command, Leveled {
    }

    /** Machine to CPU: the run ends at {@code endTime}; answer with {@link Machine.CpuFinished}. */
    public record Finish(long endTime) implements Command {
    }

    /** An event produced during a round, for the calendar. */
    record Posted(int cpu, ContextLevel level, int source, Event event) {
    }

    /**
     * Where a CPU that the machine drives itself puts the events it produces: straight into the
     * machine's calendar, instead of a {@link Posted} list handed over at the round's end. The
     * calendar's order does not change: a CPU's events went in at its round's end, before the next
     * CPU ran, and now go in while it runs, still before the next CPU runs; events posted for this
     * very instant come up in the next round either way.
     */
    interface Poster {
        void post(Event e, int cpu, ContextLevel level, int source);

        /** A {@link StepDone} of this CPU, without its record (see {@link Calendar#addStepEnd}). */
        void postStepEnd(long time, long gen, ContextLevel level, int cpu, int source);
    }

    // ---- frames: the contexts stacked on this CPU ----

    enum Kind { IRQ, SOFTIRQ, TASK }

    enum Status { NEEDS_RUN, BUSY, WAITING, PREEMPTED, DONE }

    /** One context on the CPU's stack: a hard IRQ handler, a soft IRQ loop or a task. */
    static final class Frame {
        final Kind kind;
        int source;
        ContextLevel level;
        ActorRef<ContextProtocol.Command> entity;
        ContextCode code;
        /** The context's name as reports and the trace show it, made from its parts when first asked for. */
        private String name;
        private String namePrefix;
        private Object nameMiddle;
        private String nameSuffix;
        Status status;
        boolean fresh;
        long busyEnd;
        long remaining;
        long gen;
        boolean wasWaiting;
        String waitingOn;
        long waitToken;
        long spinSince;
        // IRQ
        IrqLine line;
        boolean savedIrqsDisabled;
        long arrival;
        /** When an NMI handler began: nmi_handle's delta_ns counts from there. */
        long nmiStart;
        // SOFTIRQ loop (__do_softirq)
        int snapshot;
        SoftirqVector vector;
        int restartsLeft;
        long loopStart;
        String baseName;
        /** The tasklets taken for this TASKLET_SOFTIRQ run, and the one running. */
        ArrayDeque<String> taskletBatch;
        String tasklet;
        // TASK
        TaskControl task;
        /** Operations to run first at the next burst (return-to-user work). */
        List<dev.kctx.actors.program.Op> inject;

        Frame(Kind kind, int source, ContextLevel level, ActorRef<ContextProtocol.Command> entity, ContextCode code,
              String name) {
            this.kind = kind;
            init(source, level, entity, code, name);
        }

        /**
         * This popped hard IRQ or soft IRQ frame, made new for another invocation: every field as the
         * constructor leaves it, except the wait token, which goes on counting so that a wait handle
         * of the frame's earlier life finds it no longer waiting for it ({@link #onWake}).
         */
        Frame reuse(int source, ContextLevel level, ActorRef<ContextProtocol.Command> entity, ContextCode code,
                    String name) {
            waitToken++;
            init(source, level, entity, code, name);
            return this;
        }

        /** Every field but the kind and the wait token, as a new frame has them. */
        private void init(int source, ContextLevel level, ActorRef<ContextProtocol.Command> entity, ContextCode code,
                          String name) {
            this.source = source;
            this.level = level;
            this.entity = entity;
            this.code = code;
            this.name = name;
            namePrefix = null;
            nameMiddle = null;
            nameSuffix = null;
            status = Status.NEEDS_RUN;
            fresh = true;
            busyEnd = 0;
            remaining = 0;
            gen = 0;
            wasWaiting = false;
            waitingOn = null;
            spinSince = -1;
            line = null;
            savedIrqsDisabled = false;
            arrival = 0;
            nmiStart = 0;
            snapshot = 0;
            vector = null;
            restartsLeft = 0;
            loopStart = 0;
            baseName = null;
            taskletBatch = null;
            tasklet = null;
            task = null;
            inject = List.of();
        }

        String name() {
            if (name == null) {
                name = namePrefix + nameMiddle + nameSuffix;
            }
            return name;
        }

        /** Names the context prefix + middle + suffix, concatenated only if someone looks (most never do). */
        void name(String prefix, Object middle, String suffix) {
            name = null;
            namePrefix = prefix;
            nameMiddle = middle;
            nameSuffix = suffix;
        }

        void name(String name) {
            this.name = name;
        }
    }


    /**
     * The last hard IRQ and soft IRQ frames popped, made new for the next interrupt or soft IRQ run
     * ({@link Frame#reuse}) instead of a new frame each: two per packet on a busy NIC. Nothing
     * keeps a popped frame but a wait handle of a buggy handler that slept, and the frame's wait
     * token turns such a handle stale.
     */
    private Frame spareIrq;
    private Frame spareSoftirq;

    /** {@code spare} made new, or a new frame when there is no spare. */
    private static Frame frame(Frame spare, Kind kind, int source, ContextLevel level,
                               ActorRef<ContextProtocol.Command> entity, ContextCode code, String name) {
        return spare != null ? spare.reuse(source, level, entity, code, name) : new Frame(kind, source, level, entity, code, name);
    }

    /** The soft IRQ vectors by bit number: {@code values()} copies its array on every call. */
    private static final SoftirqVector[] VECTORS = SoftirqVector.values();

    /** MAX_SOFTIRQ_RESTART in kernel/softirq.c. */
    static final int MAX_SOFTIRQ_RESTART = 10;
    /** MAX_SOFTIRQ_TIME in kernel/softirq.c: 2 ms. */
    static final long MAX_SOFTIRQ_TIME_NS = 2_000_000L;
    /** Soft IRQs that irq_exit runs even while ksoftirqd is runnable (SOFTIRQ_NOW_MASK). */
    static final int SOFTIRQ_NOW_MASK = SoftirqVector.HI.bit() | SoftirqVector.TASKLET.bit();
    /**
     * Bursts at one instant before the CPU declares a livelock: this many, plus
     * {@link #BURSTS_PER_TASK_PER_INSTANT} per task (each of 100,000 tasks may run and block at
     * time 0). Low enough that a zero-time loop (two threads completing each other, a soft IRQ
     * raising itself) is stopped in a fraction of a second, not after a million bursts.
     */
    static final int MAX_BURSTS_PER_INSTANT = 5_000;
    static final int BURSTS_PER_TASK_PER_INSTANT = 4;

    final int id;
    final MachineSpec spec;
    private final KernelObjects kernel;
    /** Where RoundDone and CpuFinished go: the machine actor, or the machine itself when it drives this CPU. */
    private final java.util.function.Consumer<Machine.Command> machine;
    /** This CPU's actor, the reply address of bursts sent to context actors; null when the machine drives it. */
    private ActorRef<Command> self;
    private final ActorRef<ContextProtocol.Command> softirqEntity;
    private final ContextCode softirqCode;
    /** This CPU's tasklet entities and code, by tasklet name. */
    private final Map<String, ActorRef<ContextProtocol.Command>> taskletEntities;
    private final Map<String, ContextCode> taskletCode;
    /** tasklet_vec: the tasklets scheduled on this CPU, in order. */
    private final ArrayDeque<String> taskletQueue = new ArrayDeque<>();
    /** Run bursts in this actor instead of sending them to the entity (kctx.engine.inline-bursts). */
    private final boolean inlineBursts;
    final boolean traceEnabled;
    final TaskControl idle;
    private final TaskControl ksoftirqd;
    private final Gate gate;
    private final LentExec exec = new LentExec();

    long now;
    TaskControl cur;
    final ArrayDeque<Frame> frames = new ArrayDeque<>();
    /** This CPU's run queue: the scheduler's decisions. */
    private final RunQueue rq;
    /** Every task of the machine by pid (tasks migrate; a signal may reach a CPU the task has left). */
    private final Map<Integer, TaskControl> allTasks;
    private final PendingIrqs pendingIrqs = new PendingIrqs();
    /** NMIs latched while an NMI runs (the CPU blocks NMIs until the handler's iret). */
    private final PendingIrqs pendingNmis = new PendingIrqs();
    private int pendingSoftirq;
    private final long[] raiseOrigin = new long[VECTORS.length];
    /** Vectors whose armed work is due, raised at the next instant this CPU takes interrupts. */
    private int timerSoftirqs;
    /** The scheduler's side of this CPU: switches, wake-ups, the tick, balancing moves. */
    final CpuScheduler sched;
    /** The soft and hard lockup detectors of this CPU. */
    final LockupDetector lockups;
    /** khungtaskd's check (its events go to CPU 0 only). */
    private final HungTaskDetector hungTasks;
    private long stepGen;
    private long runId;
    private boolean awaiting;
    private final ArrayDeque<Event> deferred = new ArrayDeque<>();
    /** The round's end came while events were deferred or a reply awaited: it follows them. */
    private boolean roundEndDeferred;
    private long burstsAtInstant;
    private long instantOfBursts = -1;
    private String failure;
    private String stop;

    /** What the round in progress produced, handed to the machine at its end (and reused, see {@link #endRound}). */
    private final List<Posted> posted = new ArrayList<>();
    /** The machine's calendar when the machine drives this CPU ({@link #postTo}); null on the message path. */
    private Poster poster;
    private final List<TraceRecord> trace = new ArrayList<>();
    private final List<Report> reports = new ArrayList<>();
    private final List<String> dmesg = new ArrayList<>();
    private final List<String> console = new ArrayList<>();
    private final List<Spawn> spawns = new ArrayList<>();
    /** The output lists are with the machine's RoundDone: clear them before the next round writes to them. */
    private boolean outputsLent;
    /** The last RoundDone sent, reused while nothing in it changes. */
    private Machine.RoundDone done;
    /** This CPU's {@link #settledStep()} at its last round's end, lent with the RoundDone. */
    private final SettledStep settled = new SettledStep();

    // statistics
    private final long[] levelNs = new long[ContextLevel.values().length];
    private long idleNs;
    private long lastAccount;
    private long irqPreemptions;
    long schedPreemptions;
    long contextSwitches;
    private long irqsHandled;
    private long irqsMerged;
    private long softirqVectorRuns;
    private long softirqsFromKsoftirqd;
    private long ksoftirqdWakeups;
    private final Histogram irqLatency = new Histogram(3);
    private final Histogram irqToSoftirq = new Histogram(3);
    final Histogram softirqWakeToRun = new Histogram(3);

    Cpu(int id, MachineSpec spec, KernelObjects kernel,
        java.util.function.Consumer<Machine.Command> machine, ActorRef<ContextProtocol.Command> softirqEntity, ContextCode softirqCode,
        TaskControl ksoftirqd, boolean traceEnabled, boolean inlineBursts,
        Map<String, ActorRef<ContextProtocol.Command>> taskletEntities, Map<String, ContextCode> taskletCode,
        Balance balance, Map<Integer, TaskControl> allTasks) {
        this.rq = balance.rq(id);
        this.allTasks = allTasks;
        this.taskletEntities = taskletEntities;
        this.taskletCode = taskletCode;
        this.softirqCode = softirqCode;
        this.inlineBursts = inlineBursts;
        this.ksoftirqd = ksoftirqd;
        ksoftirqd.frame = new Frame(Kind.TASK, ksoftirqd.source, ContextLevel.KERNEL, ksoftirqd.entity, ksoftirqd.code,
                ksoftirqd.contextName());
        ksoftirqd.frame.task = ksoftirqd;
        ksoftirqd.state = 'S';
        this.id = id;
        this.spec = spec;
        this.kernel = kernel;
        this.machine = machine;
        this.softirqEntity = softirqEntity;
        this.traceEnabled = traceEnabled;
        this.idle = new TaskControl(-1, 0, "<idle>", id, false, null, null);
        this.idle.state = 'R';
        this.cur = idle;
        idle.atomic.setPreemptibleRcu(spec.preempt() == MachineSpec.Preempt.FULL);
        this.gate = new Gate(this::onReport);
        java.util.Arrays.fill(raiseOrigin, -1);
        rq.printkTo(exec::printk);
        this.sched = new CpuScheduler(this, rq, balance, allTasks);
        this.lockups = new LockupDetector(this, spec.watchdogs());
        this.hungTasks = new HungTaskDetector(this, spec.watchdogs(), allTasks);
    }

    static Behavior<Command> create(int id, MachineSpec spec, KernelObjects kernel, ActorRef<Machine.Command> machine,
                                    ActorRef<ContextProtocol.Command> softirqEntity, ContextCode softirqCode,
                                    TaskControl ksoftirqd, boolean traceEnabled, boolean inlineBursts,
                                    Map<String, ActorRef<ContextProtocol.Command>> taskletEntities,
                                    Map<String, ContextCode> taskletCode, Balance balance,
                                    Map<Integer, TaskControl> allTasks) {
        return Behaviors.setup(ctx -> new Receiver(ctx, new Cpu(id, spec, kernel, machine::tell, softirqEntity, softirqCode,
                ksoftirqd, traceEnabled, inlineBursts, taskletEntities, taskletCode, balance, allTasks)));
    }

    /**
     * The CPU as an actor ({@code kctx.engine.inline-cpus = off}): its priority mailbox hands it the
     * round's events in level order, the last of them carrying the round's end, and the replies of
     * context actors.
     *
     * <p>One {@code onMessage} over the sealed {@link Command} instead of a {@code ReceiveBuilder}
     * table (STYLE.md rule 6): every event, round end and burst answer of the message path passes
     * here, and the table's per-message walk of class tests and casts was the largest single item
     * of a JFR profile of {@code kctx bench --engine message} (docs/performance-notes.md, section 8).
     */
    private static final class Receiver extends AbstractOnMessageBehavior<Command> {
        private final Cpu cpu;

        Receiver(ActorContext<Command> context, Cpu cpu) {
            super(context);
            this.cpu = cpu;
            cpu.self = context.getSelf();
        }

        @Override
        public Behavior<Command> onMessage(Command message) {
            // Most rounds give a CPU one event, its last: LastEvent and Ran come far more often than
            // a plain Event, and a test against a record class is cheaper than one against an interface.
            if (message instanceof LastEvent l) {
                cpu.onEvent(l.event());
                cpu.onRoundEnd();
            } else if (message instanceof Ran r) {
                cpu.onRan(r);
            } else if (message instanceof Event e) {
                cpu.onEvent(e);
            } else if (message instanceof Finish f) {
                cpu.onFinish(f);
            } else {
                throw new IllegalStateException("cpu " + cpu.id + ": unknown command " + message);
            }
            return this;
        }
    }

    /** A calendar event of the current round, in level order. */
    void onEvent(Event e) {
        if (takesEventNow()) {
            handle(e);
        } else {
            deferred.add(e);
        }
    }

    /**
     * A step end of generation {@code gen} at {@code time}, the CPU's only event of the round, as
     * {@link #onEvent} would take its {@link StepDone} (the machine makes no record of it).
     */
    void onStepEnd(long time, long gen, ContextLevel level) {
        if (takesEventNow()) {
            setTime(time);
            stepEnd(gen);
            advance();
        } else {
            deferred.add(new StepDone(time, gen, level));
        }
    }

    /**
     * A round's first event takes back the outputs lent to the machine with the last round; then
     * true when the event is handled at once, false when it waits behind a reply or deferred events.
     */
    private boolean takesEventNow() {
        if (outputsLent) {
            outputsLent = false;
            clearOutputs();
        }
        return !awaiting && deferred.isEmpty();
    }

    /** The end of a step of generation {@code gen}: its frame runs again unless a preemption made the step stale. */
    private void stepEnd(long gen) {
        Frame top = frames.peek();
        if (top != null && top.status == Status.BUSY && top.gen == gen) {
            top.status = Status.NEEDS_RUN;
        }
    }

    /** {@link #settledStep()} of a CPU on which no frame is in a step: every step end is stale (generations start at 1). */
    static final long NO_BUSY_STEP = 0;
    /** {@link #settledStep()} of a failed CPU: no step end is taken for stale. */
    static final long KEEPS_STEP_ENDS = -1;

    /**
     * True when a step end of generation {@code gen} would change nothing as the only event of a
     * round: the end of a step that a preemption made stale (the running frame is another, or the
     * same frame in another step), on a CPU that has settled (nothing deferred, no reply awaited).
     */
    boolean ignores(long gen) {
        return !awaiting && deferred.isEmpty() && staleUnder(settledStep(), gen);
    }

    /**
     * What {@link #ignores} needs of a settled CPU, as one value: the generation of the step the top
     * frame is busy in, {@link #NO_BUSY_STEP}, or {@link #KEEPS_STEP_ENDS}. On the message path the
     * CPU hands it to the machine with each {@link Machine.RoundDone} ({@link SettledStep}), and it
     * holds until the CPU's next round: between rounds nothing reaches a CPU.
     */
    long settledStep() {
        if (failure != null) {
            return KEEPS_STEP_ENDS;
        }
        Frame top = frames.peek();
        return top != null && top.status == Status.BUSY ? top.gen : NO_BUSY_STEP;
    }

    /** True when a lone step end of generation {@code gen} changes nothing on a CPU settled at {@code settledStep}. */
    static boolean staleUnder(long settledStep, long gen) {
        return settledStep != KEEPS_STEP_ENDS && settledStep != gen;
    }

    /**
     * A CPU actor's {@link #settledStep()} as of its last round's end, lent to the machine with its
     * {@link Machine.RoundDone} like the output lists: written by the CPU before it sends the
     * RoundDone, read by the machine after it received it and before it sends that CPU anything
     * (the message send orders the two on any dispatcher).
     */
    static final class SettledStep {
        private long value = KEEPS_STEP_ENDS;

        long value() {
            return value;
        }
    }

    /** All events of the round have come: answer the machine with what the round produced. */
    void onRoundEnd() {
        if (awaiting || !deferred.isEmpty()) {
            roundEndDeferred = true;
        } else {
            endRound();
        }
    }

    private void onRan(Ran r) {
        if (!awaiting || r.runId() != runId) {
            throw new IllegalStateException("cpu " + id + ": unexpected reply " + r);
        }
        awaiting = false;
        apply(frames.peek(), r.outcome());
        advance();
        drain();
    }

    /** The run ends: answer the machine with this CPU's statistics. */
    void onFinish(Finish f) {
        account(Math.max(now, f.endTime()));
        machine.accept(new Machine.CpuFinished(id, new CpuStats(id, levelNs.clone(), idleNs, irqPreemptions,
                schedPreemptions, contextSwitches, irqsHandled, irqsMerged, softirqVectorRuns, softirqsFromKsoftirqd,
                ksoftirqdWakeups, irqLatency.copy(), irqToSoftirq.copy(), softirqWakeToRun.copy())));
    }

    private void drain() {
        while (!awaiting && !deferred.isEmpty()) {
            handle(deferred.poll());
        }
        // Nothing of the round comes after its end: it is last of what was deferred.
        if (!awaiting && roundEndDeferred) {
            roundEndDeferred = false;
            endRound();
        }
    }

    /** Where lockdep's reports go while this CPU runs a burst: made once, not per burst. */
    private final java.util.function.Consumer<Report> reportSink = this::onReport;

    /** Hard IRQ context names by line source, made once per line rather than on every arrival. */
    private String[] irqContextNames = new String[0];

    private String irqContextName(IrqLine line) {
        int i = line.source();
        if (i >= irqContextNames.length) {
            irqContextNames = java.util.Arrays.copyOf(irqContextNames, Math.max(i + 1, irqContextNames.length * 2));
        }
        String name = irqContextNames[i];
        if (name == null) {
            name = "hardirq " + line.line() + " " + line.name();
            irqContextNames[i] = name;
        }
        return name;
    }

    private void endRound() {
        if (self == null && trace.isEmpty() && reports.isEmpty() && dmesg.isEmpty() && console.isEmpty()
                && spawns.isEmpty() && posted.isEmpty() && failure == null && stop == null) {
            // Driven by the machine, which took the events already ({@link Poster}): nothing to hand over.
            return;
        }
        // The lists go with the message and come back to this CPU: they are cleared when its next
        // round starts, after the machine has taken in what they held (it sends that round only then).
        settled.value = settledStep();
        machine.accept(roundDone());
        if (self == null) {
            // Run by the machine itself: it has taken in what the lists held before accept returned.
            clearOutputs();
        } else {
            outputsLent = true;
        }
    }

    /** This CPU's answer at a round's end: one per CPU, made anew only when the failure or stop it carries changes. */
    private Machine.RoundDone roundDone() {
        Machine.RoundDone d = done;
        if (d == null || d.failure() != failure || d.stop() != stop) {
            d = new Machine.RoundDone(id, posted, trace, reports, dmesg, console, spawns, failure, stop, settled);
            done = d;
        }
        return d;
    }

    private void clearOutputs() {
        posted.clear();
        trace.clear();
        reports.clear();
        dmesg.clear();
        console.clear();
        spawns.clear();
    }

    // ---- time ----

    private void setTime(long t) {
        if (t > now) {
            account(t);
            now = t;
        }
    }

    /** Charges the time since the last charge to what the CPU was doing then. */
    private void account(long t) {
        long delta = t - lastAccount;
        if (delta > 0) {
            Frame top = frames.peek();
            if (top == null) {
                idleNs += delta;
            } else {
                levelNs[top.level.ordinal()] += delta;
            }
        }
        lastAccount = Math.max(lastAccount, t);
    }

    // ---- events ----

    private void handle(Event e) {
        setTime(e.time());
        if (e instanceof IrqArrive a) {
            if (a.spurious()) {
                if (traceEnabled) {
                    record("kctx_fault", "irq=" + a.line().line() + " name=" + a.line().name() + " spurious", a.line().line());
                }
            }
            if (a.lost()) {
                if (traceEnabled) {
                    record("kctx_fault", "irq=" + a.line().line() + " name=" + a.line().name() + " lost", a.line().line());
                }
            } else if (a.line().nmi()) {
                // An NMI is not maskable: it is latched, one per source, and taken at once unless an NMI runs
                if (!pendingNmis.add(a.line(), a.time())) {
                    irqsMerged++;
                }
            } else if (kernel.irqMaskedArrival(a.line().line())) {
                // IRQF_ONESHOT: the line is masked while its thread runs; the unmask delivers it
                irqsMerged++;
            } else if (!pendingIrqs.add(a.line(), a.time())) {
                irqsMerged++;
            }
        } else if (e instanceof StepDone d) {
            stepEnd(d.gen());
        } else if (e instanceof WakeUp w) {
            onWake(w);
        } else if (e instanceof TaskArrive t) {
            TaskControl task = t.task();
            task.state = 'R';
            task.frame = new Frame(Kind.TASK, task.source, task.startLevel(), task.entity, task.code, task.contextName());
            task.frame.task = task;
            sched.wakeUpNewTask(task);
        } else if (e instanceof Migrate m) {
            sched.onMigrate(m);
        } else if (e instanceof Pull p) {
            sched.onPull(p);
        } else if (e instanceof SetAttr a) {
            sched.onSetAttr(a);
        } else if (e instanceof Tick t) {
            sched.onTick(t);
        } else if (e instanceof SchedTimer st) {
            sched.onTimer(st);
        } else if (e instanceof TaskletRetry tr) {
            taskletQueue.add(tr.tasklet());
            pendingSoftirq |= SoftirqVector.TASKLET.bit();
            if (traceEnabled) {
                record("softirq_raise", "vec=" + SoftirqVector.TASKLET.ordinal() + " [action=TASKLET]", SoftirqVector.TASKLET.ordinal());
            }
            if (!cur.atomic.inInterrupt()) {
                wakeupSoftirqd();
            }
        } else if (e instanceof Notify n) {
            onNotify(n);
        } else if (e instanceof SoftirqTimer st) {
            if (dev.kctx.actors.program.SoftirqTimers.due(kernel, id, st.vector(), now)) {
                timerSoftirqs |= st.vector().bit();
            }
        } else if (e instanceof WatchdogTimer w) {
            lockups.onTimer(w.time());
        } else if (e instanceof WatchdogNmi w) {
            lockups.onNmi(w.time());
        } else if (e instanceof HungTaskCheck h) {
            hungTasks.onCheck(h.time());
        } else if (e instanceof LockReleased l) {
            Frame top = frames.peek();
            if (top != null && top.status == Status.WAITING && ("lock:" + l.lock()).equals(top.waitingOn)) {
                top.status = Status.NEEDS_RUN;
            }
        }
        advance();
    }

    private void onWake(WakeUp w) {
        WaitHandle h = w.handle();
        if (h.waiter() instanceof TaskControl t) {
            sched.onWake(w, t);
        } else if (h.waiter() instanceof Frame f) {
            if (f.waitToken != h.token()) {
                return;
            }
            f.waitToken++;
            if (f == frames.peek() && f.status == Status.WAITING) {
                f.status = Status.NEEDS_RUN;
            }
        }
    }

    /** signal_wake_up: wake an interruptible sleeper, or interrupt user code so it does its work now. */
    private void onNotify(Notify n) {
        TaskControl t = allTasks.get(n.pid());
        if (t == null || t.state == 'X') {
            return;
        }
        if (t.cpu() != id) {
            // The task moved on since the signal was sent: its CPU now does signal_wake_up.
            post(new Notify(now, n.pid()), t.cpu(), ContextLevel.KERNEL, -2 - id);
            return;
        }
        // signal_wake_up: TASK_INTERRUPTIBLE for any signal, TASK_WAKEKILL (killable) for a fatal one.
        if (t.state == 'S' || t.state == 'D' && t.killable && kernel.userWork().fatalPending(t.pid)) {
            sched.signalWake(t);
        } else if (t == cur && frames.peek() == t.frame && t.frame.level == ContextLevel.USER
                && t.frame.status == Status.BUSY) {
            preempt(t.frame);
        }
    }

    /** A lockup detector's report about the frame {@code f} on top of this CPU. */
    void reportLockup(ReportKind kind, String title, Frame f, String op, List<String> details, String site) {
        Where w = f != null ? exec.whereFor(f, op) : new Where(id, now, ContextLevel.KERNEL, "idle", exec.comm(), cur.pid, op);
        gate.report(kind, title, cur.atomic, w, details, site);
    }

    /** khungtaskd's report about task {@code t}, with the locks it holds (hung_task_show_lock). */
    void reportHungTask(String title, TaskControl t, Where where, List<String> details, String site) {
        gate.report(ReportKind.HUNG_TASK, title, t.atomic, where, details, site);
    }

    /** panic(): the kernel log says so and the run stops at this instant. */
    void panic(String why) {
        exec.printk("Kernel panic - not syncing: " + why);
        if (stop == null) {
            stop = "kernel panic on cpu " + id + ": " + why;
        }
    }

    /** resched_curr() on this CPU's run queue. */
    void reschedCurr() {
        rq.reschedCurr();
    }

    /** current->comm: the running task's, swapper/N when idle. */
    String currentComm() {
        return exec.comm();
    }

    KernelObjects kernel() {
        return kernel;
    }

    boolean preemptible(TaskControl t) {
        if (t.frame.level == ContextLevel.USER) {
            return true;
        }
        return spec.preempt() == MachineSpec.Preempt.FULL && t.atomic.preemptCount() == 0 && !t.atomic.irqsDisabled();
    }

    // ---- the core loop ----

    /** Makes progress at the current instant until the CPU waits for time, a reply or an event. */
    private void advance() {
        while (!awaiting && failure == null) {
            AtomicState a = cur.atomic;
            if (lockups.timerDeferred && !a.irqsDisabled() && !a.inHardirq()) {
                lockups.fireDeferred();
            }
            if (!pendingNmis.isEmpty() && !a.inNmi()) {
                takeNmi();
                continue;
            }
            if (!pendingIrqs.isEmpty() && !a.irqsDisabled() && !a.inHardirq()) {
                takeIrq();
                continue;
            }
            if (timerSoftirqs != 0 && !a.irqsDisabled() && !a.inHardirq()) {
                timerTick(a);
                continue;
            }
            Frame top = frames.peek();
            if (top == null) {
                if (rq.nrRunning() == 0) {
                    // idle: a queued stopper runs now (schedule() from the idle loop)
                    lockups.stopperRuns();
                    return;
                }
                sched.schedule('R');
                if (cur == idle) {
                    // only throttled RT tasks are runnable: idle until the RT period timer
                    return;
                }
                continue;
            }
            if (top.status == Status.NEEDS_RUN && top.kind == Kind.TASK && top == cur.frame && rq.needResched()
                    && preemptible(cur)) {
                // A preemption point between operations: return to user mode, or preempt_enable with preempt=full
                sched.preemptRunning(top);
                continue;
            }
            switch (top.status) {
                case NEEDS_RUN -> {
                    sendRun(top);
                    if (awaiting) {
                        return;
                    }
                }
                case BUSY, WAITING -> {
                    return;
                }
                case PREEMPTED -> resume(top);
                case DONE -> finishFrame(top);
            }
        }
    }

    /**
     * The local timer interrupt for armed soft IRQ work: raise the due vectors, then irq_exit's
     * invoke_softirq runs them unless this CPU is already in interrupt context (or bottom halves are
     * off: local_bh_enable runs them) or leaves them to a runnable ksoftirqd.
     */
    private void timerTick(AtomicState a) {
        int bits = timerSoftirqs;
        timerSoftirqs = 0;
        pendingSoftirq |= bits;
        if (traceEnabled) {
            for (int b = bits; b != 0; b &= b - 1) {
                int bit = Integer.numberOfTrailingZeros(b);
                record("softirq_raise", "vec=" + bit + " [action=" + VECTORS[bit] + "]", bit);
            }
        }
        if (!a.inInterrupt() && !deferToKsoftirqd()) {
            startSoftirqLoop();
        }
    }

    private void sendRun(Frame f) {
        if (instantOfBursts != now) {
            instantOfBursts = now;
            burstsAtInstant = 0;
        }
        if (++burstsAtInstant > MAX_BURSTS_PER_INSTANT + (long) BURSTS_PER_TASK_PER_INSTANT * kernel.taskCount()) {
            failure = "cpu " + id + ": no progress in virtual time at " + now + "ns: " + f.name()
                    + " keeps running without taking time";
            return;
        }
        awaiting = true;
        runId++;
        exec.frame = f;
        kernel.routeReports(reportSink);
        List<dev.kctx.actors.program.Op> inject = f.inject;
        if (inject.isEmpty() && f.kind == Kind.TASK && f.level == ContextLevel.USER && kernel.userWork().pending(f.task.pid)) {
            inject = kernel.userWork().take(f.task.pid);
        }
        f.inject = List.of();
        boolean fresh = f.fresh;
        f.fresh = false;
        if (inlineBursts) {
            awaiting = false;
            apply(f, f.code.burst(exec, fresh, f.vector, inject));
            return;
        }
        f.entity.tell(new ContextProtocol.Run(runId, f.level, fresh, f.vector, exec, self, inject));
    }

    private void apply(Frame f, Outcome o) {
        if (!(o instanceof Outcome.Spin)) {
            f.spinSince = -1;
        }
        boolean voluntary = voluntaryPoint;
        voluntaryPoint = false;
        if (o == Outcome.Next.INSTANCE || o == Outcome.Checkpoint.INSTANCE) {
            f.status = Status.NEEDS_RUN;
        } else if (o instanceof Outcome.Busy b) {
            if (b.ns() == 0) {
                f.status = Status.NEEDS_RUN;
            } else {
                startBusy(f, b.ns());
            }
        } else if (o instanceof Outcome.Spin s) {
            f.status = Status.WAITING;
            f.waitingOn = "lock:" + s.lock();
            if (f.spinSince < 0) {
                f.spinSince = now;
            }
        } else if (o instanceof Outcome.Sleep s) {
            if (f.kind == Kind.TASK) {
                TaskControl t = f.task;
                post(new WakeUp(now + s.ns(), new WaitHandle(id, t, t.waitToken), true), id, ContextLevel.KERNEL, f.source);
                sleepTask(s.state());
            } else {
                startBusy(f, s.ns());
            }
        } else if (o instanceof Outcome.Block b) {
            if (f.kind == Kind.TASK) {
                sleepTask(b.state());
            } else {
                f.status = Status.WAITING;
                f.waitingOn = "wait:" + b.on();
            }
        } else if (o == Outcome.Yield.INSTANCE || o == Outcome.SchedYield.INSTANCE) {
            f.status = Status.NEEDS_RUN;
            if (f.kind == Kind.TASK) {
                if (o == Outcome.SchedYield.INSTANCE) {
                    rq.yieldCurr(now);
                }
                if (rq.othersWaiting() || sched.mustLeave(f.task)) {
                    schedPreemptions++;
                    sched.schedule('R');
                } else {
                    // __schedule picks the stopper thread if it waits, then this task again
                    lockups.stopperRuns();
                    rq.clearNeedResched();
                }
            }
        } else if (o == Outcome.RunSoftirqs.INSTANCE) {
            f.status = Status.NEEDS_RUN;
            if (pendingSoftirq != 0) {
                startSoftirqLoop();
            }
        } else if (o == Outcome.Exit.INSTANCE) {
            f.status = Status.DONE;
        } else if (o instanceof Outcome.Failed fail) {
            failure = "cpu " + id + ", " + f.name() + ": " + fail.message();
        } else {
            throw new IllegalStateException("unhandled outcome " + o);
        }
        if (voluntary && f.kind == Kind.TASK && cur == f.task && frames.peek() == f && rq.needResched()
                && (f.status == Status.NEEDS_RUN || f.status == Status.BUSY)) {
            // might_resched at a might_sleep point (PREEMPT_VOLUNTARY, include/linux/kernel.h): the call goes on when
            // the task runs again
            sched.preemptRunning(f);
        }
    }

    /**
     * A might_sleep-annotated call passed its check in this burst while need_resched was set, in a
     * task that may schedule (preempt_count 0, interrupts on) on a PREEMPT_VOLUNTARY machine.
     */
    private boolean voluntaryPoint;

    private void startBusy(Frame f, long ns) {
        f.status = Status.BUSY;
        f.busyEnd = now + ns;
        f.gen = ++stepGen;
        if (poster != null) {
            poster.postStepEnd(f.busyEnd, f.gen, f.level, id, f.source);
        } else {
            post(new StepDone(f.busyEnd, f.gen, f.level), id, f.level, f.source);
        }
    }

    /** The top frame is interrupted at this instant; it keeps the cost it has left. */
    void preempt(Frame f) {
        if (f.status == Status.BUSY) {
            f.remaining = f.busyEnd - now;
            f.wasWaiting = false;
            f.status = Status.PREEMPTED;
            stepGen++;
            if (traceEnabled) {
                record("kctx_preempt", "ctx=\"" + f.name() + "\" remaining=" + f.remaining + "ns", 0);
            }
        } else if (f.status == Status.WAITING) {
            f.remaining = 0;
            f.wasWaiting = true;
            f.status = Status.PREEMPTED;
            if (traceEnabled) {
                record("kctx_preempt", "ctx=\"" + f.name() + "\" waiting_on=" + f.waitingOn, 0);
            }
        }
    }

    void resume(Frame f) {
        if (f.kind == Kind.TASK && f.level == ContextLevel.USER && kernel.userWork().pending(f.task.pid)) {
            // Return to user mode with work pending: the work runs first, then what was left of the step.
            List<dev.kctx.actors.program.Op> work = new ArrayList<>(kernel.userWork().take(f.task.pid));
            if (!f.wasWaiting && f.remaining > 0) {
                work.add(new dev.kctx.actors.program.Ops.Compute(f.remaining));
            }
            if (traceEnabled) {
                record("kctx_resume", "ctx=\"" + f.name() + "\" user_work=" + work.size() + " remaining=" + f.remaining + "ns", 0);
            }
            f.inject = work;
            f.remaining = 0;
            f.wasWaiting = false;
            f.status = Status.NEEDS_RUN;
            return;
        }
        if (f.wasWaiting || f.remaining == 0) {
            f.wasWaiting = false;
            f.status = Status.NEEDS_RUN;
        } else {
            if (traceEnabled) {
                record("kctx_resume", "ctx=\"" + f.name() + "\" remaining=" + f.remaining + "ns", 0);
            }
            startBusy(f, f.remaining);
            f.remaining = 0;
        }
    }

    private void takeIrq() {
        IrqLine line = pendingIrqs.firstLine();
        long arrival = pendingIrqs.firstArrival();
        pendingIrqs.removeFirst();
        if (!kernel.irqEnter(line.line(), id)) {
            // The line's handler runs on another CPU right now: that CPU runs it again (no second copy here).
            irqsMerged++;
            if (traceEnabled) {
                record("kctx_irq_replay", "irq=" + line.line() + " name=" + line.name() + " in progress elsewhere", line.line());
            }
            return;
        }
        Frame top = frames.peek();
        if (top != null && (top.status == Status.BUSY || top.status == Status.WAITING)) {
            preempt(top);
            irqPreemptions++;
        }
        AtomicState a = cur.atomic;
        a.hardirqEnter();
        Frame f = frame(spareIrq, Kind.IRQ, line.source(), ContextLevel.HARDIRQ, line.entity(), line.code(), irqContextName(line));
        spareIrq = null;
        f.line = line;
        f.arrival = arrival;
        f.savedIrqsDisabled = a.irqsDisabled();
        a.setIrqsDisabled(true);
        frames.push(f);
        irqsHandled++;
        irqLatency.recordValue(now - f.arrival);
        if (traceEnabled) {
            record("irq_handler_entry", "irq=" + line.line() + " name=" + line.name(), line.line());
        }
    }

    /**
     * An NMI is taken (exc_nmi, arch/x86/kernel/nmi.c, Linux 6.6): whatever the IRQ state, over a
     * running hard IRQ handler too, at this instant. irqentry_nmi_enter does __nmi_enter: preempt_count
     * gains NMI_OFFSET + HARDIRQ_OFFSET; interrupts stay disabled in the handler.
     */
    private void takeNmi() {
        IrqLine line = pendingNmis.firstLine();
        long arrival = pendingNmis.firstArrival();
        pendingNmis.removeFirst();
        Frame top = frames.peek();
        if (top != null && (top.status == Status.BUSY || top.status == Status.WAITING)) {
            preempt(top);
            irqPreemptions++;
        }
        AtomicState a = cur.atomic;
        a.nmiEnter();
        Frame f = new Frame(Kind.IRQ, line.source(), ContextLevel.HARDIRQ, line.entity(), line.code(),
                "nmi " + line.line() + " " + line.name());
        f.line = line;
        f.arrival = arrival;
        f.savedIrqsDisabled = a.irqsDisabled();
        a.setIrqsDisabled(true);
        frames.push(f);
        f.nmiStart = now;
        irqsHandled++;
    }

    /**
     * The NMI handler returned: nmi_handle traces nmi:nmi_handler ("%ps() delta_ns: %lld handled: %d",
     * include/trace/events/nmi.h) and irqentry_nmi_exit undoes __nmi_enter. No soft IRQ runs on the
     * way out (nmi_exit has no irq_exit's invoke_softirq).
     */
    private void finishNmi(Frame f) {
        if (traceEnabled) {
            record("nmi_handler", f.line.name() + "() delta_ns: " + (now - f.arrival) + " handled: 1", f.line.line());
        }
        AtomicState a = cur.atomic;
        a.setIrqsDisabled(f.savedIrqsDisabled);
        a.nmiExit();
        frames.pop();
        afterPop();
    }

    private void finishFrame(Frame f) {
        if (f.kind == Kind.IRQ && f.line.nmi()) {
            finishNmi(f);
            return;
        }
        switch (f.kind) {
            case IRQ -> {
                if (traceEnabled) {
                    record("irq_handler_exit", "irq=" + f.line.line() + " ret=handled", f.line.line());
                }
                if (kernel.irqReplayRequested(f.line.line())) {
                    irqsHandled++;
                    if (traceEnabled) {
                        record("irq_handler_entry", "irq=" + f.line.line() + " name=" + f.line.name(), f.line.line());
                    }
                    f.fresh = true;
                    f.status = Status.NEEDS_RUN;
                    return;
                }
                if (f.line.threaded()) {
                    // __handle_irq_event_percpu: IRQ_WAKE_THREAD → __irq_wake_thread; IRQF_ONESHOT keeps the line masked
                    if (f.line.oneshot()) {
                        kernel.irqMask(f.line.line());
                    }
                    for (WaitHandle h : kernel.waitQueue(IrqThread.queue(f.line.line())).signal()) {
                        sched.wakeUp(h, f.source, false);
                    }
                }
                kernel.irqExit(f.line.line());
                AtomicState a = cur.atomic;
                if (!a.irqsDisabled()) {
                    handlerEnabledIrqs(f);
                }
                a.setIrqsDisabled(f.savedIrqsDisabled);
                a.hardirqExit();
                frames.pop();
                spareIrq = f;
                if (!a.inInterrupt() && pendingSoftirq != 0 && !deferToKsoftirqd()) {
                    startSoftirqLoop();
                } else {
                    afterPop();
                }
            }
            case SOFTIRQ -> {
                if (f.tasklet != null) {
                    if (traceEnabled) {
                        record("tasklet_exit", "tasklet=" + f.tasklet, 0);
                    }
                    for (int other : kernel.taskletDone(f.tasklet)) {
                        post(new TaskletRetry(now, f.tasklet), other, ContextLevel.SOFTIRQ, f.source);
                    }
                    f.tasklet = null;
                    f.entity = softirqEntity;
                    f.code = softirqCode;
                    if (nextTasklet(f)) {
                        return;
                    }
                }
                if (traceEnabled) {
                    record("softirq_exit", "vec=" + f.vector.ordinal() + " [action=" + f.vector + "]", f.vector.ordinal());
                }
                nextVector(f);
            }
            case TASK -> {
                TaskControl t = f.task;
                if (traceEnabled) {
                    record("sched_process_exit", "comm=" + t.comm + " pid=" + t.pid + " prio=" + t.prio(), t.pid);
                }
                if (!t.user && t.atomic.holdsAnyLock()) {
                    reportLocksHeldAtExit(f, t);
                }
                for (WaitHandle h : kernel.taskExited(t.pid, t.exitCode)) {
                    sched.wakeUp(h, t.source, false);
                }
                sched.schedule('X');
            }
        }
    }

    /**
     * __handle_irq_event_percpu (kernel/irq/handle.c, Linux 6.6) after the handler returned, its
     * irq_handler_exit traced: {@code WARN_ONCE(!irqs_disabled(), "irq %u handler %pS enabled
     * interrupts\n", ...)}, then local_irq_disable(). Once per line, as WARN_ONCE's flag is per
     * call site and kctx names the site by the line. kctx prints the handler as the line's name
     * (%pS would add +offset/size) and the WARNING line without its source line number.
     */
    private void handlerEnabledIrqs(Frame f) {
        if (!kernel.warnOnce("genirq " + f.line.line())) {
            return;
        }
        gate.report(ReportKind.IRQ_HANDLER_ENABLED_IRQS,
                "irq " + f.line.line() + " handler " + f.line.name() + " enabled interrupts", cur.atomic,
                exec.whereFor(f, "return from handler"),
                List.of("WARNING: CPU: " + id + " PID: " + cur.pid + " at kernel/irq/handle.c __handle_irq_event_percpu"));
    }

    /**
     * do_exit's debug_check_no_locks_held: a kernel thread whose function returned holding locks
     * (lockdep's print_held_locks_bug). A process cannot get here with a lock it has not already
     * been reported for: it returned to user space holding it (lock-held-returning-to-user).
     */
    private void reportLocksHeldAtExit(Frame f, TaskControl t) {
        // The report lists the held locks ("1 lock held by flusher/11: #0: ..."), as lockdep_print_held_locks does.
        gate.report(ReportKind.LOCKS_HELD_AT_EXIT, "WARNING: " + t.comm + "/" + t.pid + " still has locks held!", t.atomic,
                exec.whereFor(f, "do_exit"), List.of());
    }

    /** Kernels 4.9 to 6.4 left soft IRQs to a runnable ksoftirqd (ksoftirqd_running()). */
    private boolean deferToKsoftirqd() {
        return spec.softirqDeferToKsoftirqd() && ksoftirqd != null && ksoftirqd.state == 'R'
                && (pendingSoftirq & SOFTIRQ_NOW_MASK) == 0;
    }

    /** After an interrupt frame leaves: resume what it interrupted, or preempt the task on the way out. */
    private void afterPop() {
        Frame top = frames.peek();
        if (top == null) {
            return;
        }
        if (top.kind == Kind.TASK && rq.needResched() && preemptible(top.task)) {
            sched.preemptRunning(top);
            return;
        }
        if (top.status == Status.PREEMPTED) {
            resume(top);
        }
    }

    // ---- soft IRQs ----

    private void startSoftirqLoop() {
        AtomicState a = cur.atomic;
        a.softirqServeEnter();
        boolean inKsoftirqd = cur == ksoftirqd && frames.peek() == ksoftirqd.frame;
        String base = inKsoftirqd ? " (" + ksoftirqd.comm + ")" : "";
        Frame f = frame(spareSoftirq, Kind.SOFTIRQ, -2 - id, ContextLevel.SOFTIRQ, softirqEntity, softirqCode, "softirq");
        spareSoftirq = null;
        f.baseName = base;
        f.loopStart = now;
        f.restartsLeft = MAX_SOFTIRQ_RESTART;
        f.snapshot = pendingSoftirq;
        pendingSoftirq = 0;
        if (inKsoftirqd) {
            softirqsFromKsoftirqd++;
        }
        Frame below = frames.peek();
        if (below != null && (below.status == Status.BUSY || below.status == Status.WAITING)) {
            preempt(below);
        }
        frames.push(f);
        nextVector(f);
    }

    /** __do_softirq's loop: the next pending vector, a restart, or the hand-off to ksoftirqd. */
    private void nextVector(Frame f) {
        while (true) {
            if (f.snapshot != 0) {
                int bit = Integer.numberOfTrailingZeros(f.snapshot);
                f.snapshot &= ~(1 << bit);
                SoftirqVector v = VECTORS[bit];
                f.vector = v;
                f.name("softirq ", v, f.baseName);
                softirqVectorRuns++;
                if (raiseOrigin[bit] >= 0) {
                    irqToSoftirq.recordValue(now - raiseOrigin[bit]);
                    raiseOrigin[bit] = -1;
                }
                if (traceEnabled) {
                    record("softirq_entry", "vec=" + bit + " [action=" + v + "]", bit);
                }
                if (v == SoftirqVector.TASKLET && !spec.tasklets().isEmpty()) {
                    f.taskletBatch = new ArrayDeque<>(taskletQueue);
                    taskletQueue.clear();
                    if (nextTasklet(f)) {
                        return;
                    }
                    if (traceEnabled) {
                        record("softirq_exit", "vec=" + bit + " [action=" + v + "]", bit);
                    }
                    continue;
                }
                if (spec.softirqs().containsKey(v) || dev.kctx.actors.program.SoftirqTimers.due(kernel, id, v, now)) {
                    f.fresh = true;
                    f.status = Status.NEEDS_RUN;
                    return;
                }
                if (traceEnabled) {
                    record("softirq_exit", "vec=" + bit + " [action=" + v + "]", bit);
                }
                continue;
            }
            int pending = pendingSoftirq;
            if (pending != 0) {
                if (now - f.loopStart < MAX_SOFTIRQ_TIME_NS && !rq.needResched() && --f.restartsLeft > 0) {
                    f.snapshot = pending;
                    pendingSoftirq = 0;
                    continue;
                }
                wakeupSoftirqd();
            }
            cur.atomic.softirqServeExit();
            frames.pop();
            spareSoftirq = f;
            afterPop();
            return;
        }
    }

    /**
     * tasklet_action: the next tasklet of this run, or false when none is left. A tasklet running
     * on another CPU right now is put back and TASKLET_SOFTIRQ raised again, as the kernel does.
     */
    private boolean nextTasklet(Frame f) {
        while (!f.taskletBatch.isEmpty()) {
            String name = f.taskletBatch.poll();
            if (!kernel.tryRunTasklet(name)) {
                // Running on another CPU: the kernel would spin through tasklet_action until it
                // is free; the model queues it here again when that run ends (no zero-time loop).
                kernel.deferTasklet(name, id);
                continue;
            }
            f.tasklet = name;
            f.entity = taskletEntities.get(name);
            f.code = taskletCode.get(name);
            f.name("tasklet ", name, f.baseName);
            f.fresh = true;
            f.status = Status.NEEDS_RUN;
            if (traceEnabled) {
                record("tasklet_entry", "tasklet=" + name, 0);
            }
            return true;
        }
        return false;
    }

    private void wakeupSoftirqd() {
        TaskControl k = ksoftirqd;
        if (k == null || !k.sleeping() || k.wakePending) {
            return;
        }
        k.wakePending = true;
        k.wokenFromSoftirq = false;
        ksoftirqdWakeups++;
        if (traceEnabled) {
            record("sched_wakeup", "comm=" + k.comm + " pid=" + k.pid + " prio=" + k.prio() + " target_cpu="
                    + String.format("%03d", id), k.pid);
        }
        sched.wakeHere(k);
    }

    /** The running task sleeps: S, D, or K (TASK_KILLABLE: D in the trace and ps, and a fatal signal wakes it). */
    private void sleepTask(char state) {
        TaskControl t = cur;
        t.frame.status = Status.NEEDS_RUN;
        t.killable = state == 'K';
        char shown = state == 'K' ? 'D' : state;
        t.state = shown;
        sched.schedule(shown);
    }

    // ---- output ----

    private void onReport(Report r) {
        reports.add(r);
        if (traceEnabled) {
            record("kctx_report", r.kind().id() + ": " + r.title() + " op=\"" + r.where().op() + "\"", r.kind().ordinal());
        }
        if (r.kind().kernelKind()) {
            // the kernel prints its checkers' reports to the log buffer: dmesg shows them
            for (String line : r.logLines()) {
                exec.printk(line);
            }
        }
    }

    void post(Event e, int cpu, ContextLevel level, int source) {
        if (poster != null) {
            poster.post(e, cpu, level, source);
        } else {
            posted.add(new Posted(cpu, level, source, e));
        }
    }

    /** Events go straight to {@code p} from now on (a CPU the machine drives itself). */
    void postTo(Poster p) {
        this.poster = p;
    }

    /** Keeps a trace line; callers test {@code traceEnabled} first, so that a run without trace builds no text. */
    void record(String event, String args, int subject) {
        AtomicState a = cur.atomic;
        int flags = TraceRecord.flags(a.irqsDisabled(), a.bhDisabled(), rq.needResched(), a.inHardirq(),
                a.inServingSoftirq(), a.preemptDisableDepth());
        trace.add(new TraceRecord(now, id, cur.comm, cur.pid, flags, event, args, subject));
    }

    /** The CPU's state as lent to a context entity for one burst. */
    private final class LentExec implements ProgramRunner.BurstExec {
        Frame frame;
        private boolean retrying;
        private SplittableRandom random;

        @Override
        public void setRetrying(boolean r) {
            retrying = r;
        }

        @Override
        public void bindRandom(SplittableRandom r) {
            random = r;
        }

        @Override
        public long now() {
            return now;
        }

        @Override
        public int cpu() {
            return id;
        }

        @Override
        public ContextLevel level() {
            return frame.level;
        }

        @Override
        public String contextName() {
            return frame.name();
        }

        @Override
        public String comm() {
            return cur == idle ? "swapper/" + id : cur.comm;
        }

        @Override
        public int pid() {
            return cur.pid;
        }

        @Override
        public boolean taskContext() {
            return frame.kind == Kind.TASK;
        }

        @Override
        public AtomicState atomic() {
            return cur.atomic;
        }

        @Override
        public boolean retrying() {
            return retrying;
        }

        @Override
        public SplittableRandom random() {
            return random;
        }

        // The text of the call is made only when the gate is about to report (Gate.passes is the usual answer).
        @Override
        public boolean check(KernelCall call, String op) {
            return checked(call, Gate.passes(call, cur.atomic) || gate.check(call, cur.atomic, where(op)));
        }

        @Override
        public boolean check(KernelCall call, Describable op) {
            return checked(call, Gate.passes(call, cur.atomic) || gate.check(call, cur.atomic, where(op.describe())));
        }

        @Override
        public boolean check(KernelCall call, String fn, long arg) {
            return checked(call, Gate.passes(call, cur.atomic)
                    || gate.check(call, cur.atomic, where(Describable.call(fn, arg))));
        }

        @Override
        public boolean check(KernelCall call, String fn, String arg) {
            return checked(call, Gate.passes(call, cur.atomic)
                    || gate.check(call, cur.atomic, where(Describable.call(fn, arg))));
        }

        /** After a check: a passed might_sleep call with a reschedule pending is a voluntary preemption point. */
        private boolean checked(KernelCall call, boolean ok) {
            if (ok && spec.preempt() == MachineSpec.Preempt.VOLUNTARY && call.sleep() == KernelCall.Sleep.MIGHT_SLEEP
                    && frame.kind == Kind.TASK && rq.needResched() && cur.atomic.preemptCount() == 0
                    && !cur.atomic.irqsDisabled()) {
                voluntaryPoint = true;
            }
            return ok;
        }

        @Override
        public void report(ReportKind kind, String title, String op, List<String> details) {
            gate.report(kind, title, cur.atomic, where(op), details);
        }

        @Override
        public Where where(String op) {
            return whereFor(frame, op);
        }

        Where whereFor(Frame f, String op) {
            return new Where(id, now, f.level, f.name(), comm(), cur.pid, op);
        }

        @Override
        public boolean tracing() {
            return traceEnabled;
        }

        @Override
        public void trace(String event, String args) {
            if (traceEnabled) {
                record(event, args, 0);
            }
        }

        @Override
        public void touchWatchdog(boolean nmi) {
            lockups.touch(nmi);
        }

        @Override
        public void printk(String line) {
            long us = now / 1000;
            String formatted = String.format("[%5d.%06d] %s", us / 1_000_000, us % 1_000_000, line);
            dmesg.add(formatted);
            kernel.appendKernelLog(formatted);
        }

        @Override
        public void console(String line) {
            console.add(line);
        }

        @Override
        public <T> T taskLocal(Class<T> key, java.util.function.Supplier<T> init) {
            // get first: computeIfAbsent would capture init in a new lambda on every call
            Object v = cur.locals.get(key);
            if (v == null) {
                v = init.get();
                cur.locals.putIfAbsent(key, v);
            }
            return key.cast(v);
        }

        @Override
        public void raiseSoftirq(SoftirqVector v) {
            pendingSoftirq |= v.bit();
            if (raiseOrigin[v.ordinal()] < 0) {
                raiseOrigin[v.ordinal()] = frame.kind == Kind.IRQ ? frame.arrival : now;
            }
            if (traceEnabled) {
                record("softirq_raise", "vec=" + v.ordinal() + " [action=" + v + "]", v.ordinal());
            }
            if (!cur.atomic.inInterrupt()) {
                wakeupSoftirqd();
            }
        }

        @Override
        public void scheduleTasklet(String name) {
            if (!spec.tasklets().containsKey(name)) {
                throw new IllegalArgumentException("no tasklet '" + name + "'; declared: " + spec.tasklets().keySet());
            }
            if (kernel.scheduleTasklet(name)) {
                taskletQueue.add(name);
                raiseSoftirq(SoftirqVector.TASKLET);
            }
        }

        @Override
        public void softirqTimer(int cpu, long at, SoftirqVector vector) {
            post(new SoftirqTimer(at, vector), cpu, ContextLevel.HARDIRQ, frame.source);
        }

        @Override
        public boolean softirqPending() {
            return pendingSoftirq != 0;
        }

        @Override
        public KernelObjects kernel() {
            return kernel;
        }

        @Override
        public WaitHandle waitHandle() {
            if (frame.kind == Kind.TASK) {
                return new WaitHandle(id, frame.task, frame.task.waitToken);
            }
            return new WaitHandle(id, frame, frame.waitToken);
        }

        @Override
        public void wake(WaitHandle h) {
            sched.wakeUp(h, frame.source, frame.level == ContextLevel.SOFTIRQ);
        }

        @Override
        public void lockReleased(String lock, int spinningCpu) {
            post(new LockReleased(now, lock), spinningCpu, ContextLevel.KERNEL, frame.source);
        }

        @Override
        public void enterKernel(String syscall, int nr) {
            frame.level = ContextLevel.KERNEL;
            frame.name(frame.task.contextName(), " syscall ", syscall);
            if (traceEnabled && nr != dev.kctx.actors.program.Syscalls.EXCEPTION) {
                record("sys_enter", "NR " + nr + " (0, 0, 0, 0, 0, 0)", nr);
            }
        }

        @Override
        public boolean exitKernel(String syscall, int nr, long ret) {
            if (traceEnabled && nr != dev.kctx.actors.program.Syscalls.EXCEPTION) {
                record("sys_exit", "NR " + nr + " = " + ret, nr);
            }
            if (cur.atomic.irqsDisabled() && nr != dev.kctx.actors.program.Syscalls.EXCEPTION) {
                // syscall_exit_to_user_mode_prepare (kernel/entry/common.c, Linux 6.6, CONFIG_PROVE_LOCKING; a page fault
                // returns through irqentry_exit instead):
                // WARN(irqs_disabled(), "syscall %lu left IRQs disabled", nr), then local_irq_enable();
                // before lockdep_sys_exit's check of held locks
                gate.report(ReportKind.SYSCALL_LEFT_IRQS_DISABLED, "syscall " + nr + " left IRQs disabled", cur.atomic,
                        where("return from " + syscall),
                        List.of("WARNING: CPU: " + id + " PID: " + cur.pid
                                + " at kernel/entry/common.c syscall_exit_to_user_mode_prepare"));
                cur.atomic.setIrqsDisabled(false);
            }
            if (cur.atomic.holdsAnyLock()) {
                gate.report(ReportKind.LOCK_HELD_RETURNING_TO_USER, ReportKind.LOCK_HELD_RETURNING_TO_USER.title(),
                        cur.atomic, where("return from " + syscall),
                        List.of(cur.comm + "/" + cur.pid + " is leaving the kernel with locks still held!"));
            }
            frame.level = ContextLevel.USER;
            frame.name(frame.task.contextName());
            return rq.needResched();
        }

        @Override
        public boolean needResched() {
            return rq.needResched();
        }

        @Override
        public boolean notifyTask(int pid) {
            dev.kctx.actors.program.TaskInfo t = kernel.task(pid);
            if (t == null || t.exited()) {
                return false;
            }
            post(new Notify(now, pid), t.cpu(), ContextLevel.KERNEL, frame.source);
            return true;
        }

        @Override
        public int spawnProcess(String name, dev.kctx.actors.program.Program body, int cpu) {
            if (!body.userModeOnly()) {
                throw new IllegalArgumentException("process " + name + " runs kernel operations in user mode");
            }
            int target = cpu < 0 ? id : cpu;
            if (target >= spec.cpus()) {
                throw new IllegalArgumentException("no CPU " + target);
            }
            int pid = kernel.allocatePid();
            kernel.registerTask(new dev.kctx.actors.program.TaskInfo(pid, name, target, true));
            spawns.add(new Spawn(pid, name, body, target, now, cur == idle ? SchedAttr.DEFAULT : cur.attr(), cpu >= 0));
            return pid;
        }

        @Override
        public void setExitCode(int code) {
            cur.exitCode = code;
        }

        @Override
        public int cpus() {
            return spec.cpus();
        }

        @Override
        public void irqThreadDone() {
            IrqLine l = cur.irqLine;
            if (l != null && kernel.irqUnmask(l.line())) {
                post(new IrqArrive(now, l, false, false, true), l.cpus().get(0), ContextLevel.HARDIRQ, l.source());
            }
        }

        @Override
        public SchedAttr schedAttr(int pid) {
            TaskControl t = allTasks.get(pid);
            return t == null || t.state == 'X' ? null : t.attr();
        }

        @Override
        public boolean schedPerCpuThread(int pid) {
            TaskControl t = allTasks.get(pid);
            return t != null && t.noSetAffinity();
        }

        @Override
        public java.util.BitSet schedAffinity(int pid) {
            TaskControl t = allTasks.get(pid);
            if (t == null || t.state == 'X') {
                return null;
            }
            java.util.BitSet b = t.allowed();
            if (b == null) {
                b = new java.util.BitSet();
                b.set(0, spec.cpus());
            }
            return b;
        }

        @Override
        public boolean schedSet(int pid, SchedAttr attr, java.util.BitSet allowed) {
            TaskControl t = allTasks.get(pid);
            if (t == null || t.state == 'X') {
                return false;
            }
            if (allowed != null && t.noSetAffinity()) {
                throw new IllegalArgumentException(t.comm + " is a per-CPU kernel thread: its affinity cannot change");
            }
            SetAttr change = new SetAttr(now, pid, attr, allowed == null ? null : (java.util.BitSet) allowed.clone());
            if (t == cur) {
                sched.onSetAttr(change);
            } else {
                post(change, t.cpu(), ContextLevel.KERNEL, frame.source);
            }
            return true;
        }

        @Override
        public boolean needsCheckpoint() {
            AtomicState a = cur.atomic;
            if (!pendingIrqs.isEmpty() && !a.irqsDisabled() && !a.inHardirq()
                    || !pendingNmis.isEmpty() && !a.inNmi()) {
                return true;
            }
            // preempt=full: preempt_enable or spin_unlock that brings preempt_count to 0 with a reschedule
            // pending calls preempt_schedule at once (include/linux/preempt.h)
            return frame.kind == Kind.TASK && rq.needResched() && spec.preempt() == MachineSpec.Preempt.FULL
                    && frame.level == ContextLevel.KERNEL && a.preemptCount() == 0 && !a.irqsDisabled();
        }
    }
}
