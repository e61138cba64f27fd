package dev.kctx.contexts;

import dev.kctx.contexts.LockGraph.Dep;
import dev.kctx.contexts.LockGraph.LockClass;
import dev.kctx.contexts.LockGraph.Node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;

import static dev.kctx.contexts.LockUsage.ENABLED_HARDIRQ;
import static dev.kctx.contexts.LockUsage.ENABLED_HARDIRQ_READ;
import static dev.kctx.contexts.LockUsage.ENABLED_SOFTIRQ;
import static dev.kctx.contexts.LockUsage.ENABLED_SOFTIRQ_READ;
import static dev.kctx.contexts.LockUsage.F_ENABLED_ALL;
import static dev.kctx.contexts.LockUsage.F_IRQ;
import static dev.kctx.contexts.LockUsage.F_USED_IN_ALL;
import static dev.kctx.contexts.LockUsage.READ_MASK;
import static dev.kctx.contexts.LockUsage.USED;
import static dev.kctx.contexts.LockUsage.USED_IN_HARDIRQ;
import static dev.kctx.contexts.LockUsage.USED_IN_HARDIRQ_READ;
import static dev.kctx.contexts.LockUsage.USED_IN_SOFTIRQ;
import static dev.kctx.contexts.LockUsage.USED_IN_SOFTIRQ_READ;
import static dev.kctx.contexts.LockUsage.USED_READ;
import static dev.kctx.contexts.LockUsage.flag;

/**
 * A lock validator that works like the kernel's lockdep (kernel/locking/lockdep.c): lock classes
 * keyed by name, per-class IRQ usage bits, and one graph of held-while-acquired dependencies shared
 * by every context on every CPU, so it reports a possible deadlock from lock orders that each
 * happened once, in any interleaving, even when the run itself did not deadlock.
 *
 * <p>The engine calls it from its lock operations: {@link #acquire} before pushing a lock on the
 * context's held stack (and before spinning), {@link #release} before popping it, and
 * {@link #hardirqsOn}/{@link #softirqsOn} right after IRQs or bottom halves are enabled again.
 * A trylock is reported through {@link #acquire} only when it succeeded, as the kernel does.
 *
 * <p>Every violation found by one call becomes one {@link Report} whose site names the cause (the
 * lock-class cycle, pair, or class and usage pair), so repeated occurrences group downstream.
 * Unlike lockdep, which switches itself off after its first report, the validator keeps going:
 * a chain that failed is not cached and the edge that failed is not added, so the same bad order
 * reports again (same site) each time it happens.
 *
 * <p>Thread-safe: CPUs running on different threads share one instance. Public methods hold the
 * instance monitor only while computing, and hand reports to the sink after releasing it.
 */
public final class LockValidator {
    // lockdep's irq_context of a held lock (LOCK_CHAIN_*_CONTEXT).
    private static final int CTX_SOFTIRQ = 1;
    private static final int CTX_HARDIRQ = 2;
    private static final String TRACE = "       ";
    /** include/linux/lockdep_types.h MAX_LOCKDEP_SUBCLASSES: subclasses 0..7 of one class. */
    public static final int MAX_LOCKDEP_SUBCLASSES = 8;

    private final Consumer<Report> sink;
    private final LockGraph graph = new LockGraph();
    /** Lock chains already validated (lockdep's chain hash), keyed by context and held classes. */
    private final Set<String> chains = new HashSet<>();
    /** The validator's view of each context's held locks: lockdep's current->held_locks. */
    private final Map<AtomicState, List<Held>> heldByState = new WeakHashMap<>();

    public LockValidator(Consumer<Report> sink) {
        this.sink = sink;
    }

    /** One acquisition as lockdep remembers it in held_locks. */
    private static final class Held {
        final LockClass cls;
        /** The lock itself (lockdep's hlock->instance), which find_held_lock matches on release. */
        final String instance;
        /** 0 write, 1 read, 2 recursive read; a downgrade_write turns 0 into 1. */
        int read;
        final boolean trylock;
        final int irqContext;
        final String op;
        /** True once the engine's held stack shows it; false while the context still spins for it. */
        boolean seen;

        Held(LockClass cls, String instance, int read, boolean trylock, int irqContext, String op) {
            this.cls = cls;
            this.instance = instance;
            this.read = read;
            this.trylock = trylock;
            this.irqContext = irqContext;
            this.op = op;
        }

        String id() {
            return read == 0 ? cls.name : cls.name + "#r" + read;
        }
    }

    /** A violation waiting to be reported. */
    private record Finding(ReportKind kind, String title, List<String> details, String site) {
    }

