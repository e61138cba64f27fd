package dev.kctx.actors.program;

/**
 * What the kernel knows of a task by pid: its name, CPU, whether it is a user process, whether it
 * has exited and with which status (or signal), and its scheduling state.
 */
public final class TaskInfo {
    private final int pid;
    private final String comm;
    private final int cpu;
    private java.util.function.IntSupplier cpuNow;
    private final boolean user;
    private boolean exited;
    private int exitCode;
    private int termSignal;
    private java.util.function.Supplier<Character> scheduler = () -> 'N';

    public TaskInfo(int pid, String comm, int cpu, boolean user) {
        this.pid = pid;
        this.comm = comm;
        this.cpu = cpu;
        this.user = user;
    }

    public int pid() {
        return pid;
    }

    public String comm() {
        return comm;
    }

    /** The CPU the task is on now (task_cpu), or was on last. */
    public int cpu() {
        return cpuNow == null ? cpu : cpuNow.getAsInt();
    }

    /** The engine links the task to its scheduler's CPU (tasks migrate). */
    public void cpuFrom(java.util.function.IntSupplier c) {
        cpuNow = c;
    }

    public boolean user() {
        return user;
    }

    public boolean exited() {
        return exited;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The signal that killed the task (its default action), or 0: it exited, or lives. */
    public int termSignal() {
        return termSignal;
    }

    /** The exit path of a fatal signal records which one it was (wait4's WTERMSIG). */
    public void killedBy(int sig) {
        termSignal = sig;
    }

    /**
     * The scheduler's state letter as ps prints it: R runnable or running, S interruptible sleep,
     * D uninterruptible sleep, X dead, N not started yet.
     */
    public char state() {
        return exited ? 'X' : scheduler.get();
    }

    /** The engine links the task to its scheduling state. */
    public void stateFrom(java.util.function.Supplier<Character> state) {
        scheduler = state;
    }

    void exit(int code) {
        exited = true;
        exitCode = code;
    }
}
