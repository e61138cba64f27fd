package dev.kctx.bench;

import dev.kctx.actors.sched.RunQueue;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.sched.SchedSettings;
import dev.kctx.actors.sched.SchedTask;
import dev.kctx.mechanisms.bench.StandardWorkload;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.sock.SockMem;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The standard workload as a plain single-threaded discrete-event loop: a {@link PriorityQueue}
 * calendar, no actors, no programs, no checks, no trace. It makes the state updates the engine
 * makes for this workload (IRQ arrival, NET_RX raise, netlink enqueue, consumer wake-up, the
 * scheduler's decisions) with the engine's rules and event order, so it takes the same calendar
 * entries: {@link Result#events()} equals the engine's {@code RunResult.events()} (a test checks
 * it). Its cost per event is the floor the engine is measured against.
 *
 * <p>The scheduling rules are the engine's Cpu on a preempt=none machine, and the decisions are
 * made by the engine's own run queue ({@link RunQueue}: EEVDF, built with the spec's
 * {@link SchedSettings}), one per CPU:
 * <ul>
 * <li>a task's arrival is wake_up_new_task (activate with half a slice, then check_preempt_curr), a
 * consumer's wake-up is activate + check_preempt_curr; either way a task running in user mode
 * is preempted at once when need_resched is set;
 * <li>the tick is a KERNEL-level entry at the next multiple of TICK_NSEC, armed when a task is
 * switched in and no tick is pending, and again at each tick of a busy CPU; a tick that finds
 * the CPU idle is not re-armed (NO_HZ idle), and one whose generation is not the CPU's latest is
 * stale; a tick charges the running task and may set need_resched;
 * <li>need_resched is honoured at the preemption points of user mode: at interrupt exit, at the
 * return from recvmsg (which yields, or clears the flag when nobody else waits), and between
 * operations (a user-mode step ends); kernel code is not preempted; a pending need_resched also
 * keeps the soft IRQ loop from restarting;
 * <li>a switch is __schedule: a sleeper is deactivated, the run queue's pickNext chooses.
 * </ul>
 * Every task is pinned to its CPU (as the spec's processes are), so the engine's balancing
 * ({@code Balance}: wake-up placement, newidle, periodic and nohz pulls, RT push) never finds a
 * task to move and posts nothing; the baseline leaves it out.
 *
 * <p>It covers what the workload needs, no more: receive queues that would overflow, a line's
 * handler running on two CPUs at once, or soft IRQs handed to ksoftirqd are refused with an
 * {@link IllegalStateException} instead of being modelled.
 */
public final class Baseline {
    /**
     * What a run took: calendar entries, instants, messages sent and read, and the entries by
     * context level (HARDIRQ, SOFTIRQ, KERNEL, USER), which is the message mix a CPU's mailbox sees.
     */
    public record Result(long events, long rounds, long sent, long delivered, long[] eventsByLevel) {
    }

    // Calendar order of context levels (the engine's mailbox priority): HARDIRQ first.
    private static final int HARDIRQ = 0;
    private static final int SOFTIRQ = 1;
    private static final int KERNEL = 2;
    private static final int USER = 3;

    private static final int IRQ_ARRIVE = 0;
    private static final int STEP_DONE = 1;
    private static final int WAKE_UP = 2;
    private static final int TASK_ARRIVE = 3;
    private static final int TICK = 4;

    private static final int NEEDS_RUN = 0;
    private static final int BUSY = 1;
    private static final int PREEMPTED = 2;
    private static final int DONE = 3;

    private static final int IRQ_FRAME = 0;
    private static final int SOFTIRQ_FRAME = 1;
    private static final int TASK_FRAME = 2;

    /** What a burst ended with. */
    private static final long EXIT = -1;
    private static final long BLOCK = -2;
    private static final long YIELD = -3;

    private static final int MAX_SOFTIRQ_RESTART = 10;
    private static final long MAX_SOFTIRQ_TIME_NS = 2_000_000L;

    private static final class Event {
        final long time;
        final int cpu;
        final int rank;
        final int source;
        final long seq;
        final int kind;
        final long gen;
        final Task task;

        Event(long time, int cpu, int rank, int source, long seq, int kind, long gen, Task task) {
            this.time = time;
            this.cpu = cpu;
            this.rank = rank;
            this.source = source;
            this.seq = seq;
            this.kind = kind;
            this.gen = gen;
            this.task = task;
        }
    }

    private static final Comparator<Event> ORDER = Comparator.comparingLong((Event e) -> e.time)
            .thenComparingInt(e -> e.cpu).thenComparingInt(e -> e.rank).thenComparingInt(e -> e.source)
            .thenComparingLong(e -> e.seq);

    private static final class Frame {
        final int kind;
        final int source;
        final Task task;
        int level;
        int status = NEEDS_RUN;
        boolean fresh = true;
        long busyEnd;
        long gen;
        long remaining;
        // a task's place in its program; an IRQ handler's step
        int pc;
        // soft IRQ: a NET_RX run pending, restarts left, when the loop began, packets of this run
        boolean snapshot;
        int restartsLeft;
        long loopStart;
        long packetsLeft;
        boolean sendNext;

        Frame(int kind, int level, int source, Task task) {
            this.kind = kind;
            this.level = level;
            this.source = source;
            this.task = task;
        }
    }

    /** A process: its scheduling part is the engine's {@link SchedTask}, queued on its CPU's run queue. */
    private static final class Task extends SchedTask {
        final int source;
        final int port;
        char state = 'R';
        long waitToken;
        boolean wakePending;
        Frame frame;
        // a consumer's socket: bound, messages queued, a waiter registered
        boolean bound;
        long backlog;
        boolean waiting;

        Task(int source, String comm, int cpu, int port) {
            // the pid only names the task in the run queue's messages; the source id serves
            super(source, comm, cpu, SchedAttr.DEFAULT);
            this.source = source;
            this.port = port;
            BitSet only = new BitSet();
            only.set(cpu);
            setAllowed(only);
        }

        boolean consumer() {
            return port >= 0;
        }

        boolean sleeping() {
            return state == 'S';
        }
    }

    private final Params p;
    private final PriorityQueue<Event> calendar = new PriorityQueue<>(ORDER);
    private final Cpu[] cpus;
    private final Task[] consumers;
    private final List<Task> tasks = new ArrayList<>();
    private final long truesize = SockMem.truesize(NlMsg.length(List.of(
            NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, 0, 0, 0, "packet"))));
    private long seq;
    private long ringQueued;
    private long ringNext;
    private long sent;
    private long delivered;
    private int arrivals;

    public Baseline(Params p) {
        this.p = p;
        this.cpus = new Cpu[p.cpus()];
        SchedSettings sched = StandardWorkload.spec(p).sched();
        Set<String> printedOnce = new HashSet<>();
        for (int c = 0; c < cpus.length; c++) {
            cpus[c] = new Cpu(c, new RunQueue(c, sched, printedOnce));
        }
        // Sources as the machine numbers them: the IRQ line, one ksoftirqd per CPU, then the processes.
        int source = 1 + p.cpus();
        consumers = new Task[p.consumers()];
        for (int i = 0; i < p.consumers(); i++) {
            consumers[i] = new Task(source++, "consumer" + i, p.consumerCpu(i), StandardWorkload.PORT0 + i);
            tasks.add(consumers[i]);
        }
        for (int i = 0; i < p.hogs(); i++) {
            tasks.add(new Task(source++, "hog" + i, p.hogCpu(i), -1));
        }
    }

    /** Runs the workload with {@code p} until virtual time {@code untilNs}. */
    public static Result run(Params p, long untilNs) {
        return new Baseline(p).run(untilNs);
    }

    private Result run(long until) {
        for (Task t : tasks) {
            post(0, t.cpu(), USER, t.source, TASK_ARRIVE, 0, t);
        }
        post(p.irqPeriodNs(), 0, HARDIRQ, 0, IRQ_ARRIVE, 0, null);
        long events = 0;
        long rounds = 0;
        long[] byLevel = new long[4];
        List<List<Event>> byCpu = new ArrayList<>();
        for (int c = 0; c < cpus.length; c++) {
            byCpu.add(new ArrayList<>());
        }
        while (!calendar.isEmpty() && calendar.peek().time <= until) {
            long now = calendar.peek().time;
            rounds++;
            while (!calendar.isEmpty() && calendar.peek().time == now) {
                Event e = calendar.poll();
                events++;
                byLevel[e.rank]++;
                byCpu.get(e.cpu).add(e);
                if (e.kind == IRQ_ARRIVE) {
                    int n = arrivals++;
                    post(now + p.irqPeriodNs(), (n + 1) % cpus.length, HARDIRQ, 0, IRQ_ARRIVE, 0, null);
                }
            }
            for (int c = 0; c < cpus.length; c++) {
                List<Event> mine = byCpu.get(c);
                for (Event e : mine) {
                    cpus[c].handle(e);
                }
                mine.clear();
            }
        }
        return new Result(events, rounds, sent, delivered, byLevel);
    }

    private void post(long time, int cpu, int rank, int source, int kind, long gen, Task task) {
        calendar.add(new Event(time, cpu, rank, source, seq++, kind, gen, task));
    }

    /** netlink_unicast to consumer {@code i}: enqueue, and wake it if it waits in recvmsg. */
    private void deliver(int i, Frame from, long now) {
        Task t = consumers[i];
        sent++;
        if (!t.bound) {
            return; // ECONNREFUSED: nobody holds the port yet
        }
        if (t.backlog * truesize > SockMem.RMEM_DEFAULT) {
            throw new IllegalStateException("baseline: a receive queue would overflow (not modelled)");
        }
        t.backlog++;
        if (t.waiting) {
            t.waiting = false;
            if (t.sleeping() && !t.wakePending) {
                t.wakePending = true;
                post(now, t.cpu(), KERNEL, from.source, WAKE_UP, t.waitToken, t);
            }
        }
    }

    /** One CPU: the engine's Cpu rules for what this workload does. */
    private final class Cpu {
        final int id;
        final ArrayDeque<Frame> frames = new ArrayDeque<>();
        final RunQueue rq;
        final long tickNs;
        /** The running task; null while idle. */
        Task cur;
        long now;
        boolean pendingIrq;
        boolean pendingSoftirq;
        boolean irqsDisabled;
        int hardirqDepth;
        boolean servingSoftirq;
        long stepGen;
        /** The pending tick's generation; a tick of another generation is stale. */
        long tickGen;
        /** When the pending tick fires, or -1 when none is pending. */
        long tickAt = -1;

        Cpu(int id, RunQueue rq) {
            this.id = id;
            this.rq = rq;
            this.tickNs = rq.settings().tickNs();
        }

        void handle(Event e) {
            now = Math.max(now, e.time);
            switch (e.kind) {
                case IRQ_ARRIVE -> pendingIrq = true;
                case STEP_DONE -> {
                    Frame top = frames.peek();
                    if (top != null && top.status == BUSY && top.gen == e.gen) {
                        top.status = NEEDS_RUN;
                    }
                }
                case WAKE_UP -> {
                    Task t = e.task;
                    if (t.waitToken == e.gen && t.sleeping()) {
                        t.waitToken++;
                        t.wakePending = false;
                        t.state = 'R';
                        rq.activate(t, false, now);
                        rq.checkPreempt(t, now);
                        preemptIfNeeded();
                    }
                }
                case TASK_ARRIVE -> {
                    // wake_up_new_task: pinned, so select_task_rq keeps it here
                    Task t = e.task;
                    t.state = 'R';
                    t.frame = new Frame(TASK_FRAME, USER, t.source, t);
                    rq.activate(t, true, now);
                    rq.checkPreempt(t, now);
                    preemptIfNeeded();
                }
                case TICK -> onTick(e.gen);
                default -> throw new IllegalStateException("unknown event " + e.kind);
            }
            advance();
        }

        void advance() {
            while (true) {
                if (pendingIrq && !irqsDisabled && hardirqDepth == 0) {
                    takeIrq();
                    continue;
                }
                Frame top = frames.peek();
                if (top == null) {
                    if (rq.nrRunning() == 0) {
                        return;
                    }
                    schedule('R');
                    continue;
                }
                if (top.status == NEEDS_RUN && top.kind == TASK_FRAME && top.level == USER && rq.needResched()) {
                    // the preemption point between operations (a user-mode step has ended)
                    schedule('+');
                    continue;
                }
                switch (top.status) {
                    case NEEDS_RUN -> apply(top, burst(top));
                    case BUSY -> {
                        return;
                    }
                    case PREEMPTED -> resume(top);
                    default -> finishFrame(top);
                }
            }
        }

        /** The frame's code until it takes time, blocks, yields or ends: the cost, or EXIT, BLOCK, YIELD. */
        long burst(Frame f) {
            boolean fresh = f.fresh;
            f.fresh = false;
            return switch (f.kind) {
                case IRQ_FRAME -> {
                    if (fresh) {
                        f.pc = 0;
                    }
                    if (f.pc++ == 0) {
                        yield StandardWorkload.HARDIRQ_NS;
                    }
                    ringQueued++;
                    pendingSoftirq = true;
                    yield EXIT;
                }
                case SOFTIRQ_FRAME -> {
                    if (fresh) {
                        f.packetsLeft = ringQueued;
                        ringQueued = 0;
                        f.sendNext = false;
                    }
                    if (f.sendNext) {
                        f.sendNext = false;
                        f.packetsLeft--;
                        deliver((int) (ringNext++ % consumers.length), f, now);
                        yield Netlink.SEND_NS;
                    }
                    if (f.packetsLeft == 0) {
                        yield EXIT;
                    }
                    f.sendNext = true;
                    yield StandardWorkload.PER_PACKET_NS;
                }
                default -> f.task.consumer() ? consumerBurst(f) : StandardWorkload.HOG_STEP_NS;
            };
        }

        /**
         * socket, bind, then forever: sys_enter, recvmsg's body, sys_exit, compute. The first burst
         * starts with need_resched clear and sets nothing, so socket's and bind's returns never yield.
         */
        long consumerBurst(Frame f) {
            Task t = f.task;
            while (true) {
                switch (f.pc) {
                    case 0 -> {
                        t.bound = true;
                        f.pc = 1;
                    }
                    case 1 -> {
                        f.level = KERNEL;
                        f.pc = 2;
                    }
                    case 2 -> {
                        if (t.backlog == 0) {
                            t.waiting = true;
                            return BLOCK;
                        }
                        t.backlog--;
                        delivered++;
                        f.pc = 3;
                        return Netlink.RECV_NS;
                    }
                    case 3 -> {
                        // exitKernel: back in user mode, need_resched makes the return yield
                        f.level = USER;
                        f.pc = 4;
                        if (rq.needResched()) {
                            return YIELD;
                        }
                    }
                    default -> {
                        f.pc = 1;
                        return StandardWorkload.CONSUME_NS;
                    }
                }
            }
        }

        void apply(Frame f, long outcome) {
            if (outcome > 0) {
                startBusy(f, outcome);
            } else if (outcome == EXIT) {
                f.status = DONE;
            } else if (outcome == BLOCK) {
                f.status = NEEDS_RUN;
                cur.state = 'S';
                schedule('S');
            } else if (outcome == YIELD) {
                f.status = NEEDS_RUN;
                if (rq.othersWaiting()) {
                    schedule('R');
                } else {
                    rq.clearNeedResched();
                }
            } else {
                f.status = NEEDS_RUN;
            }
        }

        void startBusy(Frame f, long ns) {
            f.status = BUSY;
            f.busyEnd = now + ns;
            f.gen = ++stepGen;
            post(f.busyEnd, id, f.level, f.source, STEP_DONE, f.gen, null);
        }

        void preempt(Frame f) {
            if (f.status == BUSY) {
                f.remaining = f.busyEnd - now;
                f.status = PREEMPTED;
                stepGen++;
            }
        }

        void resume(Frame f) {
            if (f.remaining == 0) {
                f.status = NEEDS_RUN;
            } else {
                startBusy(f, f.remaining);
                f.remaining = 0;
            }
        }

        void takeIrq() {
            pendingIrq = false;
            Frame top = frames.peek();
            if (top != null && top.status == BUSY) {
                preempt(top);
            }
            hardirqDepth++;
            irqsDisabled = true;
            frames.push(new Frame(IRQ_FRAME, HARDIRQ, 0, null));
        }

        void finishFrame(Frame f) {
            if (f.kind == IRQ_FRAME) {
                irqsDisabled = false;
                hardirqDepth--;
                frames.pop();
                if (hardirqDepth == 0 && !servingSoftirq && pendingSoftirq) {
                    startSoftirqLoop();
                } else {
                    afterPop();
                }
            } else if (f.kind == SOFTIRQ_FRAME) {
                nextVector(f);
            } else {
                throw new IllegalStateException("baseline: the workload's tasks never end");
            }
        }

        /** Interrupt exit: a user-mode task with need_resched set is preempted, else what was interrupted resumes. */
        void afterPop() {
            Frame top = frames.peek();
            if (top == null) {
                return;
            }
            if (top.kind == TASK_FRAME && rq.needResched() && top.level == USER) {
                preempt(top);
                schedule('+');
                return;
            }
            if (top.status == PREEMPTED) {
                resume(top);
            }
        }

        void startSoftirqLoop() {
            servingSoftirq = true;
            Frame f = new Frame(SOFTIRQ_FRAME, SOFTIRQ, -2 - id, null);
            f.loopStart = now;
            f.restartsLeft = MAX_SOFTIRQ_RESTART;
            f.snapshot = true;
            pendingSoftirq = false;
            Frame below = frames.peek();
            if (below != null && below.status == BUSY) {
                preempt(below);
            }
            frames.push(f);
            nextVector(f);
        }

        /** __do_softirq: NET_RX if this pass has it, a restart if it was raised again, else the end. */
        void nextVector(Frame f) {
            while (true) {
                if (f.snapshot) {
                    f.snapshot = false;
                    f.fresh = true;
                    f.status = NEEDS_RUN;
                    return;
                }
                if (pendingSoftirq) {
                    if (now - f.loopStart < MAX_SOFTIRQ_TIME_NS && !rq.needResched() && --f.restartsLeft > 0) {
                        f.snapshot = true;
                        pendingSoftirq = false;
                        continue;
                    }
                    throw new IllegalStateException("baseline: soft IRQs handed to ksoftirqd (not modelled)");
                }
                servingSoftirq = false;
                frames.pop();
                afterPop();
                return;
            }
        }

        /** need_resched was set: a task running in user mode leaves the CPU now; otherwise at the next point. */
        void preemptIfNeeded() {
            if (!rq.needResched() || cur == null) {
                return;
            }
            Frame top = frames.peek();
            if (top == cur.frame && top.level == USER && top.status != NEEDS_RUN && top.status != DONE) {
                preempt(top);
                schedule('+');
            }
        }

        /** scheduler_tick: charge the running task (need_resched may follow), arm the next; none while idle. */
        void onTick(long gen) {
            if (gen != tickGen) {
                return;
            }
            tickAt = -1;
            if (cur == null) {
                return;
            }
            rq.tick(now);
            armTick();
            preemptIfNeeded();
        }

        /** The next tick at the next multiple of TICK_NSEC, if none is pending. */
        void armTick() {
            if (tickAt >= now) {
                return;
            }
            tickAt = (now / tickNs + 1) * tickNs;
            tickGen++;
            post(tickAt, id, KERNEL, -2 - id, TICK, tickGen, null);
        }

        /** __schedule: the current task off the CPU (deactivated if it sleeps), the run queue's pick on; null is idle. */
        void schedule(char prevState) {
            Task prev = cur;
            if (prev != null) {
                Frame f = frames.pop();
                if (f != prev.frame || !frames.isEmpty()) {
                    throw new IllegalStateException("baseline: schedule() with interrupt frames on the stack");
                }
                if (prevState != 'R' && prevState != '+' && prev.queued()) {
                    rq.deactivate(prev, now);
                }
            }
            Task next = (Task) rq.pickNext(prev, now);
            cur = next;
            if (next == null) {
                return;
            }
            frames.push(next.frame);
            if (next.frame.status == PREEMPTED) {
                resume(next.frame);
            }
            armTick();
        }
    }
}