    /**
     * lock_acquire: called BEFORE the lock is pushed on st's held stack (and before any spinning).
     * Marks the class's usage (mark_usage), then, for a lock chain not seen before, checks recursion
     * (check_deadlock) and each new dependency from the held locks of this context
     * (check_prevs_add: circular dependency, irq-safe -> irq-unsafe), and records the edges.
     */
    public void acquire(AtomicState st, Where where, String lockClass, LockClassKind kind, boolean read,
                        boolean trylock) {
        acquire(st, where, lockClass, lockClass, 0, kind, read, trylock);
    }

    /**
     * lock_acquire for a lock whose class is not its name: {@code instance} is the lock (the engine's
     * held-stack name), {@code lockClass} its class (locks initialised at one site, or put in one
     * class by lockdep_set_class, share it) and {@code subclass} the nesting annotation's subclass
     * (spin_lock_nested, mutex_lock_nested, down_read_nested, down_write_nested; 0 without one).
     * As register_lock_class does, each subclass is a class of its own, printed {@code name/N}
     * (lockdep.c __print_lock_name), so two locks of one class taken at different subclasses are
     * no recursive locking, and the order between subclasses is validated like any other.
     *
     * @throws IllegalArgumentException for a subclass outside 0..{@value #MAX_LOCKDEP_SUBCLASSES}-1
     *         (lockdep prints "BUG: looking up invalid subclass" and turns itself off)
     */
    public void acquire(AtomicState st, Where where, String instance, String lockClass, int subclass, LockClassKind kind,
                        boolean read, boolean trylock) {
        if (subclass < 0 || subclass >= MAX_LOCKDEP_SUBCLASSES) {
            throw new IllegalArgumentException("subclass " + subclass + " is outside 0.." + (MAX_LOCKDEP_SUBCLASSES - 1));
        }
        if (st.inNmi()) {
            // __nmi_enter did lockdep_off(): lockdep_enabled() is false, and lock_acquire only runs
            // verify_lock_unused for a non-trylock (lockdep_nmi()); nothing is recorded.
            if (!trylock) {
                verifyLockUnused(st, where, instance, subclass == 0 ? lockClass : lockClass + "/" + subclass, read);
            }
            return;
        }
        List<Report> out = new ArrayList<>();
        synchronized (this) {
            List<Held> held = sync(st);
            LockClass cls = graph.classFor(subclass == 0 ? lockClass : lockClass + "/" + subclass, kind);
            Held next = new Held(cls, instance, readLevel(kind, read, st), trylock, irqContext(st), where.op());
            Finding f = markUsage(st, where, next);
            // Trylocks add no dependencies of their own: they cannot wait, so any order is fine.
            if (f == null && !trylock) {
                f = validateChain(st, where, held, next);
            }
            held.add(next);
            emit(out, f, st, where);
        }
        out.forEach(sink);
    }

    /**
     * verify_lock_unused (kernel/locking/lockdep.c, Linux 6.6), lock_acquire's only check in NMI: a
     * class already used outside NMI (LOCKF_USED, or LOCKF_USED_READ for a write acquisition) gives
     * print_usage_bug(LOCK_USED, LOCK_USAGE_STATES): "inconsistent {INITIAL USE} -> {IN-NMI} usage."
     * A class not registered yet has not been used, and passes.
     */
    private void verifyLockUnused(AtomicState st, Where where, String instance, String className, boolean read) {
        List<Report> out = new ArrayList<>();
        synchronized (this) {
            LockClass cls = graph.find(className);
            if (cls == null) {
                return;
            }
            int mask = LockUsage.flag(USED) | (read ? 0 : LockUsage.flag(USED_READ));
            if ((cls.usage & mask) == 0) {
                return;
            }
            Held h = new Held(cls, instance, read ? 1 : 0, false, irqContext(st), where.op());
            emit(out, inconsistent(st, where, h, USED, LockUsage.BITS), st, where);
        }
        out.forEach(sink);
    }

    /**
     * lock_release: called BEFORE the lock is popped from st's held stack; reports bad-unlock-balance
     * if not held. Returns false when it reported.
     */
    public boolean release(AtomicState st, Where where, String lock) {
        if (st.inNmi()) {
            // lock_release returns at once while !lockdep_enabled() (lockdep_off() in NMI)
            return true;
        }
        return onHeld(st, where, lock, (stack, i) -> stack.remove((int) i));
    }

