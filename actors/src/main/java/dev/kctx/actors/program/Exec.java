package dev.kctx.actors.program;

import dev.kctx.contexts.AtomicState;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.Where;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The kernel API an operation sees: the running context's state on its CPU at the current
 * virtual instant. It is lent to the context for the duration of one burst; nothing may keep it.
 */
public interface Exec {

    long now();

    int cpu();

    ContextLevel level();

    /** A description of the running context, e.g. {@code softirq NET_RX}. */
    String contextName();

    /** The current task's name and pid (inside an interrupt: the interrupted task). */
    String comm();

    int pid();

    /** True when running as a task (kernel thread or process), false inside an interrupt. */
    boolean taskContext();

    /** The running context's preempt-count state. */
    AtomicState atomic();

    /** True when this execution repeats an operation that earlier answered Spin or Block. */
    boolean retrying();

    /** The entity's own seeded generator. */
    SplittableRandom random();

    /**
     * Passes a call through the gate; false when it produced a report. {@code op} is the call's text
     * in the report; the overloads below take it unbuilt, for call sites whose text is not a constant.
     */
    boolean check(KernelCall call, String op);

    /** {@link #check(KernelCall, String)} with the text made by {@code op} only when a report is made. */
    default boolean check(KernelCall call, Describable op) {
        return check(call, op.describe());
    }

    /** {@link #check(KernelCall, String)} for a call written {@code fn(arg)}, its text made only for a report. */
    default boolean check(KernelCall call, String fn, long arg) {
        return check(call, Describable.call(fn, arg));
    }

    /** {@link #check(KernelCall, String)} for a call written {@code fn(arg)}, its text made only for a report. */
    default boolean check(KernelCall call, String fn, String arg) {
        return check(call, Describable.call(fn, arg));
    }

    /** Records a report decided by the operation itself. */
    void report(ReportKind kind, String title, String op, List<String> details);

    Where where(String op);

    void trace(String event, String args);

    /** Whether trace lines are kept; when not, a caller may skip building their text. */
    default boolean tracing() {
        return true;
    }

    /**
     * touch_softlockup_watchdog() ({@code nmi} false) or touch_nmi_watchdog() ({@code nmi} true) on
     * this CPU (kernel/watchdog.c): the code says it is legitimately busy; the soft detector starts
     * a new report period at its next tick, and touch_nmi_watchdog also makes the next NMI skip its
     * check. A no-op where no lockup detector runs.
     */
    default void touchWatchdog(boolean nmi) {
    }

    /** Appends a line to the simulated kernel log (dmesg). */
    void printk(String line);

    /**
     * Appends a line to the machine's console: what user programs print (a shell transcript),
     * in virtual-time order with the kernel log.
     */
    default void console(String line) {
        throw new UnsupportedOperationException("no console in this context");
    }

    /**
     * State a mechanism keeps per task (file descriptors, credentials, signal state), created on
     * first use. Inside an interrupt it is the interrupted task's, as {@code current} is.
     */
    default <T> T taskLocal(Class<T> key, java.util.function.Supplier<T> init) {
        throw new UnsupportedOperationException("no task-local state in this context");
    }

    // Soft IRQs.

    void raiseSoftirq(SoftirqVector vector);

    boolean softirqPending();

    /**
     * The local timer interrupt of CPU {@code cpu} at virtual time {@code at} raises {@code vector}
     * for work armed there ({@link SoftirqTimers}); taken when that CPU has IRQs on, as a tick would be.
     */
    default void softirqTimer(int cpu, long at, SoftirqVector vector) {
        throw new UnsupportedOperationException("softirqTimer");
    }

    /** tasklet_schedule: queues the tasklet on this CPU (once until it runs) and raises TASKLET_SOFTIRQ. */
    default void scheduleTasklet(String name) {
        throw new UnsupportedOperationException("tasklets");
    }

    // Shared kernel objects and wake-ups.

    KernelObjects kernel();

