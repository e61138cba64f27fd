package dev.kctx.actors.program;

import dev.kctx.actors.program.KernelObjects.Lock;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.contexts.HeldLock;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.TimeFormat;

import java.util.List;
import java.util.function.Consumer;

/**
 * The core operations: computing, sleeping, locking, soft IRQs, wait queues, system calls.
 * Each checks itself at the gate with the kernel's own annotation before it acts.
 */
public final class Ops {
    private Ops() {
    }

    /** The four ways a spin lock is taken and released. */
    public enum SpinVariant {
        PLAIN("spin_lock", "spin_unlock"),
        BH("spin_lock_bh", "spin_unlock_bh"),
        IRQ("spin_lock_irq", "spin_unlock_irq"),
        IRQSAVE("spin_lock_irqsave", "spin_unlock_irqrestore");

        private final String lockName;
        private final String unlockName;

        SpinVariant(String lockName, String unlockName) {
            this.lockName = lockName;
            this.unlockName = unlockName;
        }

        public String lockName() {
            return lockName;
        }

        public String unlockName() {
            return unlockName;
        }
    }

    /** User or kernel computation: occupies the CPU for {@code ns}. */
    public static final class Compute implements Op {
        private final long ns;
        /** The one outcome, made once: a burst of a compute loop allocates nothing for it (outcomes are immutable). */
        private final Outcome.Busy busy;

        public Compute(long ns) {
            requireNonNegative(ns);
            this.ns = ns;
            this.busy = new Outcome.Busy(ns);
        }

        public long ns() {
            return ns;
        }

        public Outcome execute(Exec x) {
            return busy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Compute c && c.ns == ns;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(ns);
        }

        @Override
        public String toString() {
            return "Compute[ns=" + ns + "]";
        }

        public String describe() {
            return "compute " + TimeFormat.format(ns);
        }

        public boolean userMode() {
            return true;
        }

        public boolean traced() {
            return false;
        }
    }

    /** Computation of a seeded random length in [min, max]. */
    public record ComputeRandom(long minNs, long maxNs) implements Op {
        public ComputeRandom {
            requireNonNegative(minNs);
            if (maxNs < minNs) {
                throw new IllegalArgumentException("max " + maxNs + " below min " + minNs);
            }
        }

        public Outcome execute(Exec x) {
            long span = maxNs - minNs;
            return new Outcome.Busy(minNs + (span == 0 ? 0 : x.random().nextLong(span + 1)));
        }

        public String describe() {
            return "compute " + TimeFormat.format(minNs) + ".." + TimeFormat.format(maxNs);
        }

        public boolean userMode() {
            return true;
        }

        public boolean traced() {
            return false;
        }
    }

    /** mdelay/udelay: a busy wait, legal anywhere. */
    public record Mdelay(long ns) implements Op {
        public Mdelay {
            requireNonNegative(ns);
        }

        public Outcome execute(Exec x) {
            x.check(KernelCall.MDELAY, this);
            return new Outcome.Busy(ns);
        }

        public String describe() {
            return "mdelay(" + TimeFormat.format(ns) + ")";
        }
    }

    /** msleep: schedule_timeout without a might_sleep annotation, so only the scheduler's check fires. */
    public record Msleep(long ns) implements Op {
        public Msleep {
            requireNonNegative(ns);
        }

        public Outcome execute(Exec x) {
            x.check(KernelCall.MSLEEP, this);
            return new Outcome.Sleep(ns, 'D');
        }

        public String describe() {
            return "msleep(" + TimeFormat.format(ns) + ")";
        }
    }

    /** hrtimer_nanosleep, the body of nanosleep(2): do_nanosleep sleeps TASK_INTERRUPTIBLE and calls schedule(). */
    public record Nanosleep(long ns) implements Op {
        public Nanosleep {
            requireNonNegative(ns);
        }

        public Outcome execute(Exec x) {
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Sleep(ns, 'S');
        }

        public String describe() {
            return "hrtimer_nanosleep(" + TimeFormat.format(ns) + ")";
        }
    }

    /** schedule(): give up the CPU to another runnable task. */
    public enum Schedule implements Op {
        INSTANCE;

        public Outcome execute(Exec x) {
            x.check(KernelCall.SCHEDULE, this);
            return Outcome.Yield.INSTANCE;
        }

        public String describe() {
            return "schedule()";
        }
    }

    /** cond_resched(): annotated might_sleep; yields only when the scheduler asked for the CPU. */
    public enum CondResched implements Op {
        INSTANCE;

        public Outcome execute(Exec x) {
            x.check(KernelCall.COND_RESCHED, this);
            return x.needResched() ? Outcome.Yield.INSTANCE : Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "cond_resched()";
        }

        public boolean traced() {
            return false;
        }
    }

    /** Spin lock (exclusive), or the read or write side of a read-write spin lock. */
    public enum LockMode {
        SPIN("spin"), READ("read"), WRITE("write");

        private final String prefix;

        LockMode(String prefix) {
            this.prefix = prefix;
        }

        String lockName(SpinVariant v) {
            return v.lockName().replaceFirst("^spin", prefix);
        }

        String unlockName(SpinVariant v) {
            return v.unlockName().replaceFirst("^spin", prefix);
        }

        LockType type() {
            return this == SPIN ? LockType.SPINLOCK : LockType.RWLOCK;
        }

        /**
         * One attempt at the lock. A spin lock is never handed over, so finding it owned by this very
         * context is an AA deadlock: the attempt fails (and the caller spins), as in the kernel.
         */
        boolean tryTake(Lock l, Object self, String selfName) {
            return switch (this) {
                case SPIN -> l.owner() != self && l.tryAcquire(self, selfName);
                case WRITE -> l.owner() != self && l.tryWrite(self, selfName);
                case READ -> l.tryRead(self);
            };
        }

        dev.kctx.contexts.LockClassKind classKind() {
            return this == SPIN ? dev.kctx.contexts.LockClassKind.SPINLOCK : dev.kctx.contexts.LockClassKind.RWLOCK;
        }
    }