    /**
     * lock_downgrade (kernel/locking/lockdep.c __lock_downgrade), from downgrade_write: the held
     * write acquisition of {@code lockClass} becomes a (non-recursive) read one, as if taken by
     * down_read. Reports bad-unlock-balance when the class is not held, as __lock_downgrade does
     * through print_unlock_imbalance_bug. Returns false when it reported.
     */
    public boolean downgrade(AtomicState st, Where where, String lock) {
        return onHeld(st, where, lock, (stack, i) -> stack.get(i).read = 1);
    }

    /** find_held_lock, then {@code action} on the entry found, or print_unlock_imbalance_bug; false when it reported. */
    private boolean onHeld(AtomicState st, Where where, String lockClass,
                           java.util.function.BiConsumer<List<Held>, Integer> action) {
        List<Report> out = new ArrayList<>();
        boolean held;
        synchronized (this) {
            List<Held> stack = sync(st);
            int i = findHeld(stack, lockClass);
            held = i >= 0;
            if (held) {
                action.accept(stack, i);
            } else {
                emit(out, badUnlock(where, lockClass), st, where);
            }
        }
        out.forEach(sink);
        return held;
    }

    /**
     * Hard IRQs were just enabled in this context (local_irq_enable/restore, spin_unlock_irq*): marks
     * held locks HARDIRQ-ON like lockdep's mark_held_locks.
     */
    public void hardirqsOn(AtomicState st, Where where) {
        List<Report> out = new ArrayList<>();
        synchronized (this) {
            // A hard IRQ handler never runs with IRQs on; lockdep warns and ignores it.
            if (st.inHardirq() || st.irqsDisabled()) {
                return;
            }
            List<Held> held = sync(st);
            Marker m = new Marker(st, where);
            for (Held h : held) {
                m.mark(h, h.read != 0 ? ENABLED_HARDIRQ_READ : ENABLED_HARDIRQ);
            }
            if (softirqsEnabled(st)) {
                for (Held h : held) {
                    m.mark(h, h.read != 0 ? ENABLED_SOFTIRQ_READ : ENABLED_SOFTIRQ);
                }
            }
            emit(out, m.first, st, where);
        }
        out.forEach(sink);
    }

    /** Soft IRQs were just enabled (local_bh_enable, spin_unlock_bh). */
    public void softirqsOn(AtomicState st, Where where) {
        List<Report> out = new ArrayList<>();
        synchronized (this) {
            // lockdep_softirqs_on runs when the count drops to zero, and marks only if hard IRQs are on too.
            if (!softirqsEnabled(st) || !hardirqsEnabled(st)) {
                return;
            }
            List<Held> held = sync(st);
            Marker m = new Marker(st, where);
            for (Held h : held) {
                m.mark(h, h.read != 0 ? ENABLED_SOFTIRQ_READ : ENABLED_SOFTIRQ);
            }
            emit(out, m.first, st, where);
        }
        out.forEach(sink);
    }

    /** The class's usage as lockdep prints it, e.g. {@code {+.-.}}; null for a class never seen. */
    public synchronized String usage(String lockClass) {
        LockClass c = graph.find(lockClass);
        return c == null ? null : LockUsage.chars(c.usage);
    }

    /** True when the graph holds the dependency {@code before -> after} (after taken while before held). */
    public synchronized boolean dependsOn(String before, String after) {
        LockClass a = graph.find(before);
        LockClass b = graph.find(after);
        return a != null && b != null && graph.edge(a, b) != null;
    }

    /** The lock classes seen so far, in order of first use. */
    public synchronized List<String> lockClasses() {
        return List.copyOf(graph.classes().keySet());
    }

    // Context predicates, as lockdep tracks them.

    private static boolean hardirqsEnabled(AtomicState st) {
        return !st.irqsDisabled() && !st.inHardirq();
    }

    private static boolean softirqsEnabled(AtomicState st) {
        return !st.inSoftirq();
    }

    private static int irqContext(AtomicState st) {
        return (st.inHardirq() ? CTX_HARDIRQ : 0) + (st.inServingSoftirq() ? CTX_SOFTIRQ : 0);
    }

    /**
     * lockdep's read argument: queued rwlocks make read_lock recursive only in interrupt context
     * (lockdep.c read_lock_is_recursive); down_read is always 1, never recursive (rwsem.c down_read:
     * rwsem_acquire_read, i.e. lock_acquire_shared).
     */
    private static int readLevel(LockClassKind kind, boolean read, AtomicState st) {
        if (!read || !kind.hasReaders()) {
            return 0;
        }
        if (kind == LockClassKind.RWLOCK && st.inInterrupt()) {
            return 2;
        }
        return 1;
    }

