package dev.kctx.actors.program;

import dev.kctx.actors.program.Ops.SpinVariant;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The fluent vocabulary of operations, shared by {@link Program.Builder} and by the
 * {@link KernelApi} a Java handler receives. Durations are virtual nanoseconds
 * (see {@link dev.kctx.contexts.Durations}).
 */
public abstract class OpsBuilder<B extends OpsBuilder<B>> {
    private final List<Op> ops = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    protected List<Op> ops() {
        return ops;
    }

    public B op(Op op) {
        ops.add(op);
        return self();
    }

    public B compute(long ns) {
        return op(new Ops.Compute(ns));
    }

    public B computeRandom(long minNs, long maxNs) {
        return op(new Ops.ComputeRandom(minNs, maxNs));
    }

    public B mdelay(long ns) {
        return op(new Ops.Mdelay(ns));
    }

    public B msleep(long ns) {
        return op(new Ops.Msleep(ns));
    }

    public B schedule() {
        return op(Ops.Schedule.INSTANCE);
    }

    public B condResched() {
        return op(Ops.CondResched.INSTANCE);
    }

    public B spinLock(String lock, SpinVariant variant) {
        op(new Ops.SpinLockPrepare(lock, variant));
        return op(new Ops.SpinLockAcquire(lock, variant));
    }

    public B spinLock(String lock) {
        return spinLock(lock, SpinVariant.PLAIN);
    }

    public B spinUnlock(String lock, SpinVariant variant) {
        return op(new Ops.SpinUnlock(lock, variant));
    }

    public B spinUnlock(String lock) {
        return spinUnlock(lock, SpinVariant.PLAIN);
    }

    public B mutexLock(String lock) {
        return op(new Ops.MutexLock(lock));
    }

    /** mutex_lock_interruptible / mutex_lock_killable; {@code onInterrupt} runs before the system call returns -EINTR. */
    public B mutexLock(String lock, Ops.WaitMode mode, List<Op> onInterrupt) {
        return op(new Ops.MutexLock(lock, mode, onInterrupt));
    }

    public B mutexUnlock(String lock) {
        return op(new Ops.MutexUnlock(lock));
    }

    public B readLock(String lock, SpinVariant variant) {
        op(new Ops.SpinLockPrepare(lock, variant, Ops.LockMode.READ));
        return op(new Ops.SpinLockAcquire(lock, variant, Ops.LockMode.READ));
    }

    public B readUnlock(String lock, SpinVariant variant) {
        return op(new Ops.SpinUnlock(lock, variant, Ops.LockMode.READ));
    }

    public B writeLock(String lock, SpinVariant variant) {
        op(new Ops.SpinLockPrepare(lock, variant, Ops.LockMode.WRITE));
        return op(new Ops.SpinLockAcquire(lock, variant, Ops.LockMode.WRITE));
    }

    public B writeUnlock(String lock, SpinVariant variant) {
        return op(new Ops.SpinUnlock(lock, variant, Ops.LockMode.WRITE));
    }

    /** spin_trylock: {@code then} runs holding the lock (and must unlock it), {@code otherwise} when it was busy. */
    public B spinTrylock(String lock, Consumer<Program.Builder> then, Consumer<Program.Builder> otherwise) {
        Program.Builder t = Program.builder();
        then.accept(t);
        Program.Builder o = Program.builder();
        otherwise.accept(o);
        return op(new Ops.SpinTrylock(lock, Ops.LockMode.SPIN, t.ops(), o.ops()));
    }

    public B down(String sem) {
        return op(new Ops.Down(sem, false));
    }

    public B downInterruptible(String sem) {
        return op(new Ops.Down(sem, true));
    }

    /** down_interruptible / down_killable; {@code onInterrupt} runs before the system call returns -EINTR. */
    public B down(String sem, Ops.WaitMode mode, List<Op> onInterrupt) {
        return op(new Ops.Down(sem, mode, onInterrupt));
    }

    public B up(String sem) {
        return op(new Ops.Up(sem));
    }

    /**
     * down_read (kernel/locking/rwsem.c): might_sleep, then share the rw_semaphore with other readers,
     * sleeping while a writer holds it or anyone waits for it. For lockdep a read acquisition that is
     * not recursive: a second down_read of a held class is "possible recursive locking".
     */
    public B downRead(String rwsem) {
        return op(new Ops.RwsemDown(rwsem, false));
    }

    /** down_write (kernel/locking/rwsem.c): might_sleep, then hold the rw_semaphore alone. */
    public B downWrite(String rwsem) {
        return op(new Ops.RwsemDown(rwsem, true));
    }