    /**
     * The part of spin_lock* (read_lock*, write_lock*) before the lock is tried: disabling
     * preemption, bottom halves or IRQs as the variant says, and lockdep's lock_acquire. A separate
     * step, so that a spinning retry does not repeat it.
     */
    public record SpinLockPrepare(String lock, SpinVariant variant, LockMode mode, int subclass) implements Op {
        public SpinLockPrepare {
            requireSubclass(subclass);
        }

        public SpinLockPrepare(String lock, SpinVariant variant) {
            this(lock, variant, LockMode.SPIN);
        }

        public SpinLockPrepare(String lock, SpinVariant variant, LockMode mode) {
            this(lock, variant, mode, 0);
        }

        public Outcome execute(Exec x) {
            x.check(KernelCall.SPIN_LOCK, this);
            disable(x, lock, variant);
            lockdepAcquire(x, describe(), lock, subclass, mode.classKind(), mode == LockMode.READ, false);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return subclass == 0 ? mode.lockName(variant) + "(" + lock + ")"
                    : mode.lockName(variant) + "_nested(" + lock + ", " + subclass + ")";
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * lockdep's lock_acquire for {@code lock}, in its class (the declared one, {@link LockClasses})
     * at {@code subclass}: 0, or a nesting annotation's (spin_lock_nested, mutex_lock_nested,
     * down_read_nested, down_write_nested).
     */
    static void lockdepAcquire(Exec x, String op, String lock, int subclass, dev.kctx.contexts.LockClassKind kind,
                               boolean read, boolean trylock) {
        x.lockdep().acquire(x.atomic(), x.where(op), lock, x.kernel().lockClass(lock), subclass, kind, read, trylock);
    }

    /** A lockdep subclass: 0..MAX_LOCKDEP_SUBCLASSES-1 (include/linux/lockdep_types.h). */
    static void requireSubclass(int subclass) {
        if (subclass < 0 || subclass >= dev.kctx.contexts.LockValidator.MAX_LOCKDEP_SUBCLASSES) {
            throw new IllegalArgumentException("lockdep subclass " + subclass + " is outside 0.."
                    + (dev.kctx.contexts.LockValidator.MAX_LOCKDEP_SUBCLASSES - 1));
        }
    }

    static void disable(Exec x, String lock, SpinVariant variant) {
        switch (variant) {
            case PLAIN -> x.atomic().preemptDisable();
            case BH -> {
                x.atomic().bhDisable();
                x.atomic().preemptDisable();
            }
            case IRQ -> {
                x.atomic().setIrqsDisabled(true);
                x.atomic().preemptDisable();
            }
            case IRQSAVE -> {
                x.atomic().saveIrqs("lock:" + lock);
                x.atomic().preemptDisable();
            }
        }
    }

    /** Tries the lock; spins (burning CPU time) while another context holds it (a writer, for readers). */
    public record SpinLockAcquire(String lock, SpinVariant variant, LockMode mode) implements Op {
        public SpinLockAcquire(String lock, SpinVariant variant) {
            this(lock, variant, LockMode.SPIN);
        }

        public Outcome execute(Exec x) {
            Lock l = x.kernel().lock(lock, mode.type());
            Object self = x.waitHandle().waiter();
            boolean got = mode.tryTake(l, self, x.contextName());
            if (got) {
                x.atomic().pushLock(new HeldLock(lock, mode.lockName(variant), mode == LockMode.READ));
                return Outcome.Next.INSTANCE;
            }
            l.addSpinner(x.cpu());
            return new Outcome.Spin(lock);
        }

        public String describe() {
            return mode.lockName(variant) + "(" + lock + ")";
        }
    }

    /** spin_trylock (read_trylock, write_trylock): takes the lock if free and runs {@code then}, else {@code otherwise}. */
    public record SpinTrylock(String lock, LockMode mode, List<Op> then, List<Op> otherwise) implements Op {
        public SpinTrylock {
            then = List.copyOf(then);
            otherwise = List.copyOf(otherwise);
        }

        public Outcome execute(Exec x) {
            x.check(KernelCall.SPIN_TRYLOCK, this);
            Lock l = x.kernel().lock(lock, mode.type());
            Object self = x.waitHandle().waiter();
            x.atomic().preemptDisable();
            boolean got = mode.tryTake(l, self, x.contextName());
            if (!got) {
                x.atomic().preemptEnable();
                return otherwise.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(otherwise);
            }
            lockdepAcquire(x, describe(), lock, 0, mode.classKind(), mode == LockMode.READ, true);
            x.atomic().pushLock(new HeldLock(lock, mode.prefix + "_trylock", mode == LockMode.READ));
            return then.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(then);
        }

        public String describe() {
            return mode.prefix + "_trylock(" + lock + ")";
        }
    }

    /** Releases a spin lock (or a side of an rwlock) and undoes what its variant disabled. */
    public record SpinUnlock(String lock, SpinVariant variant, LockMode mode) implements Op {
        public SpinUnlock(String lock, SpinVariant variant) {
            this(lock, variant, LockMode.SPIN);
        }

        public Outcome execute(Exec x) {
            Lock l = x.kernel().lock(lock, mode.type());
            Object self = x.waitHandle().waiter();
            boolean owns = mode == LockMode.READ ? l.readHeldBy(self) : l.owner() == self;
            if (!x.lockdep().release(x.atomic(), x.where(describe()), lock)) {
                return Outcome.Next.INSTANCE;
            }
            if (!owns || !x.atomic().holds(lock)) {
                // Held in this context's lockdep view but not by the lock itself: the model's own
                // bookkeeping disagrees; report it the way lockdep would and leave the lock alone.
                reportBadUnlock(x, lock, describe());
                return Outcome.Next.INSTANCE;
            }
            x.atomic().popLock(lock);
            boolean free = mode == LockMode.READ ? l.releaseRead(self) : releaseOwner(l);
            if (free) {
                for (int cpu : l.drainSpinners()) {
                    x.lockReleased(lock, cpu);
                }
            }
            x.atomic().preemptEnable();
            switch (variant) {
                case PLAIN -> {
                }
                case BH -> {
                    bhEnableCheck(x, this);
                    x.atomic().bhEnable();
                    if (!x.atomic().bhDisabled()) {
                        x.lockdep().softirqsOn(x.atomic(), x.where(describe()));
                    }
                    if (!x.atomic().inInterrupt() && x.softirqPending()) {
                        return Outcome.RunSoftirqs.INSTANCE;
                    }
                }
                case IRQ -> {
                    x.atomic().setIrqsDisabled(false);
                    x.lockdep().hardirqsOn(x.atomic(), x.where(describe()));
                }
                case IRQSAVE -> {
                    x.atomic().restoreIrqs("lock:" + lock);
                    if (!x.atomic().irqsDisabled()) {
                        x.lockdep().hardirqsOn(x.atomic(), x.where(describe()));
                    }
                }
            }
            return x.needsCheckpoint() ? Outcome.Checkpoint.INSTANCE : Outcome.Next.INSTANCE;
        }