    /**
     * Brings the validator's held list for {@code st} in line with the engine's held stack: entries
     * the engine dropped are forgotten, locks it pushed without telling us are adopted, and
     * acquisitions still spinning (announced but not pushed yet) stay, as they do in lockdep.
     */
    private List<Held> sync(AtomicState st) {
        List<Held> old = heldByState.getOrDefault(st, List.of());
        List<Held> now = new ArrayList<>();
        int j = 0;
        for (HeldLock h : st.heldLocks()) {
            int k = j;
            while (k < old.size() && !old.get(k).instance.equals(h.name())) {
                k++;
            }
            if (k < old.size()) {
                keepPending(old, j, k, now);
                Held e = old.get(k);
                e.seen = true;
                now.add(e);
                j = k + 1;
            } else {
                Held adopted = new Held(graph.classFor(h.name(), LockClassKind.SPINLOCK), h.name(), h.read() ? 1 : 0, false,
                        irqContext(st), h.acquire());
                adopted.seen = true;
                now.add(adopted);
            }
        }
        keepPending(old, j, old.size(), now);
        heldByState.put(st, now);
        return now;
    }

    private static void keepPending(List<Held> old, int from, int to, List<Held> into) {
        for (int m = from; m < to; m++) {
            if (!old.get(m).seen) {
                into.add(old.get(m));
            }
        }
    }

    /** find_held_lock: the innermost entry of that lock (match_held_lock: the instance), not crossing into another IRQ context. */
    private static int findHeld(List<Held> held, String name) {
        int top = held.size() - 1;
        if (top < 0) {
            return -1;
        }
        if (held.get(top).instance.equals(name)) {
            return top;
        }
        for (int i = top - 1; i >= 0; i--) {
            if (held.get(i).irqContext != held.get(i + 1).irqContext) {
                return -1;
            }
            if (held.get(i).instance.equals(name)) {
                return i;
            }
        }
        return -1;
    }

    // mark_usage / mark_lock / mark_lock_irq.

    /** mark_usage: IN-IRQ bits for the context, IRQ-ON bits for the enabled states, then USED. */
    private Finding markUsage(AtomicState st, Where where, Held h) {
        Marker m = new Marker(st, where);
        boolean r = h.read != 0;
        if (!h.trylock) {
            if (st.inHardirq()) {
                m.mark(h, r ? USED_IN_HARDIRQ_READ : USED_IN_HARDIRQ);
            }
            if (st.inServingSoftirq()) {
                m.mark(h, r ? USED_IN_SOFTIRQ_READ : USED_IN_SOFTIRQ);
            }
        }
        if (hardirqsEnabled(st)) {
            m.mark(h, r ? ENABLED_HARDIRQ_READ : ENABLED_HARDIRQ);
            if (softirqsEnabled(st)) {
                m.mark(h, r ? ENABLED_SOFTIRQ_READ : ENABLED_SOFTIRQ);
            }
        }
        m.mark(h, r ? USED_READ : USED);
        return m.first;
    }

    /**
     * Sets usage bits and checks them. Every bit is recorded even after a violation (so the state
     * stays complete); only the first violation of the operation is reported, as lockdep stops at
     * its first. Unlike lockdep, bits already set are checked again: each occurrence of a bad usage
     * reports (with the same site), not only the one that first set the bit.
     */
    private final class Marker {
        final AtomicState st;
        final Where where;
        Finding first;

        Marker(AtomicState st, Where where) {
            this.st = st;
            this.where = where;
        }

        void mark(Held h, int bit) {
            LockClass c = h.cls;
            if (!c.has(bit)) {
                c.usage |= flag(bit);
                c.usageWhere[bit] = where;
            }
            if (first == null && bit < USED) {
                first = markLockIrq(st, where, h, bit);
            }
        }
    }

    /**
     * mark_lock_irq: the class must not hold the exclusive usage (valid_state), and the dependency
     * graph must not connect it to one that does: forwards for a new IN-IRQ usage
     * (check_usage_forwards), backwards for a new IRQ-ON usage (check_usage_backwards).
     */
    private Finding markLockIrq(AtomicState st, Where where, Held h, int bit) {
        LockClass c = h.cls;
        int excl = LockUsage.exclusiveBit(bit);
        if (c.has(excl)) {
            return inconsistent(st, where, h, excl, bit);
        }
        if (!LockUsage.isRead(bit) && c.has(excl | READ_MASK)) {
            return inconsistent(st, where, h, excl | READ_MASK, bit);
        }
        int mask = flag(excl) | flag(excl | READ_MASK);
        boolean forwards = !LockUsage.isEnabled(bit);
        Node root = forwards ? LockGraph.root(c, h.read) : LockGraph.rootBack(c, h.read);
        Node other = LockGraph.bfs(root, forwards, n -> usageMatch(n, mask));
        if (other == null) {
            return null;
        }
        String irqclass = LockUsage.stateName(other.cls.has(excl) ? excl : excl | READ_MASK);
        return inversion(st, where, h, root, other, forwards, irqclass);
    }

