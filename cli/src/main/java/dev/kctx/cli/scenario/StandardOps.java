package dev.kctx.cli.scenario;

import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Ops.LockMode;
import dev.kctx.actors.program.Ops.SpinVariant;
import dev.kctx.contexts.GfpFlags;
import dev.kctx.contexts.KernelCall;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operations of this version, named after the kernel or libc call they model. Each entry
 * maps one YAML form to the engine's {@link dev.kctx.actors.program.OpsBuilder} vocabulary.
 */
final class StandardOps {
    /** The allocation flags kctx tells apart: whether the allocator may sleep to reclaim memory. */
    private enum Gfp { GFP_KERNEL, GFP_ATOMIC }

    /** alloc_skb is modelled for the two flags the kernel's networking code uses most; kmalloc takes any (GfpFlags). */
    private static final Map<String, Gfp> SKB_GFP = gfp(Gfp.GFP_KERNEL, Gfp.GFP_ATOMIC);
    /** copy_*_user, kmalloc, vmalloc, alloc_skb sizes: up to 1 GiB. */
    private static final long MAX_BYTES = 1L << 30;
    /** Completions and wait queues: names like locks. */
    private static final int MAX_NAME = 32;

    private StandardOps() {
    }

    static void registerAll(OpRegistry r) {
        r.register("compute", "compute: DURATION | {min: DURATION, max: DURATION}", OpRegistry.ANYWHERE,
                StandardOps::compute);
        r.register("mdelay", "mdelay: DURATION", OpRegistry.KERNEL, (a, o) -> o.mdelay(a.duration()));
        r.register("udelay", "udelay: DURATION", OpRegistry.KERNEL, (a, o) -> o.mdelay(a.duration()));
        r.register("msleep", "msleep: DURATION", OpRegistry.KERNEL, (a, o) -> o.msleep(a.duration()));
        r.register("msleep_interruptible", "msleep_interruptible: DURATION | {duration: DURATION, on_interrupt: [OPERATIONS]}",
                OpRegistry.KERNEL, (a, o) -> {
                    Interruptible w = interruptible(a, "duration", "DURATION");
                    o.msleepInterruptible(Values.duration(w.target(), a.op()), w.onInterrupt());
                });
        r.register("usleep_range", "usleep_range: {min: DURATION, max: DURATION}", OpRegistry.KERNEL,
                StandardOps::usleepRange);
        r.register("schedule", "schedule", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.schedule();
        });
        r.register("cond_resched", "cond_resched", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.condResched();
        });
        for (LockMode mode : LockMode.values()) {
            lockOps(r, mode);
        }
        for (LockMode mode : LockMode.values()) {
            String name = mode.name().toLowerCase(Locale.ROOT) + "_trylock";
            r.register(name, name + ": {lock: LOCK, then: [OPERATIONS], else: [OPERATIONS]}", OpRegistry.KERNEL,
                    (a, o) -> trylock(a, o, mode));
        }
        r.register("mutex_lock", "mutex_lock: LOCK", OpRegistry.KERNEL, (a, o) -> o.mutexLock(a.lock(LockType.MUTEX)));
        for (Ops.WaitMode mode : List.of(Ops.WaitMode.INTERRUPTIBLE, Ops.WaitMode.KILLABLE)) {
            String mutex = "mutex_lock" + mode.suffix();
            r.register(mutex, mutex + ": LOCK | {mutex: LOCK, on_interrupt: [OPERATIONS]}", OpRegistry.KERNEL, (a, o) -> {
                Interruptible w = interruptible(a, "mutex", "LOCK");
                o.mutexLock(a.lock(w.target(), LockType.MUTEX), mode, w.onInterrupt());
            });
        }
        r.register("mutex_unlock", "mutex_unlock: LOCK", OpRegistry.KERNEL,
                (a, o) -> o.mutexUnlock(a.lock(LockType.MUTEX)));
        r.register("down", "down: SEMAPHORE", OpRegistry.KERNEL, (a, o) -> o.down(a.lock(LockType.SEMAPHORE)));
        for (Ops.WaitMode mode : List.of(Ops.WaitMode.INTERRUPTIBLE, Ops.WaitMode.KILLABLE)) {
            String down = "down" + mode.suffix();
            r.register(down, down + ": SEMAPHORE | {semaphore: SEMAPHORE, on_interrupt: [OPERATIONS]}", OpRegistry.KERNEL,
                    (a, o) -> {
                        Interruptible w = interruptible(a, "semaphore", "SEMAPHORE");
                        o.down(a.lock(w.target(), LockType.SEMAPHORE), mode, w.onInterrupt());
                    });
        }
        r.register("up", "up: SEMAPHORE", OpRegistry.KERNEL, (a, o) -> o.up(a.lock(LockType.SEMAPHORE)));
        rwsemOps(r);
        nestedOps(r);
        r.register("wait_for_completion", "wait_for_completion: COMPLETION", OpRegistry.KERNEL,
                (a, o) -> o.waitForCompletion(a.name("wait_for_completion: COMPLETION", MAX_NAME)));
        r.register("complete", "complete: COMPLETION", OpRegistry.KERNEL,
                (a, o) -> o.complete(a.name("complete: COMPLETION", MAX_NAME)));
        r.register("kmalloc", "kmalloc: GFP_FLAGS (e.g. GFP_KERNEL, GFP_ATOMIC, GFP_NOFS | __GFP_NOWARN) | {size: BYTES, flags: GFP_FLAGS}",
                OpRegistry.KERNEL, StandardOps::kmalloc);
        r.register("synchronize_rcu", "synchronize_rcu", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.synchronizeRcu();
        });
        r.register("kfree", "kfree | kfree: NAME", OpRegistry.KERNEL, (a, o) -> o.op(label(a, KernelCall.KFREE, "ptr")));
        r.register("vmalloc", "vmalloc: BYTES", OpRegistry.KERNEL,
                (a, o) -> o.vmalloc(a.integer("vmalloc: BYTES", 0, MAX_BYTES)));
        r.register("alloc_skb", "alloc_skb: GFP_KERNEL | GFP_ATOMIC | {size: BYTES, flags: GFP_KERNEL | GFP_ATOMIC}",
                OpRegistry.KERNEL, StandardOps::allocSkb);
        r.register("copy_to_user", "copy_to_user: BYTES | {bytes: BYTES, present: false, on_fault: [OPERATIONS]}",
                OpRegistry.KERNEL, (a, o) -> copyUser(a, o, true));
        r.register("copy_from_user", "copy_from_user: BYTES | {bytes: BYTES, present: false, on_fault: [OPERATIONS]}",
                OpRegistry.KERNEL, (a, o) -> copyUser(a, o, false));
        r.register("get_user", "get_user | get_user: NAME", OpRegistry.KERNEL,
                (a, o) -> o.op(label(a, KernelCall.GET_USER, "x, ptr")));
        r.register("put_user", "put_user | put_user: NAME", OpRegistry.KERNEL,
                (a, o) -> o.op(label(a, KernelCall.PUT_USER, "x, ptr")));
        r.register("raise_softirq", "raise_softirq: VECTOR", OpRegistry.KERNEL, (a, o) -> o.raiseSoftirq(a.vector()));
        // kernel/workqueue.c: queue_work_on/__queue_work (any context), __flush_work, __cancel_work_timer.
        r.register("queue_work", "queue_work: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.Queue(a.work(), "queue_work")));
        r.register("schedule_work", "schedule_work: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.Queue(a.work(), "schedule_work")));
        r.register("flush_work", "flush_work: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.Flush(a.work(), false)));
        r.register("cancel_work_sync", "cancel_work_sync: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.Flush(a.work(), true)));
        // kernel/workqueue.c: queue_delayed_work_on/mod_delayed_work_on (a timer, then __queue_work), __cancel_work, flush_delayed_work.
        for (String call : List.of("queue_delayed_work", "schedule_delayed_work", "mod_delayed_work")) {
            r.register(call, call + ": {work: WORK, delay: DURATION}", OpRegistry.KERNEL, (a, o) -> {
                Fields f = a.fields(call + ": {work: WORK, delay: DURATION}", List.of("work", "delay"));
                String work = a.work(f.req("work", "WORK"));
                long delay = Values.duration(f.req("delay", "DURATION, e.g. 10ms (whole jiffies: HZ=1000)"), "delay");
                o.op(new dev.kctx.mechanisms.deferred.Workqueue.QueueDelayed(work, delay, call));
            });
        }
        r.register("cancel_delayed_work", "cancel_delayed_work: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.CancelDelayed(a.work())));
        r.register("cancel_delayed_work_sync", "cancel_delayed_work_sync: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.Flush(a.work(), true, true)));
        r.register("flush_delayed_work", "flush_delayed_work: WORK", OpRegistry.KERNEL,
                (a, o) -> o.op(new dev.kctx.mechanisms.deferred.Workqueue.Flush(a.work(), false, true)));
        // kernel/rcu/tree.c: call_rcu (any context; the callback runs in RCU_SOFTIRQ after a grace period), rcu_barrier.
        r.register("call_rcu", "call_rcu: {func: NAME, body: [OPERATIONS]}", OpRegistry.KERNEL, (a, o) -> {
            Fields f = a.fields("call_rcu: {func: NAME, body: [OPERATIONS]}", List.of("func", "body"));
            String func = Values.name(f.req("func", "NAME, the callback's name in the trace"), "func", MAX_NAME);
            o.callRcu(func, a.body(f.req("body", "[OPERATIONS], run in RCU_SOFTIRQ after a grace period"),
                    BodyKind.SOFTIRQ, "the body of call_rcu(" + func + ")"));
        });
        r.register("rcu_barrier", "rcu_barrier", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.rcuBarrier();
        });
        r.register("tasklet_schedule", "tasklet_schedule: TASKLET", OpRegistry.KERNEL,
                (a, o) -> o.taskletSchedule(a.tasklet()));
        r.register("wake_up", "wake_up: QUEUE", OpRegistry.KERNEL, (a, o) -> o.wakeUp(a.name("wake_up: QUEUE", 32)));
        r.register("wait_event", "wait_event: QUEUE", OpRegistry.KERNEL,
                (a, o) -> o.waitEvent(a.name("wait_event: QUEUE", 32)));
        r.register("wait_event_idle", "wait_event_idle: QUEUE", OpRegistry.KERNEL,
                (a, o) -> o.waitEvent(a.name("wait_event_idle: QUEUE", 32), Ops.WaitMode.IDLE, List.of()));
        for (Ops.WaitMode mode : List.of(Ops.WaitMode.INTERRUPTIBLE, Ops.WaitMode.KILLABLE)) {
            String wait = "wait_event" + mode.suffix();
            r.register(wait, wait + ": QUEUE | {queue: QUEUE, on_interrupt: [OPERATIONS]}", OpRegistry.KERNEL, (a, o) -> {
                Interruptible w = interruptible(a, "queue", "QUEUE");
                o.waitEvent(Values.name(w.target(), a.op(), MAX_NAME), mode, w.onInterrupt());
            });
        }
        for (Ops.Simple s : Ops.Simple.values()) {
            String name = s.describe().substring(0, s.describe().indexOf('('));
            r.register(name, name, OpRegistry.KERNEL, (a, o) -> {
                a.none();
                o.op(s);
            });
        }
        for (Ops.TouchWatchdog t : Ops.TouchWatchdog.values()) {
            String name = t.describe().substring(0, t.describe().indexOf('('));
            r.register(name, name, OpRegistry.KERNEL, (a, o) -> {
                a.none();
                o.op(t);
            });
        }
        r.register("printk", "printk: TEXT", OpRegistry.KERNEL, (a, o) -> o.printk(a.string("printk: TEXT")));
        r.register("call_usermodehelper", "call_usermodehelper: {path: /sbin/NAME, argv: [ARG...], wait: UMH_WAIT_PROC}",
                OpRegistry.KERNEL, UpcallSection::op);
        r.register("syscall", "syscall: {name: NAME, body: [OPERATIONS]}", OpRegistry.USER, StandardOps::syscall);
        r.register("nanosleep", "nanosleep: DURATION", OpRegistry.USER, (a, o) -> {
            a.context().syscall("nanosleep");
            o.nanosleep(a.duration());
        });
        r.register("loop", "loop: {count: N | forever, body: [OPERATIONS]}", OpRegistry.ANYWHERE, StandardOps::loop);
        r.register("sh", "sh: COMMAND LINE", OpRegistry.USER, StandardOps::sh);
        r.register("kill", KillOp.USAGE, OpRegistry.USER, KillOp::op);
        r.register("sigaction", SigactionOp.USAGE, OpRegistry.USER, SigactionOp::op);
        r.register("ioctl", "ioctl: {device: PATH, cmd: \"_IOW('q', NR, int)\", arg: INT | NULL, name: NAME}", OpRegistry.USER,
                IoctlSection::op);
        r.register("netlink", "netlink: {unit: 25, send: TEXT, ack: true, groups: BITMASK, recv: N}", OpRegistry.USER,
                NetlinkSection::op);
        r.register("genetlink", "genetlink: {family: NAME, cmd: N, attrs: [{type: 1, string: TEXT}], ack: true} | {family: NAME, subscribe: GROUP}",
                OpRegistry.USER, GenetlinkSection::op);
        SchedOps.registerAll(r);
        NetlinkSendOps.registerAll(r);
    }

    /**
     * The rw_semaphore calls of kernel/locking/rwsem.c: down_read, down_write, their interruptible
     * and killable forms (those that the kernel has: down_read_interruptible, down_read_killable,
     * down_write_killable), the trylocks, up_read, up_write and downgrade_write.
     */
    private static void rwsemOps(OpRegistry r) {
        r.register("down_read", "down_read: RWSEM", OpRegistry.KERNEL, (a, o) -> o.downRead(a.lock(LockType.RWSEM)));
        r.register("down_write", "down_write: RWSEM", OpRegistry.KERNEL, (a, o) -> o.downWrite(a.lock(LockType.RWSEM)));
        record Form(String name, boolean write, Ops.WaitMode mode) {
        }
        for (Form form : List.of(new Form("down_read_interruptible", false, Ops.WaitMode.INTERRUPTIBLE),
                new Form("down_read_killable", false, Ops.WaitMode.KILLABLE),
                new Form("down_write_killable", true, Ops.WaitMode.KILLABLE))) {
            r.register(form.name(), form.name() + ": RWSEM | {rwsem: RWSEM, on_interrupt: [OPERATIONS]}", OpRegistry.KERNEL,
                    (a, o) -> {
                        Interruptible w = interruptible(a, "rwsem", "RWSEM");
                        o.downRwsem(a.lock(w.target(), LockType.RWSEM), form.write(), form.mode(), w.onInterrupt());
                    });
        }
        for (boolean write : List.of(false, true)) {
            String name = write ? "down_write_trylock" : "down_read_trylock";
            String unlock = write ? "up_write" : "up_read";
            r.register(name, name + ": {lock: RWSEM, then: [OPERATIONS], else: [OPERATIONS]}", OpRegistry.KERNEL, (a, o) -> {
                Fields f = a.fields(name + ": {lock: S, then: [..., " + unlock + ": S], else: [...]}",
                        List.of("lock", "then", "else"));
                String lock = a.lock(f.req("lock", "RWSEM"), LockType.RWSEM);
                List<Op> then = a.body(f.req("then", "[OPERATIONS], run holding the rw_semaphore"), a.kind(), "'then' of " + name);
                List<Op> otherwise = f.opt("else").map(n -> a.body(n, a.kind(), "'else' of " + name)).orElse(List.of());
                o.op(new Ops.RwsemTrylock(lock, write, then, otherwise));
            });
        }
        r.register("up_read", "up_read: RWSEM", OpRegistry.KERNEL, (a, o) -> o.upRead(a.lock(LockType.RWSEM)));
        r.register("up_write", "up_write: RWSEM", OpRegistry.KERNEL, (a, o) -> o.upWrite(a.lock(LockType.RWSEM)));
        r.register("downgrade_write", "downgrade_write: RWSEM", OpRegistry.KERNEL,
                (a, o) -> o.downgradeWrite(a.lock(LockType.RWSEM)));
    }

    /**
     * The nesting annotations: spin_lock_nested (include/linux/spinlock.h), mutex_lock_nested
     * (kernel/locking/mutex.c), down_read_nested and down_write_nested (kernel/locking/rwsem.c),
     * each {@code {lock: L, subclass: N}} with N in 0..7 (MAX_LOCKDEP_SUBCLASSES). They take the
     * lock as the plain call does; lockdep validates it in that subclass of the lock's class.
     */
    private static void nestedOps(OpRegistry r) {
        r.register("spin_lock_nested", "spin_lock_nested: {lock: LOCK, subclass: N}", OpRegistry.KERNEL, (a, o) -> {
            Nested n = nested(a, LockType.SPINLOCK);
            o.spinLockNested(n.lock(), n.subclass());
        });
        r.register("mutex_lock_nested", "mutex_lock_nested: {lock: LOCK, subclass: N}", OpRegistry.KERNEL, (a, o) -> {
            Nested n = nested(a, LockType.MUTEX);
            o.mutexLockNested(n.lock(), n.subclass());
        });
        for (boolean write : List.of(false, true)) {
            String name = write ? "down_write_nested" : "down_read_nested";
            r.register(name, name + ": {lock: RWSEM, subclass: N}", OpRegistry.KERNEL, (a, o) -> {
                Nested n = nested(a, LockType.RWSEM);
                o.downNested(n.lock(), write, n.subclass());
            });
        }
    }

    /** @param lock the declared lock; @param subclass the lockdep subclass, 0..7 */
    private record Nested(String lock, int subclass) {
    }

    private static Nested nested(OpArg a, LockType type) {
        Fields f = a.fields(a.op() + ": {lock: L, subclass: 1}", List.of("lock", "subclass"));
        String lock = a.lock(f.req("lock", "LOCK"), type);
        long subclass = Values.integer(f.req("subclass", "N"), "subclass (SINGLE_DEPTH_NESTING is 1)", 0,
                dev.kctx.contexts.LockValidator.MAX_LOCKDEP_SUBCLASSES - 1);
        return new Nested(lock, (int) subclass);
    }

    private static void compute(OpArg a, OpSink o) {
        Node v = a.value("compute: DURATION");
        if (v instanceof Node.MapNode) {
            Fields f = a.fields("compute: {min: 10us, max: 30us}", List.of("min", "max"));
            Node minNode = f.req("min", "DURATION");
            long min = Values.duration(minNode, "compute min");
            Node maxNode = f.req("max", "DURATION");
            long max = Values.duration(maxNode, "compute max");
            if (max < min) {
                throw new ScenarioError(maxNode.loc(), "compute max is below min", "max >= min");
            }
            o.computeRandom(min, max);
        } else {
            o.compute(Values.duration(v, "compute"));
        }
    }

    /**
     * kmalloc with a flag expression ({@code GFP_NOFS | __GFP_NOWARN}, see GfpFlags);
     * {@code on_failure: [...]} is the driver's NULL path, run when an injected fault fails a
     * non-blocking allocation.
     */
    private static void kmalloc(OpArg a, OpSink o) {
        String usage = "kmalloc: GFP_FLAGS | {size: BYTES, flags: GFP_FLAGS, on_failure: [OPERATIONS]}";
        Node v = a.value(usage);
        long size = 64;
        Node flagsNode = v;
        Node onFailureNode = null;
        if (v instanceof Node.MapNode) {
            Fields f = a.fields("kmalloc: {size: 64, flags: GFP_KERNEL, on_failure: [OPERATIONS]}",
                    List.of("size", "flags", "on_failure"));
            size = f.opt("size").map(n -> Values.integer(n, "kmalloc size", 0, MAX_BYTES)).orElse(size);
            flagsNode = f.req("flags", "GFP_FLAGS");
            onFailureNode = f.opt("on_failure").orElse(null);
        }
        GfpFlags gfp = gfpFlags(flagsNode);
        List<Op> onFailure = onFailureNode == null ? List.of() : a.body(onFailureNode, a.kind(), "on_failure of kmalloc");
        if (onFailureNode != null && gfp.allowsBlocking()) {
            throw new ScenarioError(onFailureNode.loc(), "on_failure needs an allocation that can fail: " + gfp.text()
                    + " may sleep to reclaim memory instead", "flags without __GFP_DIRECT_RECLAIM, e.g. GFP_ATOMIC or GFP_NOWAIT");
        }
        o.op(new Ops.Kmalloc(size, gfp, onFailure));
    }

    /**
     * copy_to_user / copy_from_user: {@code BYTES}, or {@code {bytes, present, on_fault}} for a
     * user page that is not resident: with pagefault_disable() (or in atomic context) the copy
     * fails and {@code on_fault}, the driver's -EFAULT path, runs (Ops.CopyUser).
     */
    private static void copyUser(OpArg a, OpSink o, boolean toUser) {
        String op = toUser ? "copy_to_user" : "copy_from_user";
        Node v = a.value(op + ": BYTES");
        if (!(v instanceof Node.MapNode)) {
            o.op(new Ops.CopyUser(Values.integer(v, op, 0, MAX_BYTES), toUser));
            return;
        }
        Fields f = a.fields(op + ": {bytes: 64, present: false, on_fault: [OPERATIONS]}", List.of("bytes", "present", "on_fault"));
        long bytes = Values.integer(f.req("bytes", "BYTES"), op + " bytes", 0, MAX_BYTES);
        boolean present = f.opt("present").map(n -> Values.bool(n, op + " present")).orElse(true);
        List<Op> onFault = f.opt("on_fault").map(n -> a.body(n, a.kind(), "on_fault of " + op)).orElse(List.of());
        o.op(new Ops.CopyUser(bytes, toUser, present, onFault));
    }

    /** A GFP flag expression: names of include/linux/gfp_types.h joined by '|'. */
    private static GfpFlags gfpFlags(Node n) {
        String text = Values.string(n, "GFP flags");
        try {
            return GfpFlags.parse(text);
        } catch (IllegalArgumentException e) {
            String problem = e.getMessage();
            List<String> names = GfpFlags.names(true);
            for (String term : text.split("\\|")) {
                if (!term.isBlank() && !names.contains(term.trim())) {
                    problem = Errors.unknown("GFP flag", term.trim(), names);
                    break;
                }
            }
            throw new ScenarioError(n.loc(), problem, "GFP flags joined by '|', e.g. GFP_NOFS | __GFP_NOWARN; the sets are "
                    + String.join(", ", GfpFlags.names(false)) + ", and any __GFP_ bit");
        }
    }

    private static void allocSkb(OpArg a, OpSink o) {
        Allocation m = allocation(a, SKB_GFP, 1500);
        KernelCall call = m.gfp() == Gfp.GFP_ATOMIC ? KernelCall.ALLOC_SKB_GFP_ATOMIC : KernelCall.ALLOC_SKB_GFP_KERNEL;
        o.op(new Ops.Call(call, "alloc_skb(" + m.size() + ", " + m.gfp() + ")"));
    }

    private record Allocation(long size, Gfp gfp) {
    }

    /** {@code FLAGS} or {@code {size: BYTES, flags: FLAGS}}. */
    private static Allocation allocation(OpArg a, Map<String, Gfp> flags, long defaultSize) {
        String choices = String.join(" | ", flags.keySet());
        Node v = a.value(a.op() + ": " + choices);
        if (v instanceof Node.MapNode) {
            Fields f = a.fields(a.op() + ": {size: " + defaultSize + ", flags: " + flags.keySet().iterator().next() + "}",
                    List.of("size", "flags"));
            long size = f.opt("size").map(n -> Values.integer(n, a.op() + " size", 0, MAX_BYTES)).orElse(defaultSize);
            return new Allocation(size, Values.choice(f.req("flags", choices), "GFP flag", flags));
        }
        return new Allocation(defaultSize, Values.choice(v, "GFP flag", flags));
    }

    private static Map<String, Gfp> gfp(Gfp... gfps) {
        Map<String, Gfp> m = new LinkedHashMap<>();
        for (Gfp g : gfps) {
            m.put(g.name(), g);
        }
        return m;
    }

    /** The lock and unlock operations of one lock mode in its four variants: spin_lock_bh, write_unlock_irqrestore... */
    private static void lockOps(OpRegistry r, LockMode mode) {
        LockType type = mode == LockMode.SPIN ? LockType.SPINLOCK : LockType.RWLOCK;
        String prefix = mode.name().toLowerCase(Locale.ROOT);
        for (SpinVariant v : SpinVariant.values()) {
            String name = v.lockName().replaceFirst("^spin", prefix);
            r.register(name, name + ": LOCK", OpRegistry.KERNEL, (a, o) -> {
                String lock = a.lock(type);
                switch (mode) {
                    case SPIN -> o.spinLock(lock, v);
                    case READ -> o.readLock(lock, v);
                    case WRITE -> o.writeLock(lock, v);
                }
            });
        }
        for (SpinVariant v : SpinVariant.values()) {
            String name = v.unlockName().replaceFirst("^spin", prefix);
            r.register(name, name + ": LOCK", OpRegistry.KERNEL, (a, o) -> {
                String lock = a.lock(type);
                switch (mode) {
                    case SPIN -> o.spinUnlock(lock, v);
                    case READ -> o.readUnlock(lock, v);
                    case WRITE -> o.writeUnlock(lock, v);
                }
            });
        }
    }

    /**
     * {@code spin_trylock: {lock: L, then: [...], else: [...]}}: {@code then} runs holding the lock
     * (and should release it), {@code else} when it was busy; the kernel's
     * {@code if (spin_trylock(&l)) {...} else {...}}.
     */
    private static void trylock(OpArg a, OpSink o, LockMode mode) {
        String prefix = mode.name().toLowerCase(Locale.ROOT);
        Fields f = a.fields(a.op() + ": {lock: L, then: [..., " + prefix + "_unlock: L], else: [...]}",
                List.of("lock", "then", "else"));
        String lock = a.lock(f.req("lock", "LOCK"), mode == LockMode.SPIN ? LockType.SPINLOCK : LockType.RWLOCK);
        List<Op> then = a.body(f.req("then", "[OPERATIONS], run holding the lock"), a.kind(), "'then' of " + a.op());
        List<Op> otherwise = f.opt("else").map(n -> a.body(n, a.kind(), "'else' of " + a.op())).orElse(List.of());
        o.op(new Ops.SpinTrylock(lock, mode, then, otherwise));
    }

    /** @param target the semaphore, mutex, queue or duration node; @param onInterrupt the cleanup body, maybe empty */
    private record Interruptible(Node target, List<Op> onInterrupt) {
    }

    /**
     * The scalar form {@code down_interruptible: sem}, or the map form with the driver's cleanup,
     * {@code {semaphore: sem, on_interrupt: [mutex_unlock: m]}}: what runs before the system call
     * returns -EINTR. Only a system call can be interrupted, so {@code on_interrupt} elsewhere is an error.
     */
    private static Interruptible interruptible(OpArg a, String key, String placeholder) {
        String usage = a.op() + ": {" + key + ": " + placeholder + ", on_interrupt: [OPERATIONS]}";
        Node v = a.value(a.op() + ": " + placeholder);
        if (!(v instanceof Node.MapNode)) {
            return new Interruptible(v, List.of());
        }
        Fields f = a.fields(usage, List.of(key, "on_interrupt"));
        Node target = f.req(key, placeholder);
        java.util.Optional<Node> cleanup = f.opt("on_interrupt");
        if (cleanup.isEmpty()) {
            return new Interruptible(target, List.of());
        }
        if (a.kind() != BodyKind.SYSCALL) {
            throw new ScenarioError(f.keyLoc("on_interrupt"), "'on_interrupt' of " + a.op() + " in " + a.kind().text()
                    + ": only a user process's system call is interrupted by a signal",
                    "the scalar form '- " + a.op() + ": " + placeholder + "' here, or the map form in a 'syscall:' body");
        }
        return new Interruptible(target, a.body(cleanup.get(), BodyKind.SYSCALL, "on_interrupt of " + a.op()));
    }

    /** usleep_range(min, max): the hrtimer may fire anywhere in the range; alone on its CPU it fires at max. */
    private static void usleepRange(OpArg a, OpSink o) {
        Fields f = a.fields("usleep_range: {min: 100us, max: 200us}", List.of("min", "max"));
        long min = Values.duration(f.req("min", "DURATION"), "usleep_range min");
        Node maxNode = f.req("max", "DURATION");
        long max = Values.duration(maxNode, "usleep_range max");
        if (max < min) {
            throw new ScenarioError(maxNode.loc(), "usleep_range max is below min", "max >= min");
        }
        o.usleepRange(max);
    }

    /** A call that only passes the gate, with an optional name for its argument in the trace: {@code kfree: buf}. */
    private static Op label(OpArg a, KernelCall call, String defaultArg) {
        String arg = a.present() ? a.name(a.op() + ": NAME", MAX_NAME) : defaultArg;
        return new Ops.Call(call, call.callName() + "(" + arg + ")");
    }

    private static void syscall(OpArg a, OpSink o) {
        Fields f = a.fields("syscall: {name: read, body: [...]}", List.of("name", "body"));
        Node nameNode = f.req("name", "NAME");
        String name = Values.name(nameNode, "syscall name", 32);
        if (!dev.kctx.actors.program.Syscalls.known(name)) {
            throw new ScenarioError(nameNode.loc(), "'" + name + "' is not a system call kctx knows",
                    "one of " + dev.kctx.actors.program.Syscalls.names());
        }
        List<Op> body = a.body(f.req("body", "[OPERATIONS]"), BodyKind.SYSCALL, "syscall " + name);
        a.context().syscall(name);
        // An error path (an interrupted wait) skips to this exit, which then prints perror's line.
        o.op(new Ops.SysEnter(name));
        body.forEach(o::op);
        o.op(dev.kctx.mechanisms.user.Sys.scenarioExit(name));
    }

    private static void loop(OpArg a, OpSink o) {
        Fields f = a.fields("loop: {count: 3, body: [...]}", List.of("count", "body"));
        long count = count(f.req("count", "N | forever"), "loop count");
        List<Op> body = a.body(f.req("body", "[OPERATIONS]"), a.kind(), "loop");
        o.loop(count, b -> body.forEach(b::op));
    }

    /** A positive count, or {@code forever} (-1). */
    static long count(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.STRING && s.text().equals("forever")) {
            return -1;
        }
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.INT) {
            return Values.integer(n, what, 1, Long.MAX_VALUE / 4);
        }
        throw Values.wrongType(n, what, "a positive integer or 'forever'");
    }

    /**
     * {@code sh: "cat /proc/devices"}: the process types a command line at a root shell; the
     * command runs as the system calls the real tool makes and prints to the console. The line is
     * checked here, so a command this shell does not know is an input error, not a run-time one.
     */
    private static void sh(OpArg a, OpSink o) {
        Node v = a.value("sh: COMMAND LINE");
        String line = Values.string(v, "sh");
        String stripped = line.strip();
        if (stripped.isEmpty()) {
            throw new ScenarioError(v.loc(), "sh has an empty command line", "a command such as 'cat /proc/devices'");
        }
        String cmd = stripped.split("\\s+", 2)[0];
        java.util.Set<String> commands = new java.util.TreeSet<>(dev.kctx.mechanisms.shell.Shell.COMMANDS);
        java.util.Set<String> programs = a.context().programs();
        String progs = programs.isEmpty() ? "" : ", or a program here: ./" + String.join(", ./", programs);
        if (cmd.startsWith("./")) {
            if (!programs.contains(cmd.substring(2))) {
                throw new ScenarioError(v.loc(), "no program '" + Errors.clip(cmd) + "' on this machine",
                        programs.isEmpty() ? "one of " + String.join(", ", commands)
                                + " (programs ./NAME come with built-in modules: " + String.join(", ", ModulesSection.WITH_PROGRAMS) + ")"
                                : "one of " + String.join(", ", commands) + progs);
            }
        } else if (!commands.contains(cmd)) {
            throw new ScenarioError(v.loc(), Errors.unknown("shell command", cmd, commands),
                    "one of " + String.join(", ", commands) + progs);
        }
        Op op;
        try {
            op = dev.kctx.mechanisms.shell.Shell.command(line);
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ScenarioError(v.loc(), "sh cannot run '" + Errors.clip(line) + "': " + Errors.clip(msg, 120),
                    "a command line this shell runs, e.g. 'cat /proc/devices' (see docs/scenario.md)");
        }
        a.context().shell();
        o.op(op);
    }
}
