package dev.kctx.mechanisms.deferred;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqTimers;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.LockClassKind;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The system workqueue, system_wq (kernel/workqueue.c), with one worker: queue_work hands a work
 * item to the kernel thread kworker/N:1 of CPU N, which runs it in process context, where it may
 * sleep.
 *
 * <p>Named work items ({@code DECLARE_WORK(name, func)}, {@link #declare}) follow the kernel's
 * rules:
 * <ul>
 * <li>queue_work / schedule_work ({@link #queueWork(Exec, String)}) are legal in any context
 *     (queue_work_on: local_irq_save around __queue_work, no might_sleep) and return false when the
 *     item is already pending (test_and_set_bit(WORK_STRUCT_PENDING_BIT)): it is not queued twice.
 *     An item that is running (its pending bit cleared by process_one_work before the function is
 *     called) may be queued again and runs again.</li>
 * <li>The worker runs each item as process_one_work does: lock_map_acquire on the workqueue's
 *     lockdep map ({@value #WQ_MAP}) and on the work's ({@code (work_completion)(NAME)}), the
 *     function, then lock_map_release of both.</li>
 * <li>flush_work ({@link Flush}) is __flush_work: lock_map_acquire/lock_map_release on the work's
 *     lockdep map (so holding a lock L across flush_work(W) when W's function takes L is lockdep's
 *     circular dependency L -> W -> L, found whether or not the run deadlocks), then
 *     start_flush_work's might_sleep, then a wait until the item is neither pending nor running.
 *     start_flush_work takes the workqueue's map too only for an ordered (max_active == 1) or
 *     rescuer workqueue, which system_wq is not, so kctx does not.</li>
 * <li>cancel_work_sync ({@link Flush} with {@code cancel}) is __cancel_work_timer: takes the item
 *     off the queue if it is pending (try_to_grab_pending), then __flush_work(work, true), which in
 *     6.6 does the same lock_map_acquire on the work's map and waits for a running instance.</li>
 * </ul>
 *
 * <p>Simplifications, said plainly: the kernel's system_wq is per-CPU, queue_work puts an item on
 * the queueing CPU's worker pool, and concurrency management (wq_worker_sleeping, need_more_worker)
 * wakes or creates another kworker when the running one sleeps. kctx has one worker, on the CPU
 * given to {@link #install}, running every item in the order queued, one at a time: a sleeping item
 * delays the next, never runs beside it. Items of one name therefore never run concurrently, as on
 * a per-CPU pool (the kernel's non-reentrancy guarantee). flush_work waits until the item is idle,
 * not for exactly the instance queued when it was called (the kernel's wq_barrier inserted after
 * it): the two differ only for an item requeued while being flushed. Anonymous items
 * ({@link #queueWork(Exec, List)}, the upcall helper's) take no lockdep maps.
 */
public final class Workqueue {
    private static final String QUEUE = "workqueue:system";
    /** The lockdep map of system_wq (alloc_workqueue("events", ...): "(wq_completion)" + name). */
    public static final String WQ_MAP = "(wq_completion)events";

    /** One queued item: a named work (its function looked up when it runs) or an anonymous body. */
    private record Item(String name, List<Op> ops) {
    }

    private final Map<String, List<Op>> declared;
    private final Deque<Item> queued = new ArrayDeque<>();
    private final Set<String> pending = new HashSet<>();
    private final Map<String, Integer> running = new LinkedHashMap<>();

    private Workqueue(Map<String, List<Op>> declared) {
        this.declared = declared;
    }

    public static Workqueue of(KernelObjects k) {
        return k.extension(Workqueue.class, () -> new Workqueue(Map.of()));
    }

    /** The worker's name on {@code cpu}. */
    public static String kworker(int cpu) {
        return "kworker/" + cpu + ":1";
    }

    /** The lockdep map of work item {@code name}, as lockdep prints INIT_WORK's key: {@code (work_completion)(name)}. */
    public static String workMap(String name) {
        return "(work_completion)(" + name + ")";
    }

    /**
     * Adds the worker thread on {@code cpu}. An idle worker sleeps in TASK_IDLE, as worker_thread
     * does (kernel/workqueue.c: {@code __set_current_state(TASK_IDLE)} before schedule()): 'I' in
     * sched_switch, and never a hung task however long it idles.
     */
    public static MachineSpec.Builder install(MachineSpec.Builder b, int cpu) {
        return b.kthread(kworker(cpu), cpu, 0, Program.builder().forever()
                .op(new Ops.WaitEvent(QUEUE, Ops.WaitMode.IDLE, List.of())).op(new RunWork()).build());
    }

    /**
     * DECLARE_WORK for each entry of {@code works} (name to function body), on the machine being
     * built; the worker is added on {@code cpu} unless {@code workerPresent} (a module installed it).
     * The map is read when the machine boots, so bodies may name any declared work.
     */
    public static MachineSpec.Builder declare(MachineSpec.Builder b, int cpu, boolean workerPresent, Map<String, List<Op>> works) {
        MachineSpec.Builder out = workerPresent ? b : install(b, cpu);
        return out.boot(Workqueue.class, () -> new Workqueue(Map.copyOf(works)));
    }

    /** queue_work(system_wq, work): legal in any context; the worker is woken through the calendar. */
    public static void queueWork(Exec x, List<Op> work) {
        x.check(KernelCall.WAKE_UP, "queue_work(system_wq)");
        of(x.kernel()).queued.add(new Item(null, List.copyOf(work)));
        wakeWorker(x);
    }

    /**
     * queue_work(system_wq, &name) (schedule_work is the same call): false, and nothing queued, when
     * the item is already pending; otherwise queues it and wakes the worker.
     *
     * @throws IllegalArgumentException for a work not declared
     */
    public static boolean queueWork(Exec x, String name) {
        Workqueue w = of(x.kernel());
        if (!w.declared.containsKey(name)) {
            throw new IllegalArgumentException("no work item named " + name);
        }
        x.check(KernelCall.QUEUE_WORK, () -> "queue_work(system_wq, " + name + ")");
        if (!w.pending.add(name)) {
            x.trace("kctx_workqueue_pending", "work=" + name + " pending: not queued");
            return false;
        }
        w.enqueue(x, name);
        return true;
    }

    /** __queue_work: the item goes on the worklist (its PENDING bit already set) and the worker is woken. */
    private void enqueue(Exec x, String name) {
        queued.add(new Item(name, null));
        x.trace("workqueue_queue_work", "work=" + name + " workqueue=events");
        wakeWorker(x);
    }

    /** One jiffy at HZ=1000: delays are whole jiffies (msecs_to_jiffies rounds up). */
    public static final long JIFFY_NS = 1_000_000L;

    private static String timerKey(String name) {
        return "delayed_work:" + name;
    }

    private static void requireDeclared(Workqueue w, String name) {
        if (!w.declared.containsKey(name)) {
            throw new IllegalArgumentException("no work item named " + name);
        }
    }

    /**
     * __queue_delayed_work: with no delay __queue_work at once; otherwise the work's timer is armed on
     * this CPU for jiffies + delay (add_timer), and delayed_work_timer_fn queues the work from
     * TIMER_SOFTIRQ when it expires. kctx fires the timer at that jiffy exactly; the kernel's timer
     * wheel may round a delay beyond 63 jiffies up by up to an eighth (kernel/time/timer.c calc_wheel_index).
     */
    private void queueDelayed(Exec x, String name, long delayNs) {
        long jiffies = (delayNs + JIFFY_NS - 1) / JIFFY_NS;
        if (jiffies == 0) {
            enqueue(x, name);
            return;
        }
        long expires = (x.now() / JIFFY_NS + jiffies) * JIFFY_NS;
        x.trace("kctx_workqueue_delayed", "work=" + name + " timer expires=" + expires);
        SoftirqTimers.arm(x, x.cpu(), expires, SoftirqVector.TIMER, timerKey(name), List.of(new TimerFn(name)));
    }

    /**
     * try_to_grab_pending: takes a pending item back, whether its timer is armed or it waits on the
     * worklist; true when it was pending. A running instance is not touched.
     */
    private boolean grabPending(Exec x, String name) {
        boolean timer = SoftirqTimers.of(x.kernel()).cancel(timerKey(name));
        boolean listed = queued.removeIf(i -> name.equals(i.name()));
        return pending.remove(name) || timer || listed;
    }

    /** True while {@code name}'s delay timer is armed. */
    public boolean timerArmed(KernelObjects k, String name) {
        return SoftirqTimers.of(k).armed(timerKey(name));
    }

    /** delayed_work_timer_fn (kernel/workqueue.c), in TIMER_SOFTIRQ: __queue_work of the delayed item. */
    record TimerFn(String work) implements Op {
        public Outcome execute(Exec x) {
            x.trace("timer_expire_entry", "timer=delayed_work_timer_fn(" + work + ")");
            of(x.kernel()).enqueue(x, work);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "delayed_work_timer_fn(" + work + ")";
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * queue_delayed_work(system_wq, &dwork, delay) (schedule_delayed_work is the same call) and
     * mod_delayed_work: legal in any context. queue_delayed_work does nothing and answers false when
     * the item is pending (test_and_set_bit(WORK_STRUCT_PENDING_BIT)); mod_delayed_work takes a pending
     * item back first (try_to_grab_pending), so the new delay replaces the old, and answers whether it was pending.
     */
    public record QueueDelayed(String work, long delayNs, String call) implements Op {
        public QueueDelayed {
            if (delayNs < 0) {
                throw new IllegalArgumentException("a delay must not be negative: " + delayNs + "ns");
            }
        }

        public Outcome execute(Exec x) {
            Workqueue w = of(x.kernel());
            requireDeclared(w, work);
            x.check(KernelCall.QUEUE_DELAYED_WORK, describe());
            if (call.equals("mod_delayed_work")) {
                boolean was = w.grabPending(x, work);
                if (was) {
                    x.trace("kctx_workqueue_pending", "work=" + work + " was pending: delay replaced");
                }
            } else if (w.pending.contains(work)) {
                x.trace("kctx_workqueue_pending", "work=" + work + " pending: not queued");
                return Outcome.Next.INSTANCE;
            }
            w.pending.add(work);
            w.queueDelayed(x, work, delayNs);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            String d = dev.kctx.contexts.TimeFormat.format(delayNs);
            return call.equals("queue_delayed_work") || call.equals("mod_delayed_work")
                    ? call + "(system_wq, " + work + ", " + d + ")" : call + "(" + work + ", " + d + ")";
        }
    }

    /**
     * cancel_delayed_work(&dwork) (kernel/workqueue.c __cancel_work): takes a pending item back, its
     * timer or its place on the worklist; never waits for a running instance, never sleeps.
     */
    public record CancelDelayed(String work) implements Op {
        public Outcome execute(Exec x) {
            Workqueue w = of(x.kernel());
            requireDeclared(w, work);
            if (w.grabPending(x, work)) {
                x.trace("kctx_workqueue_cancel", "work=" + work + " was pending");
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "cancel_delayed_work(" + work + ")";
        }
    }

    private static void wakeWorker(Exec x) {
        for (WaitHandle h : x.kernel().waitQueue(QUEUE).signal()) {
            x.wake(h);
        }
    }

    /** True while {@code name} is queued and not yet started (WORK_STRUCT_PENDING). */
    public boolean pending(String name) {
        return pending.contains(name);
    }

    /** True while the worker runs {@code name}'s function. */
    public boolean running(String name) {
        return running.containsKey(name);
    }

    private static String flushQueue(String name) {
        return "workqueue:flush:" + name;
    }

    /** The operation queue_work / schedule_work on a declared item; the result goes to the trace. */
    public record Queue(String work, String call) implements Op {
        public Outcome execute(Exec x) {
            queueWork(x, work);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return call.equals("schedule_work") ? "schedule_work(" + work + ")" : "queue_work(system_wq, " + work + ")";
        }
    }

    /**
     * flush_work(&work), or cancel_work_sync(&work) when {@code cancel}; with {@code delayed}
     * flush_delayed_work (del_timer_sync, and a timer that was armed queues the work now) and
     * cancel_delayed_work_sync (the timer too is taken back), which then do the same: kernel/workqueue.c
     * __flush_work (lock_map_acquire/release of the work's lockdep map), start_flush_work's
     * might_sleep, then the wait (wait_for_completion on the barrier) while the item is pending
     * or running. cancel_work_sync first takes a pending item off the queue (try_to_grab_pending),
     * so it waits only for a running one.
     */
    public record Flush(String work, boolean cancel, boolean delayed) implements Op {
        public Flush(String work, boolean cancel) {
            this(work, cancel, false);
        }

        public Outcome execute(Exec x) {
            Workqueue w = of(x.kernel());
            if (!x.retrying()) {
                if (cancel && w.grabPending(x, work)) {
                    x.trace("kctx_workqueue_cancel", "work=" + work + " was pending");
                } else if (!cancel && delayed && SoftirqTimers.of(x.kernel()).cancel(timerKey(work))) {
                    // flush_delayed_work: del_timer_sync, then __queue_work at once
                    w.enqueue(x, work);
                }
                String map = workMap(work);
                x.lockdep().acquire(x.atomic(), x.where(describe()), map, map, 0, LockClassKind.MUTEX, false, false);
                x.lockdep().release(x.atomic(), x.where(describe()), map);
                x.check(cancel ? delayed ? KernelCall.CANCEL_DELAYED_WORK_SYNC : KernelCall.CANCEL_WORK_SYNC
                        : delayed ? KernelCall.FLUSH_DELAYED_WORK : KernelCall.FLUSH_WORK, this);
            }
            // An item whose delay timer is armed is on no worklist: start_flush_work finds nothing to wait for.
            boolean listed = w.pending.contains(work) && !w.timerArmed(x.kernel(), work);
            if (!listed && !w.running.containsKey(work)) {
                return Outcome.Next.INSTANCE;
            }
            x.kernel().waitQueue(flushQueue(work)).addWaiter(x.waitHandle());
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block(flushQueue(work), 'D');
        }

        public String describe() {
            String call = cancel ? "cancel_" + (delayed ? "delayed_" : "") + "work_sync(" : "flush_" + (delayed ? "delayed_" : "") + "work(";
            return call + work + ")";
        }
    }

    /** process_one_work's start: clear PENDING, mark running, lock_map_acquire the workqueue's and the work's maps. */
    record Start(String work) implements Op {
        public Outcome execute(Exec x) {
            Workqueue w = of(x.kernel());
            w.pending.remove(work);
            w.running.merge(work, 1, Integer::sum);
            x.trace("workqueue_execute_start", "work=" + work);
            x.lockdep().acquire(x.atomic(), x.where(describe()), WQ_MAP, WQ_MAP, 0, LockClassKind.MUTEX, false, false);
            String map = workMap(work);
            x.lockdep().acquire(x.atomic(), x.where(describe()), map, map, 0, LockClassKind.MUTEX, false, false);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "process_one_work(" + work + ")";
        }

        public boolean traced() {
            return false;
        }
    }

    /** process_one_work's end: lock_map_release both maps, not running, wake the flushers. */
    record End(String work) implements Op {
        public Outcome execute(Exec x) {
            Workqueue w = of(x.kernel());
            x.lockdep().release(x.atomic(), x.where(describe()), workMap(work));
            x.lockdep().release(x.atomic(), x.where(describe()), WQ_MAP);
            w.running.computeIfPresent(work, (k, n) -> n > 1 ? n - 1 : null);
            x.trace("workqueue_execute_end", "work=" + work);
            for (WaitHandle h : x.kernel().waitQueue(flushQueue(work)).signal()) {
                x.wake(h);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "process_one_work(" + work + ") done";
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * worker_thread: process_one_work for the first item queued (one wake-up token per queue_work, so
     * the loop takes them one at a time; an item cancelled before it started is simply gone).
     */
    record RunWork() implements Op {
        public Outcome execute(Exec x) {
            Item i = of(x.kernel()).queued.poll();
            if (i == null) {
                return Outcome.Next.INSTANCE;
            }
            if (i.name() == null) {
                return i.ops().isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(i.ops());
            }
            List<Op> ops = new ArrayList<>();
            ops.add(new Start(i.name()));
            ops.addAll(of(x.kernel()).declared.get(i.name()));
            ops.add(new End(i.name()));
            return new Outcome.Inline(ops);
        }

        public String describe() {
            return "process_one_work";
        }
    }
}
