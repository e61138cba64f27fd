package dev.kctx.contexts;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Drives a {@link LockValidator} the way the engine's lock operations will: each helper updates
 * the context's {@link AtomicState} in the kernel's order (IRQs off before the acquire of an
 * _irqsave lock, the validator told before the push and before the pop, IRQs back on after the
 * release) and advances a virtual clock so reports carry distinct times.
 */
final class LockSim {
    final List<Report> reports = new ArrayList<>();
    final LockValidator validator = new LockValidator(reports::add);
    private long now;

    LockSim() {
        LockSimInvariants.register(this);
    }

    /** A task context (kernel thread or process in the kernel) on a CPU, with its own atomic state. */
    Ctx task(String comm, int pid, int cpu) {
        return new Ctx(new AtomicState(), cpu, ContextLevel.KERNEL, "kthread " + comm, comm, pid);
    }

    List<ReportKind> kinds() {
        return reports.stream().map(Report::kind).collect(Collectors.toList());
    }

    Report only() {
        if (reports.size() != 1) {
            throw new AssertionError("expected exactly one report, got " + reports.size() + ":\n" + dump());
        }
        return reports.get(0);
    }

    String dump() {
        StringBuilder sb = new StringBuilder();
        for (Report r : reports) {
            sb.append(r.kernelText()).append("site: ").append(r.site()).append("\n\n");
        }
        return sb.toString();
    }

    /** One execution context: a task, or an interrupt running on top of one (sharing its state). */
    final class Ctx {
        final AtomicState st;
        final int cpu;
        final ContextLevel level;
        final String context;
        final String comm;
        final int pid;

        Ctx(AtomicState st, int cpu, ContextLevel level, String context, String comm, int pid) {
            this.st = st;
            this.cpu = cpu;
            this.level = level;
            this.context = context;
            this.comm = comm;
            this.pid = pid;
        }

        Where where(String op) {
            now += 1_000;
            return new Where(cpu, now, level, context, comm, pid, op);
        }

        private Ctx lock(String call, String name, LockClassKind kind, boolean read, boolean trylock) {
            validator.acquire(st, where(call + "(" + name + ")"), name, kind, read, trylock);
            st.pushLock(new HeldLock(name, call, read));
            return this;
        }

        private boolean unlock(String call, String name) {
            boolean ok = validator.release(st, where(call + "(" + name + ")"), name);
            st.popLock(name);
            return ok;
        }

        /** Tells the validator about a release without popping the engine's stack. */
        boolean validatorRelease(String name) {
            return validator.release(st, where("spin_unlock(" + name + ")"), name);
        }

        Ctx spinLock(String name) {
            return lock("spin_lock", name, LockClassKind.SPINLOCK, false, false);
        }

        boolean spinUnlock(String name) {
            return unlock("spin_unlock", name);
        }

        Ctx spinTrylock(String name) {
            return lock("spin_trylock", name, LockClassKind.SPINLOCK, false, true);
        }

        Ctx spinLockIrqsave(String name) {
            st.saveIrqs(name);
            return lock("spin_lock_irqsave", name, LockClassKind.SPINLOCK, false, false);
        }

        void spinUnlockIrqrestore(String name) {
            unlock("spin_unlock_irqrestore", name);
            boolean wasOff = st.irqsDisabled();
            st.restoreIrqs(name);
            if (wasOff && !st.irqsDisabled()) {
                validator.hardirqsOn(st, where("spin_unlock_irqrestore(" + name + ")"));
            }
        }

        Ctx spinLockIrq(String name) {
            st.setIrqsDisabled(true);
            return lock("spin_lock_irq", name, LockClassKind.SPINLOCK, false, false);
        }

        void spinUnlockIrq(String name) {
            unlock("spin_unlock_irq", name);
            localIrqEnable();
        }

        Ctx spinLockBh(String name) {
            st.bhDisable();
            return lock("spin_lock_bh", name, LockClassKind.SPINLOCK, false, false);
        }

        void spinUnlockBh(String name) {
            unlock("spin_unlock_bh", name);
            localBhEnable();
        }

        Ctx readLock(String name) {
            return lock("read_lock", name, LockClassKind.RWLOCK, true, false);
        }

        boolean readUnlock(String name) {
            return unlock("read_unlock", name);
        }

        Ctx writeLock(String name) {
            return lock("write_lock", name, LockClassKind.RWLOCK, false, false);
        }