    /** usage_match: after recursive-read-only paths only write usages count. */
    private static boolean usageMatch(Node n, int mask) {
        int usage = n.onlyXr ? n.cls.usage & F_IRQ : n.cls.usage;
        return (usage & mask) != 0;
    }

    // validate_chain / check_deadlock / check_prevs_add.

    private Finding validateChain(AtomicState st, Where where, List<Held> held, Held next) {
        int start = held.size();
        while (start > 0 && held.get(start - 1).irqContext == next.irqContext) {
            start--;
        }
        StringBuilder key = new StringBuilder().append(next.irqContext);
        for (int i = start; i < held.size(); i++) {
            key.append('\n').append(held.get(i).id());
        }
        key.append('\n').append(next.id());
        if (chains.contains(key.toString())) {
            return null;
        }
        Finding f = checkDeadlock(where, held, next);
        if (f != null) {
            return f;
        }
        // Dependencies from the lock below in this context, plus every trylock above it.
        for (int i = held.size() - 1; i >= start; i--) {
            Held prev = held.get(i);
            f = checkPrevAdd(st, where, prev, next);
            if (f != null) {
                return f;
            }
            if (!prev.trylock) {
                break;
            }
        }
        chains.add(key.toString());
        return null;
    }

    /** check_deadlock: the same class already held anywhere on the stack, unless read after read is allowed. */
    private Finding checkDeadlock(Where where, List<Held> held, Held next) {
        for (Held prev : held) {
            if (prev.cls != next.cls) {
                continue;
            }
            if (next.read == 2 && prev.read != 0) {
                continue;
            }
            return recursive(where, prev, next);
        }
        return null;
    }

    /** check_prev_add: prove prev -> next closes no cycle and joins no irq-safe to irq-unsafe lock, then add it. */
    private Finding checkPrevAdd(AtomicState st, Where where, Held prev, Held next) {
        Node root = LockGraph.root(next.cls, next.read);
        Node target = LockGraph.bfs(root, true, n -> n.cls == prev.cls && (prev.read == 0 || !n.onlyXr));
        if (target != null) {
            return prev.cls == next.cls ? recursive(where, prev, next) : circular(where, prev, next, target);
        }
        Finding f = checkIrqUsage(st, where, prev, next);
        if (f != null) {
            return f;
        }
        graph.addEdge(prev.cls, prev.read, next.cls, next.read, where, prev.op);
        return null;
    }

    /**
     * check_irq_usage: gather the IN-IRQ usages of everything at or before prev, look for a lock at
     * or after next with an exclusive IRQ-ON usage, then narrow down to one safe/unsafe pair.
     */
    private Finding checkIrqUsage(AtomicState st, Where where, Held prev, Held next) {
        int[] accumulated = {0};
        LockGraph.bfs(LockGraph.rootBack(prev.cls, prev.read), false, n -> {
            accumulated[0] |= n.onlyXr ? n.cls.usage & F_IRQ : n.cls.usage;
            return false;
        });
        int usageMask = accumulated[0] & F_USED_IN_ALL;
        if (usageMask == 0) {
            return null;
        }
        int forwardMask = LockUsage.exclusiveMask(usageMask);
        Node unsafe = LockGraph.bfs(LockGraph.root(next.cls, next.read), true, n -> usageMatch(n, forwardMask));
        if (unsafe == null) {
            return null;
        }
        int backwardMask = LockUsage.originalMask(unsafe.cls.usage & F_ENABLED_ALL);
        Node safe = LockGraph.bfs(LockGraph.rootBack(prev.cls, prev.read), false, n -> usageMatch(n, backwardMask));
        if (safe == null) {
            return null;
        }
        int[] bits = LockUsage.exclusiveMatch(safe.cls.usage, unsafe.cls.usage);
        if (bits == null) {
            return null;
        }
        return badIrqDependency(st, where, prev, next, safe, unsafe, bits[0], bits[1]);
    }

    // Reports, worded as lockdep prints them.

    private void emit(List<Report> out, Finding f, AtomicState st, Where where) {
        if (f == null) {
            return;
        }
        List<String> details = new ArrayList<>(f.details());
        if (!st.holdsAnyLock()) {
            details.add("no locks held by " + task(where) + ".");
        }
        new Gate(out::add).report(f.kind(), f.title(), st, where, details, f.site());
    }

