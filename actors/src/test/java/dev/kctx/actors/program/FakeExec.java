package dev.kctx.actors.program;

import dev.kctx.contexts.AtomicState;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Gate;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.Where;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A {@link ProgramRunner.BurstExec} without a CPU behind it: it records what operations ask of the
 * kernel (gate checks, reports, wake-ups, trace lines, soft IRQ raises, system call entries) and
 * lets a test set what the CPU would answer (need_resched, pending interrupts). Gate checks go
 * through the real {@link Gate}, so their answers and reports are the kernel's.
 */
final class FakeExec implements ProgramRunner.BurstExec {

    /** One call that passed the gate. */
    record Check(KernelCall call, String op) {
    }

    /** A system call entry or exit. */
    record SyscallEvent(boolean enter, String name, int nr, long ret) {
    }

    final Object waiter = new Object();
    final AtomicState atomic = new AtomicState();
    final KernelObjects kernel;
    final int cpu;
    final String contextName;
    final List<Check> checks = new ArrayList<>();
    final List<Report> reports = new ArrayList<>();
    final List<WaitHandle> wakes = new ArrayList<>();
    final List<Integer> lockReleasedCpus = new ArrayList<>();
    final List<String> trace = new ArrayList<>();
    final List<String> printk = new ArrayList<>();
    final List<SyscallEvent> syscalls = new ArrayList<>();
    final List<Boolean> retryingSeen = new ArrayList<>();
    final Set<SoftirqVector> pending = EnumSet.noneOf(SoftirqVector.class);
    long token;
    long now;
    int pid = 4242;
    ContextLevel level = ContextLevel.KERNEL;
    boolean needResched;
    boolean pendingIrq;
    boolean exitKernelAnswer;
    /** What the signal state would answer: a signal to handle, a fatal one. */
    boolean signalPending;
    boolean fatalPending;
    private final java.util.Map<Class<?>, Object> locals = new java.util.HashMap<>();
    private boolean retrying;
    private SplittableRandom random = new SplittableRandom(42);
    private final Gate gate = new Gate(reports::add);

    FakeExec() {
        this(new KernelObjects(), 0, "kthread test");
    }

    FakeExec(KernelObjects kernel, int cpu, String contextName) {
        this.kernel = kernel;
        this.cpu = cpu;
        this.contextName = contextName;
        kernel.routeReports(reports::add);
    }

    /** Runs {@code op} as the runner would, noting whether it ran as a retry. */
    Outcome run(Op op) {
        retryingSeen.add(retrying);
        kernel.routeReports(reports::add);
        return op.execute(this);
    }

    /** Runs {@code op} again after a wake-up, as the runner does after a Block. */
    Outcome retry(Op op) {
        setRetrying(true);
        try {
            return run(op);
        } finally {
            setRetrying(false);
        }
    }

    /** The same, in a new wait (a new wait token), as after a wake-up that ended the old one. */
    Outcome retryInNewWait(Op op) {
        token++;
        return retry(op);
    }

    /** A task {@code name} with {@code pid} on {@code cpu}, registered with {@code kernel} ({@code user}: a user process). */
    static FakeExec task(KernelObjects kernel, int cpu, int pid, String name, boolean user) {
        FakeExec e = new FakeExec(kernel, cpu, name);
        e.pid = pid;
        kernel.registerTask(new TaskInfo(pid, name, 0, user));
        return e;
    }

    List<KernelCall> checkedCalls() {
        return checks.stream().map(Check::call).toList();
    }

    List<ReportKind> reportKinds() {
        return reports.stream().map(Report::kind).toList();
    }

    @Override
    public void setRetrying(boolean retrying) {
        this.retrying = retrying;
    }

    @Override
    public void bindRandom(SplittableRandom random) {
        this.random = random;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public int cpu() {
        return cpu;
    }

    @Override
    public ContextLevel level() {
        return level;
    }

    @Override
    public String contextName() {
        return contextName;
    }

    @Override
    public String comm() {
        return "test";
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public boolean taskContext() {
        return level == ContextLevel.KERNEL || level == ContextLevel.USER;
    }

    @Override
    public AtomicState atomic() {
        return atomic;
    }

    @Override
    public boolean retrying() {
        return retrying;
    }

    @Override
    public SplittableRandom random() {
        return random;
    }

    @Override
    public boolean check(KernelCall call, String op) {
        checks.add(new Check(call, op));
        return gate.check(call, atomic, where(op));
    }

    @Override
    public void report(ReportKind kind, String title, String op, List<String> details) {
        gate.report(kind, title, atomic, where(op), details);
    }

    @Override
    public Where where(String op) {
        return new Where(cpu, now, level, contextName, comm(), pid(), op);
    }

    @Override
    public void trace(String event, String args) {
        trace.add(event + ": " + args);
    }

    @Override
    public void printk(String line) {
        printk.add(line);
    }

    @Override
    public void raiseSoftirq(SoftirqVector vector) {
        pending.add(vector);
    }

    @Override
    public boolean softirqPending() {
        return !pending.isEmpty();
    }

    @Override
    public KernelObjects kernel() {
        return kernel;
    }

    @Override
    public WaitHandle waitHandle() {
        return new WaitHandle(cpu, waiter, token);
    }

    @Override
    public void wake(WaitHandle handle) {
        wakes.add(handle);
    }

    @Override
    public void lockReleased(String lock, int spinningCpu) {
        lockReleasedCpus.add(spinningCpu);
    }

    @Override
    public void enterKernel(String syscall, int nr) {
        syscalls.add(new SyscallEvent(true, syscall, nr, 0));
        level = ContextLevel.KERNEL;
    }

    @Override
    public boolean exitKernel(String syscall, int nr, long ret) {
        syscalls.add(new SyscallEvent(false, syscall, nr, ret));
        level = ContextLevel.USER;
        return exitKernelAnswer;
    }

    @Override
    public boolean userWorkPending() {
        return signalPending || fatalPending;
    }

    @Override
    public boolean fatalSignalPending() {
        return fatalPending;
    }

    @Override
    public <T> T taskLocal(Class<T> key, java.util.function.Supplier<T> init) {
        return key.cast(locals.computeIfAbsent(key, k -> init.get()));
    }

    @Override
    public boolean needResched() {
        return needResched;
    }

    @Override
    public boolean needsCheckpoint() {
        return pendingIrq && !atomic.irqsDisabled() && !atomic.inHardirq();
    }
}