        Ctx writeLockIrq(String name) {
            st.setIrqsDisabled(true);
            return lock("write_lock_irq", name, LockClassKind.RWLOCK, false, false);
        }

        void writeUnlockIrq(String name) {
            unlock("write_unlock_irq", name);
            localIrqEnable();
        }

        Ctx mutexLock(String name) {
            return lock("mutex_lock", name, LockClassKind.MUTEX, false, false);
        }

        boolean mutexUnlock(String name) {
            return unlock("mutex_unlock", name);
        }

        /**
         * An acquisition of lock {@code instance} in class {@code cls} at {@code subclass}: what
         * spin_lock (subclass 0) or spin_lock_nested, mutex_lock_nested, down_read_nested... do.
         */
        Ctx lockInClass(String call, String instance, String cls, int subclass, LockClassKind kind, boolean read) {
            validator.acquire(st, where(call + "(" + instance + ")"), instance, cls, subclass, kind, read, false);
            st.pushLock(new HeldLock(instance, call, read));
            return this;
        }

        boolean unlockInstance(String call, String instance) {
            return unlock(call, instance);
        }

        Ctx downRead(String name) {
            return lock("down_read", name, LockClassKind.RWSEM, true, false);
        }

        Ctx downWrite(String name) {
            return lock("down_write", name, LockClassKind.RWSEM, false, false);
        }

        Ctx downReadTrylock(String name) {
            return lock("down_read_trylock", name, LockClassKind.RWSEM, true, true);
        }

        boolean upRead(String name) {
            return unlock("up_read", name);
        }

        boolean upWrite(String name) {
            return unlock("up_write", name);
        }

        /** downgrade_write: lockdep's lock_downgrade; the engine's entry becomes a read one. */
        boolean downgradeWrite(String name) {
            boolean ok = validator.downgrade(st, where("downgrade_write(" + name + ")"), name);
            if (st.popLock(name)) {
                st.pushLock(new HeldLock(name, "downgrade_write", true));
            }
            return ok;
        }

        /** The acquire half of a contended spin_lock: announced to the validator, still spinning, not pushed. */
        void spinLockStartSpinning(String name) {
            validator.acquire(st, where("spin_lock(" + name + ")"), name, LockClassKind.SPINLOCK, false, false);
        }

        /** The contended spin_lock finally gets the lock. */
        void spinLockAcquired(String name) {
            st.pushLock(new HeldLock(name, "spin_lock", false));
        }

        void localIrqDisable() {
            st.setIrqsDisabled(true);
        }

        void localIrqEnable() {
            boolean wasOff = st.irqsDisabled();
            st.setIrqsDisabled(false);
            if (wasOff) {
                validator.hardirqsOn(st, where("local_irq_enable()"));
            }
        }

        void localBhEnable() {
            st.bhEnable();
            if (!st.inSoftirq()) {
                validator.softirqsOn(st, where("local_bh_enable()"));
            }
        }

        /** Runs {@code body} in a hard IRQ handler interrupting this context, as the CPU does: count up, IRQs off. */
        void hardirq(String name, Consumer<Ctx> body) {
            boolean saved = st.irqsDisabled();
            st.hardirqEnter();
            st.setIrqsDisabled(true);
            body.accept(new Ctx(st, cpu, ContextLevel.HARDIRQ, "hardirq " + name, comm, pid));
            st.hardirqExit();
            st.setIrqsDisabled(saved);
        }

        /** Runs {@code body} as an NMI handler on top of this context (nmi_enter: NMI + HARDIRQ offsets, IRQs off). */
        void nmi(String name, Consumer<Ctx> body) {
            boolean saved = st.irqsDisabled();
            st.nmiEnter();
            st.setIrqsDisabled(true);
            body.accept(new Ctx(st, cpu, ContextLevel.HARDIRQ, "nmi " + name, comm, pid));
            st.nmiExit();
            st.setIrqsDisabled(saved);
        }

        /** Runs {@code body} as a soft IRQ served on the way out of an interrupt (IRQs on, serving bit set). */
        void softirq(String name, Consumer<Ctx> body) {
            st.softirqServeEnter();
            body.accept(new Ctx(st, cpu, ContextLevel.SOFTIRQ, "softirq " + name, comm, pid));
            st.softirqServeExit();
        }
    }
}