        private static boolean releaseOwner(Lock l) {
            l.release();
            return true;
        }

        public String describe() {
            return mode.unlockName(variant) + "(" + lock + ")";
        }
    }

    /**
     * How a sleeping call waits: uninterruptibly (D), interruptibly (S: any signal ends the wait),
     * killable (TASK_KILLABLE, shown as D: only a fatal signal ends it), or idle (TASK_IDLE =
     * TASK_UNINTERRUPTIBLE | TASK_NOLOAD, include/linux/sched.h: no signal ends it, it does not count
     * in the load average, ps and sched_switch show it as I, and khungtaskd skips it: kernel/hung_task.c
     * check_hung_uninterruptible_tasks compares the state with {@code ==} TASK_UNINTERRUPTIBLE in 6.6).
     * The suffix names the variant (wait_event_idle, include/linux/wait.h).
     */
    public enum WaitMode {
        UNINTERRUPTIBLE("", 'D'), INTERRUPTIBLE("_interruptible", 'S'), KILLABLE("_killable", 'K'), IDLE("_idle", 'I');

        private final String suffix;
        private final char state;

        WaitMode(String suffix, char state) {
            this.suffix = suffix;
            this.state = state;
        }

        public String suffix() {
            return suffix;
        }

        /** The state the sleeping task is in: S, D, K (killable, shown as D) or I (TASK_IDLE). */
        public char state() {
            return state;
        }

        /**
         * signal_pending_state: whether a signal ends this wait now. Only a user process in a system
         * call: kernel threads take no signals here (none calls allow_signal), and an interrupt has no
         * task of its own to signal.
         */
        public boolean interrupted(Exec x) {
            if (this == UNINTERRUPTIBLE || this == IDLE || !x.taskContext() || x.level() != dev.kctx.contexts.ContextLevel.KERNEL) {
                return false;
            }
            TaskInfo t = x.kernel().task(x.pid());
            if (t == null || !t.user()) {
                return false;
            }
            return this == KILLABLE ? x.fatalSignalPending() : x.userWorkPending();
        }
    }

    /** -EINTR, what an interrupted down_interruptible or mutex_lock_interruptible returns. */
    public static final long EINTR = -4;
    /** -ERESTARTSYS, what an interrupted wait_event_interruptible returns; with the handler run the caller sees -EINTR. */
    public static final long ERESTARTSYS = -512;

    /**
     * An interrupted wait: the driver's cleanup ({@code onInterrupt}, may be empty) runs, then the
     * system call returns -EINTR. Traced as the call's error value.
     */
    static Outcome interrupted(Exec x, String op, long value, List<Op> onInterrupt) {
        if (x.tracing()) {
            x.trace("kctx_interrupted", op + " = " + value);
        }
        if (onInterrupt.isEmpty()) {
            return new Outcome.EndSyscall(EINTR);
        }
        List<Op> then = new java.util.ArrayList<>(onInterrupt);
        then.add(new SyscallReturn(EINTR));
        return new Outcome.Inline(then);
    }

    /** {@code return -EINTR;} from a system call's body: the rest of the body is skipped (see {@link Outcome.EndSyscall}). */
    public record SyscallReturn(long ret) implements Op {
        public Outcome execute(Exec x) {
            return new Outcome.EndSyscall(ret);
        }

        public String describe() {
            return "return " + ret;
        }
    }

    /**
     * mutex_lock, mutex_lock_interruptible, mutex_lock_killable: might_sleep, lockdep's acquire, then
     * take the mutex or sleep on it (hand-off on unlock). A wait that a signal ends
     * (__mutex_lock_common's signal_pending_state) leaves the wait list and lockdep's held locks, and
     * the call fails with -EINTR: {@code onInterrupt} runs, then the system call returns it.
     */
    public record MutexLock(String lock, WaitMode mode, List<Op> onInterrupt, int subclass) implements Op {
        public MutexLock {
            onInterrupt = List.copyOf(onInterrupt);
            requireSubclass(subclass);
        }

        public MutexLock(String lock, WaitMode mode, List<Op> onInterrupt) {
            this(lock, mode, onInterrupt, 0);
        }

        public MutexLock(String lock) {
            this(lock, WaitMode.UNINTERRUPTIBLE, List.of());
        }

        public Outcome execute(Exec x) {
            if (!x.retrying()) {
                x.check(KernelCall.MUTEX_LOCK, this);
                lockdepAcquire(x, describe(), lock, subclass, dev.kctx.contexts.LockClassKind.MUTEX, false, false);
            }
            Lock l = x.kernel().lock(lock, LockType.MUTEX);
            Object self = x.waitHandle().waiter();
            // Owned by self is either a hand-off from mutex_unlock (not yet in our held locks) or a
            // recursive mutex_lock, which sleeps forever in the kernel.
            boolean recursive = l.owner() == self && x.atomic().holds(lock);
            if (!recursive && l.tryAcquire(self, x.contextName())) {
                l.removeSleeper(self);
                x.atomic().pushLock(new HeldLock(lock, "mutex_lock" + mode.suffix(), false));
                return Outcome.Next.INSTANCE;
            }
            if (mode.interrupted(x)) {
                // err: __mutex_remove_waiter, then mutex_release: the lock was never held.
                l.removeSleeper(self);
                x.lockdep().release(x.atomic(), x.where(describe()), lock);
                return interrupted(x, describe(), EINTR, onInterrupt);
            }
            l.addSleeper(x.waitHandle());
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block(lock, mode.state());
        }