    /** print_deadlock_bug. */
    private static Finding recursive(Where where, Held prev, Held next) {
        ReportKind kind = ReportKind.RECURSIVE_LOCKING;
        List<String> d = new ArrayList<>();
        d.add(rule(kind.title()));
        d.add(task(where) + " is trying to acquire lock:");
        d.add(lockLine(next.cls, next.op));
        d.add("");
        d.add("but task is already holding lock:");
        d.add(lockLine(prev.cls, prev.op));
        d.add("");
        d.add("other info that might help us debug this:");
        d.add(" Possible unsafe locking scenario:");
        d.add("");
        d.add("       CPU0");
        d.add("       ----");
        d.add("  lock(" + prev.cls.name + ");");
        d.add("  lock(" + next.cls.name + ");");
        d.add("");
        d.add(" *** DEADLOCK ***");
        d.add("");
        d.add(" May be due to missing lock nesting notation");
        d.add("");
        return new Finding(kind, kind.title(), d, next.cls.name + " -> " + next.cls.name);
    }

    /** print_circular_bug: the new edge prev -> next closes the path next -> ... -> prev found in the graph. */
    private static Finding circular(Where where, Held prev, Held next, Node target) {
        ReportKind kind = ReportKind.CIRCULAR_LOCKING;
        List<String> d = new ArrayList<>();
        d.add(rule(kind.title()));
        d.add(task(where) + " is trying to acquire lock:");
        d.add(lockLine(next.cls, next.op));
        d.add("");
        d.add("but task is already holding lock:");
        d.add(lockLine(prev.cls, prev.op));
        d.add("");
        d.add("which lock already depends on the new lock.");
        d.add("");
        d.add("");
        d.add("the existing dependency chain (in reverse order) is:");
        int depth = target.depth();
        for (Node n = target; n != null; n = n.parent, depth--) {
            d.add("");
            d.add("-> #" + depth + " " + n.cls.printed() + ":");
            if (n.via == null) {
                d.add(TRACE + at(where));
                d.add(TRACE + "while holding " + prev.cls.name + ", taken by " + prev.op);
            } else {
                d.add(TRACE + at(n.via.where));
                d.add(TRACE + "while holding " + n.via.from.name + ", taken by " + n.via.fromOp);
            }
        }
        d.add("");
        d.add("other info that might help us debug this:");
        d.add("");
        LockClass source = next.cls;
        LockClass tgt = prev.cls;
        LockClass parent = target.parent.cls;
        if (parent != source) {
            d.add("Chain exists of:");
            d.add("  " + source.name + " --> " + parent.name + " --> " + tgt.name);
            d.add("");
        }
        d.add(" Possible unsafe locking scenario:");
        d.add("");
        d.add("       CPU0                    CPU1");
        d.add("       ----                    ----");
        d.add((prev.read != 0 ? "  rlock(" : "  lock(") + tgt.name + ");");
        d.add("                               lock(" + parent.name + ");");
        d.add("                               lock(" + tgt.name + ");");
        d.add((next.read != 0 ? "  rlock(" : "  lock(") + source.name + ");");
        d.add("");
        d.add(" *** DEADLOCK ***");
        d.add("");
        return new Finding(kind, kind.title(), d, cycleSite(LockGraph.path(target)));
    }

    /** The cycle rotated to start at its smallest class name, so every way of closing it reads the same. */
    private static String cycleSite(List<LockClass> cycle) {
        int min = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (cycle.get(i).name.compareTo(cycle.get(min).name) < 0) {
                min = i;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= cycle.size(); i++) {
            sb.append(i == 0 ? "" : " -> ").append(cycle.get((min + i) % cycle.size()).name);
        }
        return sb.toString();
    }

    /** print_usage_bug: the class is both used in an IRQ state and taken with that state enabled. */
    private static Finding inconsistent(AtomicState st, Where where, Held h, int prevBit, int newBit) {
        ReportKind kind = ReportKind.INCONSISTENT_LOCK_STATE;
        List<String> d = new ArrayList<>();
        d.add(rule(kind.title()));
        d.add("inconsistent {" + LockUsage.name(prevBit) + "} -> {" + LockUsage.name(newBit) + "} usage.");
        d.add(task(where) + " " + irqFlags(st) + " takes:");
        d.add(lockLine(h.cls, h.op));
        d.add("{" + LockUsage.name(prevBit) + "} state was registered at:");
        d.add("  " + at(h.cls.usageWhere[prevBit]));
        d.add("");
        d.add("other info that might help us debug this:");
        d.add(" Possible unsafe locking scenario:");
        d.add("");
        d.add("       CPU0");
        d.add("       ----");
        d.add("  lock(" + h.cls.name + ");");
        d.add("  <Interrupt>");
        d.add("    lock(" + h.cls.name + ");");
        d.add("");
        d.add(" *** DEADLOCK ***");
        d.add("");
        int usedIn = LockUsage.isEnabled(prevBit) ? newBit : prevBit;
        int enabled = LockUsage.isEnabled(prevBit) ? prevBit : newBit;
        String site = h.cls.name + " {" + LockUsage.name(usedIn) + "} <-> {" + LockUsage.name(enabled) + "}";
        return new Finding(kind, kind.title(), d, site);
    }