    /**
     * down_read_interruptible / down_read_killable / down_write_killable (kernel/locking/rwsem.c): as
     * {@link #downRead}/{@link #downWrite}, but a signal (a fatal one for _killable) ends the wait:
     * {@code onInterrupt} runs, then the system call returns -EINTR.
     */
    public B downRwsem(String rwsem, boolean write, Ops.WaitMode mode, List<Op> onInterrupt) {
        return op(new Ops.RwsemDown(rwsem, write, mode, onInterrupt));
    }

    /** up_read (kernel/locking/rwsem.c): the last reader out wakes the waiters. */
    public B upRead(String rwsem) {
        return op(new Ops.RwsemUp(rwsem, false));
    }

    /** up_write (kernel/locking/rwsem.c): wakes the first waiting writer, or every waiting reader. */
    public B upWrite(String rwsem) {
        return op(new Ops.RwsemUp(rwsem, true));
    }

    /** downgrade_write (kernel/locking/rwsem.c): the writer keeps the rw_semaphore as a reader; waiting readers join it. */
    public B downgradeWrite(String rwsem) {
        return op(new Ops.DowngradeWrite(rwsem));
    }

    /**
     * down_read_trylock / down_write_trylock (kernel/locking/rwsem.c): never sleeps; {@code then} runs
     * holding the rw_semaphore (and must release it), {@code otherwise} when it was taken.
     */
    public B rwsemTrylock(String rwsem, boolean write, Consumer<Program.Builder> then, Consumer<Program.Builder> otherwise) {
        Program.Builder t = Program.builder();
        then.accept(t);
        Program.Builder o = Program.builder();
        otherwise.accept(o);
        return op(new Ops.RwsemTrylock(rwsem, write, t.ops(), o.ops()));
    }

    /**
     * spin_lock_nested (include/linux/spinlock.h): spin_lock, validated by lockdep in {@code subclass}
     * (0..7) of the lock's class, so a second lock of one class can be held without a recursive
     * locking report; the order between subclasses is still checked (kernel/locking/lockdep.c
     * register_lock_class makes each subclass a class of its own).
     */
    public B spinLockNested(String lock, int subclass) {
        op(new Ops.SpinLockPrepare(lock, SpinVariant.PLAIN, Ops.LockMode.SPIN, subclass));
        return op(new Ops.SpinLockAcquire(lock, SpinVariant.PLAIN));
    }

    /** mutex_lock_nested (kernel/locking/mutex.c): mutex_lock in lockdep subclass {@code subclass} (0..7). */
    public B mutexLockNested(String lock, int subclass) {
        return op(new Ops.MutexLock(lock, Ops.WaitMode.UNINTERRUPTIBLE, List.of(), subclass));
    }

    /** down_read_nested / down_write_nested (kernel/locking/rwsem.c): in lockdep subclass {@code subclass} (0..7). */
    public B downNested(String rwsem, boolean write, int subclass) {
        return op(new Ops.RwsemDown(rwsem, write, Ops.WaitMode.UNINTERRUPTIBLE, List.of(), subclass));
    }

    public B waitForCompletion(String name) {
        return op(new Ops.Completion(name, true));
    }

    public B complete(String name) {
        return op(new Ops.Completion(name, false));
    }

    public B vmalloc(long size) {
        return op(new Ops.Call(dev.kctx.contexts.KernelCall.VMALLOC, "vmalloc(" + size + ")"));
    }

    public B msleepInterruptible(long ns) {
        return op(new Ops.MsleepInterruptible(ns));
    }

    /** {@code if (msleep_interruptible(ns)) { onInterrupt; return -EINTR; }} */
    public B msleepInterruptible(long ns, List<Op> onInterrupt) {
        return op(new Ops.MsleepInterruptible(ns, onInterrupt));
    }

    public B usleepRange(long ns) {
        return op(new Ops.TimedSleep(dev.kctx.contexts.KernelCall.USLEEP_RANGE, ns, 'D'));
    }

    public B kmalloc(long size, boolean gfpAtomic) {
        return op(new Ops.Kmalloc(size, gfpAtomic));
    }

    public B copyToUser(long bytes) {
        return op(new Ops.CopyUser(bytes, true));
    }

    public B copyFromUser(long bytes) {
        return op(new Ops.CopyUser(bytes, false));
    }

    public B raiseSoftirq(SoftirqVector vector) {
        return op(new Ops.RaiseSoftirq(vector));
    }

    public B taskletSchedule(String tasklet) {
        return op(new Ops.TaskletSchedule(tasklet));
    }

    public B wakeUp(String queue) {
        return op(new Ops.WakeUp(queue));
    }

    public B waitEvent(String queue) {
        return op(new Ops.WaitEvent(queue, false));
    }

    public B waitEventInterruptible(String queue) {
        return op(new Ops.WaitEvent(queue, true));
    }