        public String describe() {
            // With lockdep, mutex_lock is mutex_lock_nested(lock, 0) (include/linux/mutex.h).
            return subclass == 0 ? "mutex_lock" + mode.suffix() + "(" + lock + ")"
                    : "mutex_lock" + mode.suffix() + "_nested(" + lock + ", " + subclass + ")";
        }
    }

    /** mutex_unlock: hands the mutex to the first sleeper, if any, and wakes it. */
    public record MutexUnlock(String lock) implements Op {
        public Outcome execute(Exec x) {
            Lock l = x.kernel().lock(lock, LockType.MUTEX);
            Object self = x.waitHandle().waiter();
            if (!x.lockdep().release(x.atomic(), x.where(describe()), lock)) {
                return Outcome.Next.INSTANCE;
            }
            if (l.owner() != self || !x.atomic().holds(lock)) {
                reportBadUnlock(x, lock, describe());
                return Outcome.Next.INSTANCE;
            }
            x.atomic().popLock(lock);
            WaitHandle next = l.handOff();
            if (next == null) {
                l.release();
            } else {
                x.wake(next);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "mutex_unlock(" + lock + ")";
        }
    }

    /**
     * down, down_interruptible, down_killable on a counting semaphore: might_sleep, then take a unit
     * or sleep until up() grants one. In __down_common a granted unit wins over a signal; else a
     * pending signal takes the sleeper off the wait list (so no later up() grants it a unit) and the
     * call fails with -EINTR. Counting semaphores carry no lockdep map, so the validator does not see
     * them (as in the kernel); they are not "held locks" either.
     */
    public record Down(String sem, WaitMode mode, List<Op> onInterrupt) implements Op {
        public Down {
            onInterrupt = List.copyOf(onInterrupt);
        }

        public Down(String sem, boolean interruptible) {
            this(sem, interruptible ? WaitMode.INTERRUPTIBLE : WaitMode.UNINTERRUPTIBLE, List.of());
        }

        public Outcome execute(Exec x) {
            if (!x.retrying()) {
                x.check(mode == WaitMode.INTERRUPTIBLE ? KernelCall.DOWN_INTERRUPTIBLE : KernelCall.DOWN, this);
            }
            Lock l = x.kernel().lock(sem, LockType.SEMAPHORE);
            Object self = x.waitHandle().waiter();
            if (l.takeGrant(self)) {
                // up() gave a unit straight to this sleeper (waiter.up).
                return Outcome.Next.INSTANCE;
            }
            if (l.count() > 0) {
                l.setCount(l.count() - 1);
                l.removeSleeper(self);
                return Outcome.Next.INSTANCE;
            }
            if (mode.interrupted(x)) {
                l.removeSleeper(self);
                return interrupted(x, describe(), EINTR, onInterrupt);
            }
            l.addSleeper(x.waitHandle());
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block(sem, mode.state());
        }

        public String describe() {
            return "down" + mode.suffix() + "(" + sem + ")";
        }
    }

    /** up: gives a unit to the first sleeper (waking it) or back to the count; legal in any context. */
    public record Up(String sem) implements Op {
        public Outcome execute(Exec x) {
            x.check(KernelCall.UP, this);
            Lock l = x.kernel().lock(sem, LockType.SEMAPHORE);
            WaitHandle next = l.grant();
            if (next == null) {
                l.setCount(l.count() + 1);
            } else {
                x.wake(next);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "up(" + sem + ")";
        }
    }

    /**
     * down_read, down_write and their _interruptible/_killable forms on an rw_semaphore
     * (kernel/locking/rwsem.c): might_sleep, lockdep's acquire (down_read is a read acquisition that
     * is not recursive: rwsem_acquire_read; down_write a write one: rwsem_acquire), then take the
     * rw_semaphore or sleep on its wait list. Readers share it; a writer excludes everyone; a reader
     * finds it taken as soon as anyone waits (rwsem_read_trylock fails on RWSEM_FLAG_WAITERS), so a
     * waiting writer is not starved by new readers. A waiter that a signal wakes without the lock
     * (rwsem_down_read_slowpath / rwsem_down_write_slowpath: signal_pending_state, then
     * out_nolock) leaves the wait list, which may let the waiters behind it have the lock
     * (rwsem_del_wake_waiter), and lockdep's held locks, and the call fails with -EINTR.
     */
    public record RwsemDown(String lock, boolean write, WaitMode mode, List<Op> onInterrupt, int subclass) implements Op {
        public RwsemDown {
            onInterrupt = List.copyOf(onInterrupt);
            requireSubclass(subclass);
        }

        public RwsemDown(String lock, boolean write, WaitMode mode, List<Op> onInterrupt) {
            this(lock, write, mode, onInterrupt, 0);
        }

        public RwsemDown(String lock, boolean write) {
            this(lock, write, WaitMode.UNINTERRUPTIBLE, List.of());
        }

        public Outcome execute(Exec x) {
            if (!x.retrying()) {
                x.check(write ? KernelCall.DOWN_WRITE : KernelCall.DOWN_READ, this);
                lockdepAcquire(x, describe(), lock, subclass, dev.kctx.contexts.LockClassKind.RWSEM, !write, false);
            }
            Lock l = x.kernel().lock(lock, LockType.RWSEM);
            Object self = x.waitHandle().waiter();
            // A grant is the wake-up's hand-over (rwsem_mark_wake); else the fast path, tried again on every wake.
            boolean got = l.takeGrant(self)
                    || (write ? l.tryWriteRwsem(self, x.contextName()) : l.tryReadRwsem(self));
            if (got) {
                l.removeSleeper(self);
                x.atomic().pushLock(new HeldLock(lock, name(), !write));
                return Outcome.Next.INSTANCE;
            }
            if (mode.interrupted(x)) {
                l.removeSleeper(self);
                for (WaitHandle h : l.rwsemWake()) {
                    x.wake(h);
                }
                x.lockdep().release(x.atomic(), x.where(describe()), lock);
                return interrupted(x, describe(), EINTR, onInterrupt);
            }
            l.addRwsemSleeper(x.waitHandle(), write);
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block(lock, mode.state());
        }

