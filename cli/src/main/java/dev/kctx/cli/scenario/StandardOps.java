package dev.kctx.cli.scenario;

import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Ops.SpinVariant;

import java.util.List;
import java.util.Map;

/**
 * The operations of this version, named after the kernel or libc call they model. Each entry
 * maps one YAML form to the engine's {@link dev.kctx.actors.program.OpsBuilder} vocabulary.
 */
final class StandardOps {
    private static final Map<String, Boolean> GFP = Map.of("GFP_KERNEL", false, "GFP_ATOMIC", true);
    /** copy_*_user sizes: up to 1 GiB. */
    private static final long MAX_BYTES = 1L << 30;

    private StandardOps() {
    }

    static void registerAll(OpRegistry r) {
        r.register("compute", "compute: DURATION | {min: DURATION, max: DURATION}", OpRegistry.ANYWHERE,
                StandardOps::compute);
        r.register("mdelay", "mdelay: DURATION", OpRegistry.KERNEL, (a, o) -> o.mdelay(a.duration()));
        r.register("udelay", "udelay: DURATION", OpRegistry.KERNEL, (a, o) -> o.mdelay(a.duration()));
        r.register("msleep", "msleep: DURATION", OpRegistry.KERNEL, (a, o) -> o.msleep(a.duration()));
        r.register("schedule", "schedule", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.schedule();
        });
        r.register("cond_resched", "cond_resched", OpRegistry.KERNEL, (a, o) -> {
            a.none();
            o.condResched();
        });
        for (SpinVariant v : SpinVariant.values()) {
            r.register(v.lockName(), v.lockName() + ": LOCK", OpRegistry.KERNEL,
                    (a, o) -> o.spinLock(a.lock(LockType.SPINLOCK), v));
        }
        for (SpinVariant v : SpinVariant.values()) {
            r.register(v.unlockName(), v.unlockName() + ": LOCK", OpRegistry.KERNEL,
                    (a, o) -> o.spinUnlock(a.lock(LockType.SPINLOCK), v));
        }
        r.register("mutex_lock", "mutex_lock: LOCK", OpRegistry.KERNEL, (a, o) -> o.mutexLock(a.lock(LockType.MUTEX)));
        r.register("mutex_unlock", "mutex_unlock: LOCK", OpRegistry.KERNEL,
                (a, o) -> o.mutexUnlock(a.lock(LockType.MUTEX)));
        r.register("kmalloc", "kmalloc: GFP_KERNEL | GFP_ATOMIC | {size: BYTES, flags: GFP_KERNEL | GFP_ATOMIC}",
                OpRegistry.KERNEL, StandardOps::kmalloc);
        r.register("copy_to_user", "copy_to_user: BYTES", OpRegistry.KERNEL,
                (a, o) -> o.copyToUser(a.integer("copy_to_user: BYTES", 0, MAX_BYTES)));
        r.register("copy_from_user", "copy_from_user: BYTES", OpRegistry.KERNEL,
                (a, o) -> o.copyFromUser(a.integer("copy_from_user: BYTES", 0, MAX_BYTES)));
        r.register("raise_softirq", "raise_softirq: VECTOR", OpRegistry.KERNEL, (a, o) -> o.raiseSoftirq(a.vector()));
        r.register("wake_up", "wake_up: QUEUE", OpRegistry.KERNEL, (a, o) -> o.wakeUp(a.name("wake_up: QUEUE", 32)));
        r.register("wait_event", "wait_event: QUEUE", OpRegistry.KERNEL,
                (a, o) -> o.waitEvent(a.name("wait_event: QUEUE", 32)));
        r.register("wait_event_interruptible", "wait_event_interruptible: QUEUE", OpRegistry.KERNEL,
                (a, o) -> o.waitEventInterruptible(a.name("wait_event_interruptible: QUEUE", 32)));
        for (Ops.Simple s : Ops.Simple.values()) {
            String name = s.describe().substring(0, s.describe().indexOf('('));
            r.register(name, name, OpRegistry.KERNEL, (a, o) -> {
                a.none();
                o.op(s);
            });
        }
        r.register("printk", "printk: TEXT", OpRegistry.KERNEL, (a, o) -> o.printk(a.string("printk: TEXT")));
        r.register("syscall", "syscall: {name: NAME, body: [OPERATIONS]}", OpRegistry.USER, StandardOps::syscall);
        r.register("nanosleep", "nanosleep: DURATION", OpRegistry.USER, (a, o) -> {
            a.context().syscall("nanosleep");
            o.nanosleep(a.duration());
        });
        r.register("loop", "loop: {count: N | forever, body: [OPERATIONS]}", OpRegistry.ANYWHERE, StandardOps::loop);
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

    private static void kmalloc(OpArg a, OpSink o) {
        Node v = a.value("kmalloc: GFP_KERNEL");
        if (v instanceof Node.MapNode) {
            Fields f = a.fields("kmalloc: {size: 128, flags: GFP_KERNEL}", List.of("size", "flags"));
            long size = f.opt("size").map(n -> Values.integer(n, "kmalloc size", 0, 1L << 30)).orElse(64L);
            boolean atomic = Values.choice(f.req("flags", "GFP_KERNEL | GFP_ATOMIC"), "GFP flag", GFP);
            o.kmalloc(size, atomic);
        } else {
            o.kmalloc(64, Values.choice(v, "GFP flag", GFP));
        }
    }

    private static void syscall(OpArg a, OpSink o) {
        Fields f = a.fields("syscall: {name: read, body: [...]}", List.of("name", "body"));
        String name = Values.name(f.req("name", "NAME"), "syscall name", 32);
        List<Op> body = a.body(f.req("body", "[OPERATIONS]"), BodyKind.SYSCALL, "syscall " + name);
        a.context().syscall(name);
        o.syscall(name, b -> body.forEach(b::op));
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
}