    /** The machine's lock validator (lockdep). */
    default dev.kctx.contexts.LockValidator lockdep() {
        return kernel().lockdep();
    }

    /** A handle that wakes the running context (task or interrupt frame) when passed to {@link #wake}. */
    WaitHandle waitHandle();

    /** Wakes a waiter through the calendar (it may be on another CPU). */
    void wake(WaitHandle handle);

    /** Tells a CPU spinning on {@code lock} that it was released. */
    void lockReleased(String lock, int spinningCpu);

    // Process context.

    /** A user process enters the kernel through a system call. */
    void enterKernel(String syscall, int nr);

    /** Returns to user mode; answers true when the scheduler wants the CPU (need_resched). */
    boolean exitKernel(String syscall, int nr, long ret);

    boolean needResched();

    /**
     * signal_wake_up for task {@code pid}: if it sleeps interruptibly it is woken; if it runs user
     * code it is interrupted to do its return-to-user work now; otherwise it does that work at its
     * next return to user mode. Crosses CPUs through the calendar. False when no such live task exists.
     */
    default boolean notifyTask(int pid) {
        throw new UnsupportedOperationException("notifyTask");
    }

    /** True when the running task has return-to-user work pending (a signal to handle): interruptible waits end early. */
    default boolean userWorkPending() {
        return kernel().userWork().pending(pid());
    }

    /** True when the running task has a fatal signal pending (fatal_signal_pending): killable waits end early. */
    default boolean fatalSignalPending() {
        return kernel().userWork().fatalPending(pid());
    }

    /**
     * Starts a new user process at this instant (call_usermodehelper, fork+exec): returns its pid.
     * {@code cpu} -1 starts it on this CPU, free to move (fork balancing may place it on an idle
     * CPU); a CPU number pins it there.
     */
    default int spawnProcess(String name, Program body, int cpu) {
        throw new UnsupportedOperationException("spawnProcess");
    }

    /** irq_finalize_oneshot, from a threaded interrupt's thread: unmask its line and deliver an arrival held meanwhile. */
    default void irqThreadDone() {
        throw new UnsupportedOperationException("irqThreadDone");
    }

    /** The machine's CPU count (what sched_setaffinity checks a mask against). */
    default int cpus() {
        throw new UnsupportedOperationException("cpus");
    }

    /** Task {@code pid}'s scheduling attributes (sched_getattr), or null when there is no such live task. */
    default dev.kctx.actors.sched.SchedAttr schedAttr(int pid) {
        throw new UnsupportedOperationException("schedAttr");
    }

    /** True when task {@code pid} is a per-CPU kernel thread (PF_NO_SETAFFINITY): its affinity cannot change. */
    default boolean schedPerCpuThread(int pid) {
        throw new UnsupportedOperationException("schedPerCpuThread");
    }

    /** Task {@code pid}'s cpus_allowed (sched_getaffinity), or null when there is no such live task. */
    default java.util.BitSet schedAffinity(int pid) {
        throw new UnsupportedOperationException("schedAffinity");
    }

    /**
     * sched_setattr / sched_setaffinity after the caller has checked permissions and arguments:
     * gives task {@code pid} new attributes ({@code attr}, or null to keep them) and affinity
     * ({@code allowed}, or null to keep it). For the running task it takes effect at once (a lowered
     * priority may reschedule at the next preemption point); for a task on another CPU at this
     * instant, through the calendar. False when there is no such live task (ESRCH); an affinity
     * change of a per-CPU kernel thread is refused with an IllegalArgumentException (EINVAL).
     */
    default boolean schedSet(int pid, dev.kctx.actors.sched.SchedAttr attr, java.util.BitSet allowed) {
        throw new UnsupportedOperationException("schedSet");
    }

    /** The status the running task exits with (exit(2)); 0 unless set. */
    default void setExitCode(int code) {
        throw new UnsupportedOperationException("setExitCode");
    }

    /** True when the CPU must get control back before the next operation (pending IRQs, softirqs). */
    boolean needsCheckpoint();
}