        private String name() {
            return (write ? "down_write" : "down_read") + mode.suffix();
        }

        public String describe() {
            return subclass == 0 ? name() + "(" + lock + ")" : name() + "_nested(" + lock + ", " + subclass + ")";
        }
    }

    /**
     * up_read / up_write (kernel/locking/rwsem.c __up_read, __up_write): lockdep's release, then the
     * rw_semaphore is released and, once no one holds it, its waiters are woken by rwsem_wake
     * (rwsem_mark_wake: the first writer, or every waiting reader). Legal in any context.
     */
    public record RwsemUp(String lock, boolean write) implements Op {
        public Outcome execute(Exec x) {
            Lock l = x.kernel().lock(lock, LockType.RWSEM);
            Object self = x.waitHandle().waiter();
            if (!x.lockdep().release(x.atomic(), x.where(describe()), lock)) {
                return Outcome.Next.INSTANCE;
            }
            boolean owns = write ? l.owner() == self : l.readHeldBy(self);
            if (!owns || !x.atomic().holds(lock)) {
                reportBadUnlock(x, lock, describe());
                return Outcome.Next.INSTANCE;
            }
            x.atomic().popLock(lock);
            if (write) {
                l.release();
            } else {
                l.releaseRead(self);
            }
            for (WaitHandle h : l.rwsemWake()) {
                x.wake(h);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return (write ? "up_write(" : "up_read(") + lock + ")";
        }
    }

    /**
     * downgrade_write (kernel/locking/rwsem.c): the writer keeps the rw_semaphore as a reader
     * (lockdep's lock_downgrade makes its held acquisition a read one), and the readers first on the
     * wait list get it too (rwsem_downgrade_wake: rwsem_mark_wake with RWSEM_WAKE_READ_OWNED); a
     * writer first on the list keeps waiting.
     */
    public record DowngradeWrite(String lock) implements Op {
        public Outcome execute(Exec x) {
            Lock l = x.kernel().lock(lock, LockType.RWSEM);
            Object self = x.waitHandle().waiter();
            if (!x.lockdep().downgrade(x.atomic(), x.where(describe()), lock)) {
                return Outcome.Next.INSTANCE;
            }
            if (l.owner() != self || !x.atomic().holds(lock)) {
                reportBadUnlock(x, lock, describe());
                return Outcome.Next.INSTANCE;
            }
            l.downgrade(self);
            x.atomic().popLock(lock);
            x.atomic().pushLock(new HeldLock(lock, "downgrade_write", true));
            for (WaitHandle h : l.rwsemWake()) {
                x.wake(h);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "downgrade_write(" + lock + ")";
        }
    }

    /**
     * down_read_trylock / down_write_trylock (kernel/locking/rwsem.c): no might_sleep and no wait;
     * the reader's fails while a writer holds it or anyone waits, the writer's unless it is free.
     * On success lockdep sees a trylock acquisition (it adds no dependency) and {@code then} runs,
     * else {@code otherwise}.
     */
    public record RwsemTrylock(String lock, boolean write, List<Op> then, List<Op> otherwise) implements Op {
        public RwsemTrylock {
            then = List.copyOf(then);
            otherwise = List.copyOf(otherwise);
        }

        public Outcome execute(Exec x) {
            Lock l = x.kernel().lock(lock, LockType.RWSEM);
            Object self = x.waitHandle().waiter();
            boolean got = write ? l.tryWriteRwsem(self, x.contextName()) : l.tryReadRwsem(self);
            if (!got) {
                return otherwise.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(otherwise);
            }
            lockdepAcquire(x, describe(), lock, 0, dev.kctx.contexts.LockClassKind.RWSEM, !write, true);
            x.atomic().pushLock(new HeldLock(lock, write ? "down_write_trylock" : "down_read_trylock", !write));
            return then.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(then);
        }

        public String describe() {
            return (write ? "down_write_trylock(" : "down_read_trylock(") + lock + ")";
        }
    }

    /** wait_for_completion (might_sleep) and complete (any context), on a counted completion. */
    public record Completion(String name, boolean waitSide) implements Op {
        public Outcome execute(Exec x) {
            if (!waitSide) {
                x.check(KernelCall.COMPLETE, this);
                for (WaitHandle h : x.kernel().waitQueue("completion:" + name).signal()) {
                    x.wake(h);
                }
                return Outcome.Next.INSTANCE;
            }
            if (!x.retrying()) {
                x.check(KernelCall.WAIT_FOR_COMPLETION, this);
            }
            return waitOn(x, "completion:" + name, 'D', this);
        }

        public String describe() {
            return (waitSide ? "wait_for_completion(" : "complete(") + name + ")";
        }
    }

    /** Other calls that only pass the gate and take no time here: vmalloc, kfree, get_user, put_user... */
    public record Call(KernelCall call, String text) implements Op {
        public Outcome execute(Exec x) {
            x.check(call, this);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return text;
        }
    }

    /** msleep_interruptible / usleep_range / schedule_timeout: sleeping timers without might_sleep. */
    public record TimedSleep(KernelCall call, long ns, char state) implements Op {
        public TimedSleep {
            requireNonNegative(ns);
        }

        public Outcome execute(Exec x) {
            x.check(call, this);
            return new Outcome.Sleep(ns, state);
        }

        public String describe() {
            return call.callName() + "(" + TimeFormat.format(ns) + ")";
        }
    }

    /**
     * kmalloc with GFP_KERNEL (might_alloc: may sleep) or GFP_ATOMIC (never sleeps, may fail under
     * fault injection: then {@code onFailure} runs, the driver's NULL path).
     */
    public record Kmalloc(long size, dev.kctx.contexts.GfpFlags gfp, List<Op> onFailure) implements Op {
        public Kmalloc {
            java.util.Objects.requireNonNull(gfp, "gfp");
            onFailure = List.copyOf(onFailure);
        }

        public Kmalloc(long size, boolean atomicGfp, List<Op> onFailure) {
            this(size, atomicGfp ? dev.kctx.contexts.GfpFlags.GFP_ATOMIC : dev.kctx.contexts.GfpFlags.GFP_KERNEL, onFailure);
        }