    /** wait_event_interruptible / wait_event_killable; {@code onInterrupt} runs before the system call returns -EINTR. */
    public B waitEvent(String queue, Ops.WaitMode mode, List<Op> onInterrupt) {
        return op(new Ops.WaitEvent(queue, mode, onInterrupt));
    }

    public B localBhDisable() {
        return op(Ops.Simple.LOCAL_BH_DISABLE);
    }

    public B localBhEnable() {
        return op(Ops.Simple.LOCAL_BH_ENABLE);
    }

    public B localIrqDisable() {
        return op(Ops.Simple.LOCAL_IRQ_DISABLE);
    }

    public B localIrqEnable() {
        return op(Ops.Simple.LOCAL_IRQ_ENABLE);
    }

    public B localIrqSave() {
        return op(Ops.Simple.LOCAL_IRQ_SAVE);
    }

    public B localIrqRestore() {
        return op(Ops.Simple.LOCAL_IRQ_RESTORE);
    }

    public B preemptDisable() {
        return op(Ops.Simple.PREEMPT_DISABLE);
    }

    public B preemptEnable() {
        return op(Ops.Simple.PREEMPT_ENABLE);
    }

    public B rcuReadLock() {
        return op(Ops.Simple.RCU_READ_LOCK);
    }

    /** touch_nmi_watchdog() ({@code nmi}) or touch_softlockup_watchdog(): this CPU's long work is on purpose. */
    public B touchWatchdog(boolean nmi) {
        return op(nmi ? Ops.TouchWatchdog.NMI : Ops.TouchWatchdog.SOFTLOCKUP);
    }

    /** pagefault_disable(): copy_*_user then does not might_fault, and fails on a page that is not present. */
    public B pagefaultDisable() {
        return op(Ops.Simple.PAGEFAULT_DISABLE);
    }

    public B pagefaultEnable() {
        return op(Ops.Simple.PAGEFAULT_ENABLE);
    }

    public B rcuReadUnlock() {
        return op(Ops.Simple.RCU_READ_UNLOCK);
    }

    /** rcu_read_lock_bh(): local_bh_disable() plus an RCU-bh reader. */
    public B rcuReadLockBh() {
        return op(Ops.Simple.RCU_READ_LOCK_BH);
    }

    /** rcu_read_unlock_bh(): ends the RCU-bh reader, then local_bh_enable(). */
    public B rcuReadUnlockBh() {
        return op(Ops.Simple.RCU_READ_UNLOCK_BH);
    }

    /** rcu_read_lock_sched(): preempt_disable() plus an RCU-sched reader. */
    public B rcuReadLockSched() {
        return op(Ops.Simple.RCU_READ_LOCK_SCHED);
    }

    /** rcu_read_unlock_sched(): ends the RCU-sched reader, then preempt_enable(). */
    public B rcuReadUnlockSched() {
        return op(Ops.Simple.RCU_READ_UNLOCK_SCHED);
    }

    /**
     * synchronize_rcu(): lockdep-RCU's suspicious-rcu-usage inside a reader, might_sleep, then a wait
     * in D until a grace period that starts after the call has ended (see {@link Rcu}).
     */
    public B synchronizeRcu() {
        return op(new Rcu.Synchronize());
    }

    /**
     * call_rcu(head, func): {@code body} runs on this CPU in RCU_SOFTIRQ after the next grace period
     * (it must not sleep); legal in any context. {@code func} names it in the trace.
     */
    public B callRcu(String func, List<Op> body) {
        return op(new Rcu.CallRcu(func, body));
    }

    /** rcu_barrier(): might_sleep, then waits until every callback queued so far has run. */
    public B rcuBarrier() {
        return op(new Rcu.RcuBarrier());
    }

    public B printk(String message) {
        return op(new Ops.Printk(message));
    }

    /** A system call of a user process: enter the kernel, run {@code body} there, return to user mode. */
    public B syscall(String name, Consumer<Program.Builder> body) {
        Program.Builder b = Program.builder();
        body.accept(b);
        op(new Ops.SysEnter(name));
        b.ops().forEach(this::op);
        return op(new Ops.SysExit(name, 0));
    }

    /** nanosleep(2) from user space: a system call that sleeps interruptibly (S), unlike msleep (D). */
    public B nanosleep(long ns) {
        return syscall("nanosleep", b -> b.op(new Ops.Nanosleep(ns)));
    }

    public B loop(long count, Consumer<Program.Builder> body) {
        Program.Builder b = Program.builder();
        body.accept(b);
        return op(new Ops.Loop(count, b.ops()));
    }

    public B java(String name, Consumer<KernelApi> handler) {
        return op(new Ops.Java(name, handler));
    }
}