    /** print_irq_inversion_bug: a usage change completes an irq-safe -> irq-unsafe path already in the graph. */
    private static Finding inversion(AtomicState st, Where where, Held h, Node root, Node other, boolean forwards,
                                     String irqclass) {
        ReportKind kind = ReportKind.IRQ_LOCK_INVERSION;
        List<String> d = new ArrayList<>();
        d.add(rule(kind.title()));
        d.add(task(where) + " just changed the state of lock:");
        d.add(lockLine(h.cls, h.op));
        d.add(forwards ? "but this lock took another, " + irqclass + "-unsafe lock in the past:"
                : "but this lock was taken by another, " + irqclass + "-safe lock in the past:");
        d.add(" " + other.cls.printed());
        d.add("");
        d.add("");
        d.add("and interrupts could create inverse lock ordering between them.");
        d.add("");
        d.add("");
        d.add("other info that might help us debug this:");
        Node middle = other;
        while (middle.parent != null && middle.parent != root) {
            middle = middle.parent;
        }
        LockClass safe = forwards ? root.cls : other.cls;
        LockClass unsafe = forwards ? other.cls : root.cls;
        if (forwards) {
            irqScenario(d, safe, unsafe, middle.cls, other.cls);
        } else {
            irqScenario(d, safe, unsafe, middle.cls, root.cls);
        }
        d.add("the shortest dependencies between 2nd lock and 1st lock:");
        // lockdep prints both directions with the forward printer, which pairs each class of a
        // backward path with the acquisition of the next one; the backward printer reads right.
        if (forwards) {
            shortestDependencies(d, other, where);
        } else {
            shortestDependenciesBackwards(d, other);
        }
        return new Finding(kind, kind.title(), d, irqclass + ": " + safe.name + " -> " + unsafe.name);
    }

    /** print_bad_irq_dependency: the new edge prev -> next joins an irq-safe lock to an irq-unsafe one. */
    private static Finding badIrqDependency(AtomicState st, Where where, Held prev, Held next, Node safe,
                                            Node unsafe, int safeBit, int unsafeBit) {
        String irqclass = LockUsage.stateName(safeBit);
        String title = "WARNING: " + irqclass + "-safe -> " + irqclass + "-unsafe lock order detected";
        List<String> d = new ArrayList<>();
        d.add(rule(title));
        d.add(task(where) + " " + irqFlags(st) + " is trying to acquire:");
        d.add(lockLine(next.cls, next.op));
        d.add("");
        d.add("and this task is already holding:");
        d.add(lockLine(prev.cls, prev.op));
        d.add("which would create a new lock dependency:");
        d.add(" " + prev.cls.printed() + " -> " + next.cls.printed());
        d.add("");
        d.add("but this new dependency connects a " + irqclass + "-irq-safe lock:");
        d.add(" " + safe.cls.printed());
        d.add("");
        d.add("... which became " + irqclass + "-irq-safe at:");
        d.add("  " + at(safe.cls.usageWhere[safeBit]));
        d.add("");
        d.add("to a " + irqclass + "-irq-unsafe lock:");
        d.add(" " + unsafe.cls.printed());
        d.add("");
        d.add("... which became " + irqclass + "-irq-unsafe at:");
        d.add("...");
        d.add("  " + at(unsafe.cls.usageWhere[unsafeBit]));
        d.add("");
        d.add("other info that might help us debug this:");
        d.add("");
        irqScenario(d, safe.cls, unsafe.cls, prev.cls, next.cls);
        d.add("the dependencies between " + irqclass + "-irq-safe lock and the holding lock:");
        shortestDependenciesBackwards(d, safe);
        d.add("");
        d.add("the dependencies between the lock to be acquired and " + irqclass + "-irq-unsafe lock:");
        shortestDependencies(d, unsafe, where);
        return new Finding(ReportKind.IRQ_SAFE_TO_UNSAFE, title, d,
                irqclass + ": " + safe.cls.name + " -> " + unsafe.cls.name);
    }