        public Kmalloc(long size, boolean atomicGfp) {
            this(size, atomicGfp, List.of());
        }

        /**
         * might_alloc (include/linux/sched/mm.h): a flag set with __GFP_DIRECT_RECLAIM may sleep; one
         * without never does, and may fail instead: the injected GFP_ATOMIC faults fail the
         * non-blocking allocations that dip into the reserves (__GFP_HIGH, as GFP_ATOMIC).
         */
        public Outcome execute(Exec x) {
            KernelCall call = gfp.allowsBlocking() ? KernelCall.KMALLOC_GFP_KERNEL
                    : gfp.bits().contains(dev.kctx.contexts.GfpFlags.Bit.HIGH) ? KernelCall.KMALLOC_GFP_ATOMIC
                    : KernelCall.KMALLOC_GFP_NOWAIT;
            x.check(call, this);
            if (call == KernelCall.KMALLOC_GFP_ATOMIC && x.kernel().atomicAllocationFails()) {
                x.trace("kctx_fault", describe() + " = NULL");
                return onFailure.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(onFailure);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "kmalloc(" + size + ", " + gfp.text() + ")";
        }
    }

    /**
     * touch_softlockup_watchdog() / touch_nmi_watchdog() (kernel/watchdog.c): legal in any context;
     * tells the lockup detectors of this CPU that the code is slow on purpose (Exec.touchWatchdog).
     */
    public enum TouchWatchdog implements Op {
        SOFTLOCKUP("touch_softlockup_watchdog()"), NMI("touch_nmi_watchdog()");

        private final String text;

        TouchWatchdog(String text) {
            this.text = text;
        }

        public Outcome execute(Exec x) {
            x.touchWatchdog(this == NMI);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return text;
        }
    }

    /**
     * copy_to_user / copy_from_user: might_fault, so they may sleep, unless pagefault_disable()
     * is in force (__might_fault returns early). {@code present} false: the user page is not
     * resident; the fault handler brings it in (the copy succeeds) unless faulthandler_disabled()
     * (pagefault_disabled() or in_atomic(), arch/x86/mm/fault.c do_user_addr_fault), in which case
     * the copy fails: the uncopied byte count comes back, the driver returns -EFAULT, and
     * {@code onFault} (its error path) runs.
     */
    public record CopyUser(long bytes, boolean toUser, boolean present, List<Op> onFault) implements Op {
        public CopyUser {
            onFault = List.copyOf(onFault);
        }

        public CopyUser(long bytes, boolean toUser) {
            this(bytes, toUser, true, List.of());
        }

        public Outcome execute(Exec x) {
            x.check(toUser ? KernelCall.COPY_TO_USER : KernelCall.COPY_FROM_USER, this);
            if (!present && x.atomic().faulthandlerDisabled()) {
                x.trace("kctx_fault", describe() + " = " + bytes + " not copied (-EFAULT: page not present, fault handler disabled)");
                return onFault.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(onFault);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return (toUser ? "copy_to_user(" : "copy_from_user(") + bytes + ")";
        }
    }

    /** raise_softirq: marks the vector pending on this CPU. */
    public record RaiseSoftirq(SoftirqVector vector) implements Op {
        public Outcome execute(Exec x) {
            x.check(KernelCall.RAISE_SOFTIRQ, this);
            x.raiseSoftirq(vector);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "raise_softirq(" + vector + ")";
        }

        public boolean traced() {
            return false;
        }
    }

    /** tasklet_schedule: legal anywhere; the tasklet runs in soft IRQ context on this CPU. */
    public record TaskletSchedule(String tasklet) implements Op {
        public Outcome execute(Exec x) {
            x.check(KernelCall.RAISE_SOFTIRQ, this);
            x.scheduleTasklet(tasklet);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "tasklet_schedule(" + tasklet + ")";
        }
    }

    /** wake_up: signals the wait queue's condition and wakes its waiters. */
    public record WakeUp(String queue) implements Op {
        public Outcome execute(Exec x) {
            x.check(KernelCall.WAKE_UP, this);
            for (WaitHandle h : x.kernel().waitQueue(queue).signal()) {
                x.wake(h);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "wake_up(" + queue + ")";
        }
    }

    /**
     * wait_event, wait_event_interruptible, wait_event_killable: might_sleep; returns when the
     * queue's condition holds, else sleeps until woken. As in ___wait_event the condition is checked
     * first, then the pending signal: an interrupted wait leaves the queue and returns -ERESTARTSYS,
     * which the handler's run turns into -EINTR for the caller; {@code onInterrupt} runs first.
     */
    public record WaitEvent(String queue, WaitMode mode, List<Op> onInterrupt) implements Op {
        public WaitEvent {
            onInterrupt = List.copyOf(onInterrupt);
        }

        public WaitEvent(String queue, boolean interruptible) {
            this(queue, interruptible ? WaitMode.INTERRUPTIBLE : WaitMode.UNINTERRUPTIBLE, List.of());
        }

        public Outcome execute(Exec x) {
            if (!x.retrying()) {
                x.check(KernelCall.WAIT_EVENT, this);
            }
            if (mode.interrupted(x)) {
                KernelObjects.WaitQueue q = x.kernel().waitQueue(queue);
                q.removeWaiter(x.waitHandle());
                return q.tryConsume() ? Outcome.Next.INSTANCE : interrupted(x, describe(), ERESTARTSYS, onInterrupt);
            }
            return waitOn(x, queue, mode.state(), this);
        }

        public String describe() {
            return "wait_event" + mode.suffix() + "(" + queue + ")";
        }
    }

    /**
     * msleep_interruptible: sleeps in S; a signal wakes it early. As in kernel/time/sleep_timeout.c
     * it returns the time left as {@code jiffies_to_msecs} of the remaining timeout (HZ=1000 here, and
     * the kernel's extra jiffy of {@code msecs_to_jiffies(msecs) + 1}: a signal pending on entry gives
     * msecs + 1). The op is what drivers write, {@code if (msleep_interruptible(n)) return -EINTR;}:
     * a non-zero result runs {@code onInterrupt} and fails the system call with -EINTR. Woken by its
     * timer, it returns 0 whatever is pending.
     */
    public record MsleepInterruptible(long ns, List<Op> onInterrupt) implements Op {
        public MsleepInterruptible {
            requireNonNegative(ns);
            onInterrupt = List.copyOf(onInterrupt);
        }

