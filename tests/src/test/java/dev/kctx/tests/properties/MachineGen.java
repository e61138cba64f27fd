package dev.kctx.tests.properties;

import dev.kctx.contexts.ReportKind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates machines that are clean by construction, and the same machines with exactly one
 * violation of a known kind injected.
 *
 * <p>jqwik draws the {@link Shape} (how many CPUs, lines, threads, processes, how long the bodies
 * and how deep the nesting, how long the run); everything else comes from the shape's seed, with one
 * generator split per component, so that a smaller shape (what jqwik shrinks to) keeps the
 * components it still has.
 *
 * <p>The clean discipline, which is what the kernel's rules ask of correct code:
 * <ul>
 *   <li>sleeping calls (msleep, mutex_lock, down, kmalloc(GFP_KERNEL), copy_to_user, ...) only in
 *       task context with nothing atomic held; interrupt handlers and atomic sections use only
 *       atomic-safe calls;</li>
 *   <li>every lock belongs to one class: IRQ-safe (taken with the _irqsave variant everywhere,
 *       usable in any context), task-only (one fixed variant), soft-IRQ-only or hard-IRQ-only
 *       (plain spin_lock in that handler kind);</li>
 *   <li>locks nest in one global order, and under an IRQ-safe lock only IRQ-safe (or hard-IRQ-only)
 *       locks are taken; spin_lock_irq and local_irq_disable only with nothing held;</li>
 *   <li>every lock, section and system call is balanced; every kernel thread iteration ends with a
 *       sleep, so no thread keeps its CPU in the non-preemptive kernel.</li>
 * </ul>
 */
final class MachineGen {
    private MachineGen() {
    }

    /** The dimensions jqwik draws and shrinks. */
    record Shape(long seed, int cpus, int irqs, int softirqs, int kthreads, int processes, int bodyLen, int depth,
                 int untilMs) {
    }