    /** print_unlock_imbalance_bug. */
    private static Finding badUnlock(Where where, String lockClass) {
        ReportKind kind = ReportKind.BAD_UNLOCK_BALANCE;
        List<String> d = new ArrayList<>();
        d.add(rule(kind.title()));
        d.add(task(where) + " is trying to release lock (" + lockClass + ") at:");
        d.add(at(where));
        d.add("but there are no more locks to release!");
        d.add("");
        d.add("other info that might help us debug this:");
        return new Finding(kind, kind.title(), d, lockClass + " in " + where.context());
    }

    /** print_irq_lock_scenario. */
    private static void irqScenario(List<String> d, LockClass safe, LockClass unsafe, LockClass prevClass,
                                    LockClass nextClass) {
        LockClass middle = prevClass == safe ? nextClass : prevClass;
        if (middle != unsafe) {
            d.add("Chain exists of:");
            d.add("  " + safe.name + " --> " + middle.name + " --> " + unsafe.name);
            d.add("");
        }
        d.add(" Possible interrupt unsafe locking scenario:");
        d.add("");
        d.add("       CPU0                    CPU1");
        d.add("       ----                    ----");
        d.add("  lock(" + unsafe.name + ");");
        d.add("                               local_irq_disable();");
        d.add("                               lock(" + safe.name + ");");
        d.add("                               lock(" + middle.name + ");");
        d.add("  <Interrupt>");
        d.add("    lock(" + safe.name + ");");
        d.add("");
        d.add(" *** DEADLOCK ***");
        d.add("");
    }

    /** print_shortest_lock_dependencies: from the leaf of a forward search back to its root. */
    private static void shortestDependencies(List<String> d, Node leaf, Where rootWhere) {
        for (Node n = leaf; n != null; n = n.parent) {
            String indent = " ".repeat(n.depth());
            classHeader(d, n.cls, indent);
            d.add(indent + " ... acquired at:");
            d.add(indent + "   " + at(n.via == null ? rootWhere : n.via.where));
            d.add("");
        }
    }

    /** print_shortest_lock_dependencies_backwards: each class followed by its acquisition under the one before. */
    private static void shortestDependenciesBackwards(List<String> d, Node leaf) {
        Dep acquired = null;
        for (Node n = leaf; n != null; n = n.parent) {
            String indent = " ".repeat(n.depth());
            classHeader(d, n.cls, indent);
            if (acquired != null) {
                d.add(indent + " ... acquired at:");
                d.add(indent + "   " + at(acquired.where));
                d.add("");
            }
            acquired = n.via;
        }
    }

    /** print_lock_class_header: the class and where each usage bit was first set. */
    private static void classHeader(List<String> d, LockClass c, String indent) {
        d.add(indent + "-> " + c.printed() + " {");
        for (int bit = 0; bit < USED; bit++) {
            if (c.has(bit)) {
                d.add(indent + "   " + LockUsage.name(bit) + " at:");
                d.add(indent + "     " + at(c.usageWhere[bit]));
            }
        }
        d.add(indent + " }");
    }

    private static String rule(String title) {
        return "=".repeat(title.length());
    }

    private static String task(Where w) {
        return w.comm() + "/" + w.pid();
    }

    /** print_lock: the class with its usage and the operation that took it. */
    private static String lockLine(LockClass c, String op) {
        return " " + c.printed() + ", at: " + op;
    }

    /** Stands in for a stack trace: the operation, its context, CPU and virtual time. */
    private static String at(Where w) {
        if (w == null) {
            return "(unknown)";
        }
        return w.op() + " by " + task(w) + " in " + w.context() + ", CPU " + w.cpu() + " at "
                + TimeFormat.format(w.timeNs());
    }

    /** lockdep's [HC..:SC..:HE..:SE..]: hard/soft IRQ context and depth, hard/soft IRQs enabled. */
    private static String irqFlags(AtomicState st) {
        int softirqCount = (st.preemptCount() & PreemptCount.SOFTIRQ_MASK) / PreemptCount.SOFTIRQ_OFFSET;
        return "[HC" + (st.inHardirq() ? 1 : 0) + "[" + st.hardirqDepth() + "]:SC" + (st.inServingSoftirq() ? 1 : 0)
                + "[" + softirqCount + "]:HE" + (hardirqsEnabled(st) ? 1 : 0) + ":SE" + (softirqsEnabled(st) ? 1 : 0)
                + "]";
    }
}