        public MsleepInterruptible(long ns) {
            this(ns, List.of());
        }

        /** Where a task's msleep_interruptible would end (per task: the op itself is shared). */
        static final class Deadline {
            long end;
        }

        public Outcome execute(Exec x) {
            if (!x.taskContext()) {
                // An interrupt cannot sleep: the gate reports it and the time passes busy.
                x.check(KernelCall.MSLEEP_INTERRUPTIBLE, this);
                return new Outcome.Sleep(ns, 'S');
            }
            Deadline d = x.taskLocal(Deadline.class, Deadline::new);
            if (!x.retrying()) {
                x.check(KernelCall.MSLEEP_INTERRUPTIBLE, this);
                d.end = x.now() + ns;
            }
            long left = d.end - x.now();
            if (left <= 0) {
                return Outcome.Next.INSTANCE;
            }
            if (WaitMode.INTERRUPTIBLE.interrupted(x)) {
                long msLeft = d.end / MS - x.now() / MS + 1;
                return interrupted(x, describe(), msLeft, onInterrupt);
            }
            return new Outcome.Sleep(left, 'S', true);
        }

        private static final long MS = 1_000_000L;

        public String describe() {
            return "msleep_interruptible(" + TimeFormat.format(ns) + ")";
        }
    }

    /**
     * __local_bh_enable_ip (kernel/softirq.c, Linux 6.6, !PREEMPT_RT), which local_bh_enable and
     * spin_unlock_bh end in: {@code WARN_ON_ONCE(in_hardirq())}, then lockdep_assert_irqs_enabled(),
     * itself a WARN_ON_ONCE: bottom halves may not be enabled from hard IRQ context or with
     * interrupts off (the soft IRQs it may run would enable them behind the caller's back). Each
     * is once per boot; kctx prints the WARNING line without its source line number.
     */
    static void bhEnableCheck(Exec x, Op call) {
        var a = x.atomic();
        String which = a.inHardirq() ? "bh-enable in_hardirq" : a.irqsDisabled() ? "bh-enable irqs_disabled" : null;
        if (which == null || !x.kernel().warnOnce(which)) {
            return;
        }
        String op = call.describe();
        x.report(dev.kctx.contexts.ReportKind.BH_ENABLE_IRQS_DISABLED,
                "WARNING: CPU: " + x.where(op).cpu() + " PID: " + x.pid() + " at kernel/softirq.c __local_bh_enable_ip",
                op, java.util.List.of(a.inHardirq() ? op + " in hard IRQ context (in_hardirq())"
                        : op + " with interrupts disabled (lockdep_assert_irqs_enabled)"));
    }

    /** The simple state changes: bottom halves, IRQs, preemption, RCU readers. */
    public enum Simple implements Op {
        LOCAL_BH_DISABLE("local_bh_disable()"),
        LOCAL_BH_ENABLE("local_bh_enable()"),
        LOCAL_IRQ_DISABLE("local_irq_disable()"),
        LOCAL_IRQ_ENABLE("local_irq_enable()"),
        LOCAL_IRQ_SAVE("local_irq_save(flags)"),
        LOCAL_IRQ_RESTORE("local_irq_restore(flags)"),
        PREEMPT_DISABLE("preempt_disable()"),
        PREEMPT_ENABLE("preempt_enable()"),
        RCU_READ_LOCK("rcu_read_lock()"),
        RCU_READ_UNLOCK("rcu_read_unlock()"),
        /** rcu_read_lock_bh(): local_bh_disable() and an RCU-bh reader (include/linux/rcupdate.h). */
        RCU_READ_LOCK_BH("rcu_read_lock_bh()"),
        /** rcu_read_unlock_bh(): the reader ends, then local_bh_enable() (pending soft IRQs run). */
        RCU_READ_UNLOCK_BH("rcu_read_unlock_bh()"),
        /** rcu_read_lock_sched(): preempt_disable() and an RCU-sched reader. */
        RCU_READ_LOCK_SCHED("rcu_read_lock_sched()"),
        RCU_READ_UNLOCK_SCHED("rcu_read_unlock_sched()"),
        /** pagefault_disable() (include/linux/uaccess.h): copy_*_user no longer may sleep; a missing page is -EFAULT. */
        PAGEFAULT_DISABLE("pagefault_disable()"),
        PAGEFAULT_ENABLE("pagefault_enable()");

        private final String text;

        Simple(String text) {
            this.text = text;
        }

        public Outcome execute(Exec x) {
            var a = x.atomic();
            switch (this) {
                case LOCAL_BH_DISABLE -> a.bhDisable();
                case LOCAL_BH_ENABLE, RCU_READ_UNLOCK_BH -> {
                    bhEnableCheck(x, this);
                    if (this == RCU_READ_UNLOCK_BH) {
                        a.rcuReadUnlockBh();
                        Rcu.readerChanged(x);
                    } else {
                        a.bhEnable();
                    }
                    if (!a.bhDisabled()) {
                        x.lockdep().softirqsOn(a, x.where(describe()));
                    }
                    if (!a.inInterrupt() && x.softirqPending()) {
                        return Outcome.RunSoftirqs.INSTANCE;
                    }
                }
                case LOCAL_IRQ_DISABLE -> a.setIrqsDisabled(true);
                case LOCAL_IRQ_ENABLE -> {
                    a.setIrqsDisabled(false);
                    x.lockdep().hardirqsOn(a, x.where(describe()));
                }
                case LOCAL_IRQ_SAVE -> a.saveIrqs("flags");
                case LOCAL_IRQ_RESTORE -> {
                    a.restoreIrqs("flags");
                    if (!a.irqsDisabled()) {
                        x.lockdep().hardirqsOn(a, x.where(describe()));
                    }
                }
                case PREEMPT_DISABLE -> a.preemptDisable();
                case PREEMPT_ENABLE -> a.preemptEnable();
                case RCU_READ_LOCK -> {
                    a.rcuReadLock();
                    Rcu.readerChanged(x);
                }
                case RCU_READ_UNLOCK -> {
                    a.rcuReadUnlock();
                    Rcu.readerChanged(x);
                }
                case RCU_READ_LOCK_BH -> {
                    a.rcuReadLockBh();
                    Rcu.readerChanged(x);
                }
                case RCU_READ_LOCK_SCHED -> {
                    a.rcuReadLockSched();
                    Rcu.readerChanged(x);
                }
                case RCU_READ_UNLOCK_SCHED -> {
                    a.rcuReadUnlockSched();
                    Rcu.readerChanged(x);
                }
                case PAGEFAULT_DISABLE -> a.pagefaultDisable();
                case PAGEFAULT_ENABLE -> a.pagefaultEnable();
            }
            return x.needsCheckpoint() ? Outcome.Checkpoint.INSTANCE : Outcome.Next.INSTANCE;
        }