    static Arbitrary<Shape> shapes() {
        Arbitrary<int[]> depthAndUntil = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(2, 8)).as((d, u) -> new int[] {d, u});
        return Combinators.combine(
                Arbitraries.longs().between(0, Long.MAX_VALUE / 2),
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(1, 5),
                depthAndUntil).as((seed, cpus, irqs, soft, kt, procs, len, du) ->
                        new Shape(seed, cpus, irqs, soft, kt, procs, len, du[0], du[1]));
    }

    /** Clean machines. */
    static Arbitrary<GenMachine> cleanMachines() {
        return shapes().map(MachineGen::clean);
    }

    /** Clean machines and machines with one injected violation, about half each. */
    static Arbitrary<GenMachine> anyMachines() {
        return Combinators.combine(shapes(), Arbitraries.of(Violation.class).injectNull(0.5))
                .as((s, v) -> v == null ? clean(s) : inject(s, v).machine());
    }

    // ---- locks ----

    enum Cls { IRQSAFE, TASK, SOFTIRQ_ONLY, HARDIRQ_ONLY, MUTEX, SEMAPHORE }

    /** A declared lock: its place in the global order, its class and (task-only locks) its variant. */
    record Lk(String name, int order, Cls cls, boolean rw, String variant) {
    }

    enum Kind { HARDIRQ, SOFTIRQ, KTHREAD, SYSCALL }

    /** What the code being generated holds and has disabled. */
    record Ctx(Kind kind, int maxOrder, boolean holdsSafe, boolean irqsOff, boolean atomic, boolean bhOff,
               int depth, Set<String> held, boolean noBlocking) {
        boolean task() {
            return kind == Kind.KTHREAD || kind == Kind.SYSCALL;
        }

        Ctx with(Lk l, boolean irqs, boolean bh, boolean makesAtomic) {
            Set<String> h = new HashSet<>(held);
            h.add(l.name());
            return new Ctx(kind, l.order(), holdsSafe || l.cls() == Cls.IRQSAFE || l.cls() == Cls.HARDIRQ_ONLY,
                    irqsOff || irqs, atomic || makesAtomic, bhOff || bh, depth + 1, h, noBlocking);
        }

        Ctx section(boolean irqs, boolean bh) {
            return new Ctx(kind, maxOrder, holdsSafe, irqsOff || irqs, true, bhOff || bh, depth + 1, held, noBlocking);
        }

        Ctx deeper() {
            return new Ctx(kind, maxOrder, holdsSafe, irqsOff, atomic, bhOff, depth + 1, held, noBlocking);
        }

        static Ctx of(Kind k, boolean noBlocking) {
            boolean irq = k == Kind.HARDIRQ;
            boolean atomic = k == Kind.HARDIRQ || k == Kind.SOFTIRQ;
            return new Ctx(k, -1, false, irq, atomic, false, 0, Set.of(), noBlocking);
        }
    }

    static final List<String> VECTORS = List.of("NET_RX", "TASKLET", "TIMER", "HI", "BLOCK");
    static final List<String> SYSCALLS = List.of("read", "write", "ioctl", "getpid", "sendmsg");

    /** Generation state: the locks, the vectors, the limits of one machine. */
    private static final class G {
        final SplittableRandom r;
        final List<Lk> locks;
        final List<String> vectors;
        final int bodyLen;
        final int maxDepth;

        G(SplittableRandom r, List<Lk> locks, List<String> vectors, int bodyLen, int maxDepth) {
            this.r = r;
            this.locks = locks;
            this.vectors = vectors;
            this.bodyLen = bodyLen;
            this.maxDepth = maxDepth;
        }

        G with(SplittableRandom other) {
            return new G(other, locks, vectors, bodyLen, maxDepth);
        }

        int between(int lo, int hi) {
            return lo + r.nextInt(hi - lo + 1);
        }

        boolean chance(double p) {
            return r.nextDouble() < p;
        }

        <T> T pick(List<T> l) {
            return l.get(r.nextInt(l.size()));
        }

        String us(int lo, int hi) {
            return GenMachine.dur(1000L * between(lo, hi));
        }

        List<Item> body(Ctx c, int len) {
            List<Item> out = new ArrayList<>();
            for (int i = 0; i < len; i++) {
                item(c, out);
            }
            return out;
        }

        void item(Ctx c, List<Item> out) {
            int maxCompute = c.kind() == Kind.HARDIRQ ? 4 : c.kind() == Kind.SOFTIRQ ? 8 : 15;
            double p = r.nextDouble();
            if (p < 0.28) {
                out.add(chance(0.8) ? Item.leaf("compute", us(1, maxCompute))
                        : Item.leaf("compute", "{min: 1us, max: " + us(2, maxCompute + 1) + "}"));
            } else if (p < 0.43) {
                atomicSafe(c, out);
            } else if (p < 0.63 && c.depth() < maxDepth) {
                if (!lockSection(c, out)) {
                    out.add(Item.leaf("compute", us(1, maxCompute)));
                }
            } else if (p < 0.73 && c.depth() < maxDepth) {
                section(c, out);
            } else if (p < 0.78 && c.depth() < maxDepth) {
                out.add(Item.loop(between(1, 3), body(c.deeper(), between(1, Math.max(1, bodyLen - 1)))));
            } else if (c.task() && !c.atomic()) {
                sleeping(c, out);
            } else {
                atomicSafe(c, out);
            }
        }

        void atomicSafe(Ctx c, List<Item> out) {
            switch (r.nextInt(9)) {
                case 0 -> out.add(Item.leaf("udelay", us(1, 3)));
                case 1 -> out.add(Item.leaf("printk", "\"gen\""));
                case 2 -> out.add(Item.leaf("kfree"));
                case 3 -> out.add(Item.leaf("kmalloc", chance(0.5) ? "GFP_ATOMIC" : "{size: 64, flags: GFP_NOWAIT}"));
                case 4 -> out.add(Item.leaf("alloc_skb", "GFP_ATOMIC"));
                case 5 -> {
                    // A soft IRQ that raises soft IRQs could re-raise itself in zero time forever: a
                    // livelock the engine rightly stops as a model failure, so handlers never raise.
                    if (c.kind() != Kind.SOFTIRQ) {
                        out.add(Item.leaf("raise_softirq", raisable()));
                    } else {
                        out.add(Item.leaf("udelay", "1us"));
                    }
                }
                case 6 -> out.add(Item.leaf("wake_up", chance(0.5) ? "q0" : "q1"));
                case 7 -> out.add(Item.leaf("complete", "c0"));
                default -> {
                    if (c.task() && c.depth() < maxDepth && !c.noBlocking()) {
                        trylock(c, out);
                    } else {
                        out.add(Item.leaf("mdelay", "2us"));
                    }
                }
            }
        }

        String raisable() {
            if (vectors.isEmpty() || chance(0.15)) {
                return "NET_TX";
            }
            return pick(vectors);
        }

        void sleeping(Ctx c, List<Item> out) {
            int n = r.nextInt(c.noBlocking() ? 11 : 15);
            switch (n) {
                case 0 -> out.add(Item.leaf("msleep", us(5, 40)));
                case 1 -> out.add(Item.leaf("msleep_interruptible", us(5, 40)));
                case 2 -> out.add(Item.leaf("usleep_range", "{min: 10us, max: " + us(11, 40) + "}"));
                case 3 -> out.add(Item.leaf("schedule"));
                case 4 -> out.add(Item.leaf("cond_resched"));
                case 5 -> out.add(Item.leaf("kmalloc", chance(0.5) ? "GFP_KERNEL" : "{size: 4096, flags: GFP_KERNEL}"));
                case 6 -> out.add(Item.leaf("vmalloc", "8192"));
                case 7 -> out.add(Item.leaf("alloc_skb", "GFP_KERNEL"));
                case 8 -> out.add(Item.leaf(chance(0.5) ? "copy_to_user" : "copy_from_user", String.valueOf(between(1, 4096))));
                case 9 -> out.add(Item.leaf(chance(0.5) ? "get_user" : "put_user"));
                case 10 -> out.add(Item.leaf("compute", us(1, 15)));
                case 11, 12 -> {
                    if (!sleepingLock(c, out)) {
                        out.add(Item.leaf("msleep", us(5, 40)));
                    }
                }
                case 13 -> out.add(Item.leaf(chance(0.5) ? "wait_event" : "wait_event_interruptible", chance(0.5) ? "q0" : "q1"));
                default -> out.add(Item.leaf("wait_for_completion", "c0"));
            }
        }

        List<Lk> eligible(Ctx c, boolean sleeping) {
            List<Lk> out = new ArrayList<>();
            for (Lk l : locks) {
                if (c.held().contains(l.name()) || l.order() <= c.maxOrder()) {
                    continue;
                }
                boolean sleepy = l.cls() == Cls.MUTEX || l.cls() == Cls.SEMAPHORE;
                if (sleepy != sleeping) {
                    continue;
                }
                boolean fits = switch (c.kind()) {
                    case HARDIRQ -> l.cls() == Cls.IRQSAFE || l.cls() == Cls.HARDIRQ_ONLY;
                    case SOFTIRQ -> l.cls() == Cls.IRQSAFE || l.cls() == Cls.SOFTIRQ_ONLY;
                    case KTHREAD, SYSCALL -> l.cls() == Cls.IRQSAFE || l.cls() == Cls.TASK
                            || (sleepy && !c.atomic());
                };
                if (!fits) {
                    continue;
                }
                if (c.holdsSafe() && l.cls() != Cls.IRQSAFE && l.cls() != Cls.HARDIRQ_ONLY) {
                    continue;
                }
                if (l.cls() == Cls.TASK && l.variant().equals("_irq") && (!c.held().isEmpty() || c.irqsOff() || c.atomic())) {
                    continue;
                }
                if (l.cls() == Cls.TASK && l.variant().equals("_bh") && c.irqsOff()) {
                    continue;
                }
                out.add(l);
            }
            return out;
        }

        boolean lockSection(Ctx c, List<Item> out) {
            List<Lk> e = eligible(c, false);
            if (e.isEmpty()) {
                return false;
            }
            Lk l = pick(e);
            String variant = switch (l.cls()) {
                case IRQSAFE -> "_irqsave";
                case TASK -> l.variant();
                default -> "";
            };
            String prefix = l.rw() ? (chance(0.5) ? "read" : "write") : "spin";
            String unlockVariant = variant.equals("_irqsave") ? "_irqrestore" : variant;
            Ctx inner = c.with(l, variant.equals("_irq") || variant.equals("_irqsave"), variant.equals("_bh"), true);
            out.add(Item.leaf(prefix + "_lock" + variant, l.name()));
            out.addAll(body(inner, between(0, bodyLen)));
            out.add(Item.leaf(prefix + "_unlock" + unlockVariant, l.name()));
            return true;
        }

        boolean sleepingLock(Ctx c, List<Item> out) {
            if (c.noBlocking() || c.depth() >= maxDepth) {
                return false;
            }
            List<Lk> e = eligible(c, true);
            if (e.isEmpty()) {
                return false;
            }
            Lk l = pick(e);
            Ctx inner = c.with(l, false, false, false);
            boolean mutex = l.cls() == Cls.MUTEX;
            out.add(Item.leaf(mutex ? "mutex_lock" : chance(0.5) ? "down" : "down_interruptible", l.name()));
            out.addAll(body(inner, between(0, bodyLen)));
            out.add(Item.leaf(mutex ? "mutex_unlock" : "up", l.name()));
            return true;
        }

        void trylock(Ctx c, List<Item> out) {
            List<Lk> e = eligible(c, false).stream().filter(l -> l.cls() == Cls.TASK && !l.rw()).toList();
            if (e.isEmpty()) {
                out.add(Item.leaf("udelay", "1us"));
                return;
            }
            Lk l = pick(e);
            List<Item> then = new ArrayList<>(body(c.with(l, false, false, true), between(0, 2)));
            then.add(Item.leaf("spin_unlock", l.name()));
            List<Item> otherwise = chance(0.5) ? List.of(Item.leaf("compute", "1us")) : List.of();
            out.add(Item.trylock("spin_trylock", l.name(), then, otherwise));
        }

        void section(Ctx c, List<Item> out) {
            int n = r.nextInt(5);
            if (n == 0) {
                out.add(Item.leaf("preempt_disable"));
                out.addAll(body(c.section(false, false), between(0, bodyLen)));
                out.add(Item.leaf("preempt_enable"));
            } else if (n == 1) {
                out.add(Item.leaf("rcu_read_lock"));
                out.addAll(body(c.section(false, false), between(0, bodyLen)));
                out.add(Item.leaf("rcu_read_unlock"));
            } else if (n == 2) {
                out.add(Item.leaf("local_irq_save"));
                out.addAll(body(c.section(true, false), between(0, bodyLen)));
                out.add(Item.leaf("local_irq_restore"));
            } else if (n == 3 && c.task() && !c.irqsOff()) {
                out.add(Item.leaf("local_bh_disable"));
                out.addAll(body(c.section(false, true), between(0, bodyLen)));
                out.add(Item.leaf("local_bh_enable"));
            } else if (n == 4 && c.task() && !c.irqsOff() && c.held().isEmpty() && !c.atomic()) {
                out.add(Item.leaf("local_irq_disable"));
                out.addAll(body(c.section(true, false), between(0, bodyLen)));
                out.add(Item.leaf("local_irq_enable"));
            } else {
                out.add(Item.leaf("preempt_disable"));
                out.add(Item.leaf("compute", "1us"));
                out.add(Item.leaf("preempt_enable"));
            }
        }

        /** A kernel thread's body: whatever it does, each iteration ends asleep for a while. */
        List<Item> kthreadBody(boolean noBlocking) {
            List<Item> b = body(Ctx.of(Kind.KTHREAD, noBlocking), between(1, bodyLen));
            b.add(Item.leaf("msleep", us(10, 100)));
            return b;
        }

        List<Item> processBody(int depth, boolean noBlocking) {
            List<Item> b = new ArrayList<>();
            int len = between(1, bodyLen);
            for (int i = 0; i < len; i++) {
                double p = r.nextDouble();
                if (p < 0.35) {
                    b.add(Item.leaf("compute", us(10, 200)));
                } else if (p < 0.75) {
                    b.add(Item.syscall(pick(SYSCALLS), body(Ctx.of(Kind.SYSCALL, noBlocking), between(1, bodyLen))));
                } else if (p < 0.9 || depth >= maxDepth) {
                    b.add(Item.leaf("nanosleep", us(10, 200)));
                } else {
                    b.add(Item.loop(between(1, 3), processBody(depth + 1, noBlocking)));
                }
            }
            if (depth == 0) {
                // Every iteration takes time: a body of zero-time system calls repeated forever
                // would be a livelock at one instant, which the engine stops as a model failure.
                b.add(Item.leaf("compute", us(5, 50)));
            }
            return b;
        }
    }

    // ---- machines ----

    /** A clean machine of this shape. */
    static GenMachine clean(Shape s) {
        SplittableRandom root = new SplittableRandom(s.seed());
        SplittableRandom machineR = root.split();
        SplittableRandom lockR = root.split();
        SplittableRandom vecR = root.split();
        List<SplittableRandom> irqR = splits(root, 3);
        List<SplittableRandom> softR = splits(root, 2);
        List<SplittableRandom> ktR = splits(root, 3);
        List<SplittableRandom> procR = splits(root, 3);

        List<Lk> locks = new ArrayList<>();
        Map<String, String> decl = new LinkedHashMap<>();
        int nSpin = lockR.nextInt(5);
        int order = 0;
        List<Integer> orders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            orders.add(i);
        }
        java.util.Collections.shuffle(orders, new java.util.Random(lockR.nextLong()));
        for (int i = 0; i < nSpin; i++) {
            Cls cls = List.of(Cls.IRQSAFE, Cls.IRQSAFE, Cls.TASK, Cls.TASK, Cls.SOFTIRQ_ONLY, Cls.HARDIRQ_ONLY)
                    .get(lockR.nextInt(6));
            String v = cls == Cls.TASK ? List.of("", "_bh", "_irq", "_irqsave").get(lockR.nextInt(4)) : "";
            locks.add(new Lk("s" + i, orders.get(order++), cls, false, v));
            decl.put("s" + i, "spinlock");
        }
        if (lockR.nextInt(2) == 1) {
            Cls cls = lockR.nextBoolean() ? Cls.IRQSAFE : Cls.TASK;
            locks.add(new Lk("rw0", orders.get(order++), cls, true, ""));
            decl.put("rw0", "rwlock");
        }
        int nMutex = lockR.nextInt(3);
        for (int i = 0; i < nMutex; i++) {
            locks.add(new Lk("m" + i, orders.get(order++), Cls.MUTEX, false, ""));
            decl.put("m" + i, "mutex");
        }
        if (lockR.nextInt(2) == 1) {
            locks.add(new Lk("sem0", orders.get(order++), Cls.SEMAPHORE, false, ""));
            decl.put("sem0", "{semaphore: " + (1 + lockR.nextInt(3)) + "}");
        }

        List<String> vectors = new ArrayList<>(VECTORS);
        java.util.Collections.shuffle(vectors, new java.util.Random(vecR.nextLong()));
        vectors = List.copyOf(vectors.subList(0, s.softirqs()));

        long until = s.untilMs() * 1_000_000L;
        G base = new G(machineR, locks, vectors, s.bodyLen(), s.depth());
        boolean full = base.chance(0.3);
        long slice = base.pick(List.of(500_000L, 1_000_000L, 4_000_000L));
        long mseed = base.between(1, 1_000_000);
        boolean defer = base.chance(0.2);

        List<GenMachine.Irq> irqs = new ArrayList<>();
        for (int i = 0; i < s.irqs(); i++) {
            G g = base.with(irqR.get(i));
            List<Integer> aff = new ArrayList<>();
            int first = g.r.nextInt(s.cpus());
            aff.add(first);
            if (s.cpus() > 1 && g.chance(0.4)) {
                aff.add((first + 1 + g.r.nextInt(s.cpus() - 1)) % s.cpus());
            }
            // Lines with two CPUs in their affinity get every kind of arrival and handler too: one
            // line's handler never runs on two CPUs at once (the engine replays an arrival that
            // comes while it runs elsewhere), which TraceChecker's irq-line-concurrent checks.
            GenMachine.Arrival a = switch (g.r.nextInt(3)) {
                case 0 -> new GenMachine.Every(1000L * g.between(100, 500), 1000L * g.between(0, 300), g.between(1, 20));
                case 1 -> {
                    int n = g.between(1, 5);
                    java.util.TreeSet<Long> t = new java.util.TreeSet<>();
                    while (t.size() < n) {
                        t.add(1000L * g.between(0, (int) (until / 1000)));
                    }
                    yield new GenMachine.At(new ArrayList<>(t));
                }
                default -> new GenMachine.Rate(g.between(1000, 10_000), 1000L * g.between(0, 200), g.between(1, 30));
            };
            List<Item> h = g.body(Ctx.of(Kind.HARDIRQ, false), g.between(1, s.bodyLen()));
            if (!vectors.isEmpty() && g.chance(0.7)) {
                h.add(g.r.nextInt(h.size() + 1), Item.leaf("raise_softirq", g.pick(vectors)));
            }
            irqs.add(new GenMachine.Irq("irq" + i, 10 + i, aff, a, h));
        }
        Map<String, List<Item>> softirqs = new LinkedHashMap<>();
        for (int i = 0; i < vectors.size(); i++) {
            G g = base.with(softR.get(i));
            softirqs.put(vectors.get(i), g.body(Ctx.of(Kind.SOFTIRQ, false), g.between(1, s.bodyLen())));
        }
        List<GenMachine.Task> kthreads = new ArrayList<>();
        for (int i = 0; i < s.kthreads(); i++) {
            G g = base.with(ktR.get(i));
            int cpu = g.chance(0.7) ? g.r.nextInt(s.cpus()) : -1;
            int repeat = g.chance(0.3) ? 0 : g.between(1, 4);
            List<Item> body = g.kthreadBody(false);
            int nice = g.chance(0.4) ? g.between(-10, 10) : 0;
            kthreads.add(new GenMachine.Task("kt" + i, cpu, 1000L * g.between(0, 500), repeat, body, nice));
        }
        List<GenMachine.Task> processes = new ArrayList<>();
        for (int i = 0; i < s.processes(); i++) {
            G g = base.with(procR.get(i));
            int cpu = g.chance(0.7) ? g.r.nextInt(s.cpus()) : -1;
            int repeat = g.chance(0.3) ? 0 : g.between(1, 3);
            List<Item> body = g.processBody(0, false);
            int nice = g.chance(0.4) ? g.between(-10, 10) : 0;
            processes.add(new GenMachine.Task("proc" + i, cpu, 1000L * g.between(0, 500), repeat, body, nice));
        }
        return new GenMachine("gen-" + Long.toHexString(s.seed()), s.cpus(), full, slice, mseed, defer, 4_000_000L,
                decl, irqs, softirqs, kthreads, processes, until);
    }

    private static List<SplittableRandom> splits(SplittableRandom root, int n) {
        List<SplittableRandom> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(root.split());
        }
        return l;
    }

    // ---- injected violations ----

    /** The violations the generator can inject, each with the report kind it must give. */
    enum Violation {
        MSLEEP_IN_ATOMIC(ReportKind.SCHEDULING_WHILE_ATOMIC),
        SLEEP_IN_SOFTIRQ(ReportKind.SLEEP_IN_ATOMIC),
        SLEEP_UNDER_SPINLOCK(ReportKind.SLEEP_IN_ATOMIC),
        BAD_UNLOCK(ReportKind.BAD_UNLOCK_BALANCE),
        ABBA(ReportKind.CIRCULAR_LOCKING),
        NESTED_READ_LOCK(ReportKind.RECURSIVE_LOCKING),
        LOCK_IN_IRQ_AND_TASK(ReportKind.INCONSISTENT_LOCK_STATE),
        LOCK_HELD_TO_USER(ReportKind.LOCK_HELD_RETURNING_TO_USER);

        final ReportKind kind;

        Violation(ReportKind kind) {
            this.kind = kind;
        }
    }

    /** A machine with one violation: the kind it must report and the kinds that may come with it. */
    record Injected(GenMachine machine, Violation violation, Set<ReportKind> companions, String what) {
    }

    static Injected inject(Shape s, Violation v) {
        GenMachine c = clean(s);
        // Short time slices and at least 4 ms: the injected contexts get a CPU even behind user
        // processes, which only leave it at the end of their slice.
        GenMachine m = new GenMachine(c.name(), c.cpus(), c.preemptFull(), 500_000L, c.seed(), c.softirqDefer(),
                c.watchdogThreshNs(), c.locks(), c.irqs(), c.softirqs(), c.kthreads(), c.processes(),
                Math.max(c.untilNs(), 4_000_000L));
        SplittableRandom r = new SplittableRandom(s.seed() ^ 0x5DEECE66DL ^ v.ordinal());
        G g = new G(r, List.of(), List.of(), Math.max(2, s.bodyLen()), s.depth());
        long early = m.untilNs() / 8;
        long start = 1000L * g.between(0, (int) (early / 1000));
        int cpu = r.nextInt(m.cpus());
        Map<String, String> locks = new LinkedHashMap<>(m.locks());
        List<GenMachine.Task> kthreads = new ArrayList<>(m.kthreads());
        String what;
        Set<ReportKind> companions = Set.of();
        switch (v) {
            case MSLEEP_IN_ATOMIC -> {
                locks.put("inj_lock", "spinlock");
                int w = r.nextInt(3);
                List<Item> bad = switch (w) {
                    case 0 -> List.of(Item.leaf("spin_lock", "inj_lock"), Item.leaf("msleep", "20us"), Item.leaf("spin_unlock", "inj_lock"));
                    case 1 -> List.of(Item.leaf("preempt_disable"), Item.leaf("msleep", "20us"), Item.leaf("preempt_enable"));
                    default -> List.of(Item.leaf("spin_lock_bh", "inj_lock"), Item.leaf("msleep", "20us"), Item.leaf("spin_unlock_bh", "inj_lock"));
                };
                what = "msleep under " + bad.get(0);
                kthreads.add(new GenMachine.Task("inj", cpu, start, 1, around(g, Kind.KTHREAD, bad)));
            }
            case SLEEP_UNDER_SPINLOCK -> {
                locks.put("inj_lock", "spinlock");
                locks.put("inj_m", "mutex");
                List<Item> sleep = r.nextBoolean() ? List.of(Item.leaf("kmalloc", "GFP_KERNEL"))
                        : List.of(Item.leaf("mutex_lock", "inj_m"), Item.leaf("mutex_unlock", "inj_m"));
                List<Item> bad = new ArrayList<>();
                bad.add(Item.leaf("spin_lock", "inj_lock"));
                bad.addAll(sleep);
                bad.add(Item.leaf("spin_unlock", "inj_lock"));
                what = sleep.get(0) + " under spin_lock";
                kthreads.add(new GenMachine.Task("inj", cpu, start, 1, around(g, Kind.KTHREAD, bad)));
            }
            case BAD_UNLOCK -> {
                locks.put("inj_lock", "spinlock");
                locks.put("inj_m", "mutex");
                List<Item> bad = switch (r.nextInt(3)) {
                    case 0 -> List.of(Item.leaf("spin_lock", "inj_lock"), Item.leaf("compute", "1us"),
                            Item.leaf("spin_unlock", "inj_lock"), Item.leaf("spin_unlock", "inj_lock"));
                    case 1 -> List.of(Item.leaf("mutex_unlock", "inj_m"));
                    default -> List.of(Item.leaf("spin_unlock", "inj_lock"));
                };
                what = "unbalanced " + bad.get(bad.size() - 1);
                kthreads.add(new GenMachine.Task("inj", cpu, start, 1, around(g, Kind.KTHREAD, bad)));
            }
            case ABBA -> {
                String type = r.nextBoolean() ? "spinlock" : "mutex";
                String lock = type.equals("mutex") ? "mutex_lock" : "spin_lock";
                String unlock = type.equals("mutex") ? "mutex_unlock" : "spin_unlock";
                locks.put("inj_a", type);
                locks.put("inj_b", type);
                List<Item> ab = List.of(Item.leaf(lock, "inj_a"), Item.leaf("compute", "1us"), Item.leaf(lock, "inj_b"),
                        Item.leaf("compute", "1us"), Item.leaf(unlock, "inj_b"), Item.leaf(unlock, "inj_a"));
                List<Item> ba = List.of(Item.leaf(lock, "inj_b"), Item.leaf("compute", "1us"), Item.leaf(lock, "inj_a"),
                        Item.leaf("compute", "1us"), Item.leaf(unlock, "inj_a"), Item.leaf(unlock, "inj_b"));
                what = "AB/BA order of two " + type + "es in two threads on CPU " + cpu;
                kthreads.add(new GenMachine.Task("inj_ab", cpu, start, 1, around(g, Kind.KTHREAD, ab)));
                long start2 = 1000L * g.between(0, (int) (early / 1000));
                kthreads.add(new GenMachine.Task("inj_ba", cpu, start2, 1, around(g, Kind.KTHREAD, ba)));
            }
            case NESTED_READ_LOCK -> {
                locks.put("inj_rw", "rwlock");
                List<Item> bad = List.of(Item.leaf("read_lock", "inj_rw"), Item.leaf("compute", "1us"),
                        Item.leaf("read_lock", "inj_rw"), Item.leaf("compute", "1us"),
                        Item.leaf("read_unlock", "inj_rw"), Item.leaf("read_unlock", "inj_rw"));
                what = "read_lock taken twice in task context";
                kthreads.add(new GenMachine.Task("inj", cpu, start, 1, around(g, Kind.KTHREAD, bad)));
            }
            case SLEEP_IN_SOFTIRQ -> {
                Item bad = switch (r.nextInt(4)) {
                    case 0 -> Item.leaf("kmalloc", "GFP_KERNEL");
                    case 1 -> Item.leaf("copy_to_user", "64");
                    case 2 -> Item.leaf("vmalloc", "4096");
                    default -> Item.leaf("get_user");
                };
                Map<String, List<Item>> soft = new LinkedHashMap<>(m.softirqs());
                String vec;
                if (!soft.isEmpty() && r.nextBoolean()) {
                    vec = g.pick(new ArrayList<>(soft.keySet()));
                    List<Item> h = new ArrayList<>(soft.get(vec));
                    h.add(r.nextInt(h.size() + 1), bad);
                    soft.put(vec, h);
                } else {
                    List<String> free = new ArrayList<>(VECTORS);
                    free.removeAll(soft.keySet());
                    vec = g.pick(free);
                    soft.put(vec, around(g, Kind.SOFTIRQ, List.of(bad)));
                }
                what = bad + " in soft IRQ " + vec;
                List<GenMachine.Irq> irqs = new ArrayList<>(m.irqs());
                irqs.add(new GenMachine.Irq("inj", 100, List.of(cpu), new GenMachine.At(List.of(Math.max(10_000, start))),
                        List.of(Item.leaf("compute", "1us"), Item.leaf("raise_softirq", vec))));
                m = m.withSoftirqs(soft).withIrqs(irqs);
            }
            case LOCK_IN_IRQ_AND_TASK -> {
                locks.put("inj_lock", "spinlock");
                int irqCpu = m.cpus() > 1 ? (cpu + 1 + r.nextInt(m.cpus() - 1)) % m.cpus() : cpu;
                List<GenMachine.Irq> irqs = new ArrayList<>(m.irqs());
                irqs.add(new GenMachine.Irq("inj", 100, List.of(irqCpu),
                        new GenMachine.At(List.of(1000L * g.between(10, (int) (early / 1000)))),
                        List.of(Item.leaf("spin_lock", "inj_lock"), Item.leaf("compute", "1us"), Item.leaf("spin_unlock", "inj_lock"))));
                m = m.withIrqs(irqs);
                List<Item> bad = List.of(Item.leaf("spin_lock", "inj_lock"), Item.leaf("compute", "2us"),
                        Item.leaf("spin_unlock", "inj_lock"));
                what = "a lock taken in a hard IRQ on CPU " + irqCpu + " and with IRQs on in a thread on CPU " + cpu;
                kthreads.add(new GenMachine.Task("inj", cpu, start, 1, around(g, Kind.KTHREAD, bad)));
                if (irqCpu == cpu) {
                    companions = Set.of(ReportKind.HARD_LOCKUP, ReportKind.SOFT_LOCKUP);
                }
            }
            case LOCK_HELD_TO_USER -> {
                locks.put("inj_m", "mutex");
                List<GenMachine.Task> procs = new ArrayList<>(m.processes());
                List<Item> sys = around(g, Kind.SYSCALL, List.of(Item.leaf("mutex_lock", "inj_m")));
                procs.add(new GenMachine.Task("injp", cpu, start, 1,
                        List.of(Item.leaf("compute", "10us"), Item.syscall("ioctl", sys), Item.leaf("compute", "10us"))));
                what = "ioctl returning with a mutex held";
                m = m.withProcesses(procs);
            }
            default -> throw new IllegalArgumentException(v.toString());
        }
        GenMachine out = m.withLocks(locks).withKthreads(kthreads).withName(m.name() + "-" + v.name().toLowerCase().replace('_', '-'));
        return new Injected(out, v, companions, what);
    }

    /** Clean code of a fresh context around {@code bad}; it never blocks, so {@code bad} is reached. */
    private static List<Item> around(G g, Kind kind, List<Item> bad) {
        List<Item> out = new ArrayList<>(g.body(Ctx.of(kind, true), g.between(0, 2)));
        out.addAll(bad);
        out.addAll(g.body(Ctx.of(kind, true), g.between(0, 2)));
        return out;
    }
}