        public String describe() {
            return text;
        }
    }

    /** Entry into the kernel by a user process (sys_enter). */
    public record SysEnter(String name) implements Op.SyscallEntry {
        public Outcome execute(Exec x) {
            x.enterKernel(name, Syscalls.nr(name));
            return Outcome.Next.INSTANCE;
        }
    }

    /** Return to user mode (sys_exit): a preemption point. */
    public record SysExit(String name, long ret) implements Op.SyscallExit {
        public Outcome execute(Exec x) {
            boolean resched = x.exitKernel(name, Syscalls.nr(name), ret);
            return afterReturnToUser(x, resched);
        }

        public Op returning(long value) {
            return new SysExit(name, value);
        }
    }

    /**
     * Entry into the kernel by an exception taken in user mode (a page fault: asm_exc_page_fault,
     * irqentry_enter): process context like a system call, but no system call, so no sys_enter.
     */
    public record ExceptionEntry(String name) implements Op.SyscallEntry {
        public Outcome execute(Exec x) {
            x.enterKernel(name, Syscalls.EXCEPTION);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "exception " + name;
        }
    }

    /** Return to user mode from an exception (irqentry_exit_to_user_mode): a preemption point, no sys_exit. */
    public record ExceptionExit(String name) implements Op.SyscallExit {
        public Outcome execute(Exec x) {
            return afterReturnToUser(x, x.exitKernel(name, Syscalls.EXCEPTION, 0));
        }

        public Op returning(long value) {
            return this;
        }

        public String describe() {
            return "return from exception " + name;
        }
    }

    /** exit(2) with a status: the program ends here. */
    public record ExitProcess(int code) implements Op {
        public Outcome execute(Exec x) {
            x.setExitCode(code);
            return Outcome.Exit.INSTANCE;
        }

        public String describe() {
            return "exit(" + code + ")";
        }

        public boolean userMode() {
            return true;
        }
    }

    /** printk: a line in the simulated kernel log. */
    public record Printk(String message) implements Op {
        public Outcome execute(Exec x) {
            x.printk(message);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "printk(\"" + message + "\")";
        }

        public boolean traced() {
            return false;
        }
    }

    /** Runs {@code body} {@code count} times, or forever when count is negative. */
    public record Loop(long count, List<Op> body) implements Op {
        public Loop {
            body = List.copyOf(body);
            if (body.isEmpty()) {
                throw new IllegalArgumentException("a loop needs a body");
            }
        }

        public Outcome execute(Exec x) {
            throw new IllegalStateException("loops are run by the program runner");
        }

        public String describe() {
            return count < 0 ? "loop forever" : "loop " + count;
        }

        public boolean userMode() {
            return true;
        }
    }

    /**
     * A Java handler: the lambda runs at the current instant with a {@link KernelApi}; the
     * operations it queues run right after it, in the same context, with the same checks.
     */
    public record Java(String name, Consumer<KernelApi> handler) implements Op {
        public Outcome execute(Exec x) {
            KernelApi api = new KernelApi(x);
            if (x.atomic().sleepForbidden()) {
                String blocked = JvmBlockingCheck.armedWhile(() -> handler.accept(api));
                if (blocked != null) {
                    x.report(ReportKind.BLOCKING_CALL_IN_ATOMIC, ReportKind.BLOCKING_CALL_IN_ATOMIC.title() + ": " + blocked,
                            describe(), List.of("Java handler '" + name + "' called " + blocked + " in " + x.contextName()
                                    + "; the call was stopped and the handler ended there"));
                }
            } else {
                handler.accept(api);
            }
            List<Op> queued = api.queued();
            return queued.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(queued);
        }

        public String describe() {
            return "java " + name;
        }
    }

    /** lockdep's "bad unlock balance" text, for a release the lock itself does not recognise. */
    static void reportBadUnlock(Exec x, String lock, String op) {
        x.report(ReportKind.BAD_UNLOCK_BALANCE, ReportKind.BAD_UNLOCK_BALANCE.title(), op,
                List.of(x.comm() + "/" + x.pid() + " is trying to release lock (" + lock + ") at: " + op,
                        "but there are no more locks to release!"));
    }

    /**
     * The wait loop of wait_event and wait_for_completion: consume one event if the condition
     * holds, else sleep on the queue (scheduling, so the scheduler's atomic check applies) and run again when woken.
     */
    static Outcome waitOn(Exec x, String queue, char state, Op op) {
        KernelObjects.WaitQueue q = x.kernel().waitQueue(queue);
        if (q.tryConsume()) {
            return Outcome.Next.INSTANCE;
        }
        q.addWaiter(x.waitHandle());
        x.check(KernelCall.SCHEDULE, op);
        return new Outcome.Block(queue, state);
    }

    /** On return to user mode: run pending user work (signal handlers) first, else honour need_resched. */
    public static Outcome afterReturnToUser(Exec x, boolean resched) {
        if (x.userWorkPending()) {
            List<Op> work = x.kernel().userWork().take(x.pid());
            if (!work.isEmpty()) {
                return new Outcome.Inline(work);
            }
        }
        return resched ? Outcome.Yield.INSTANCE : Outcome.Next.INSTANCE;
    }

    private static void requireNonNegative(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("durations must not be negative: " + ns + "ns");
        }
    }
}
