package dev.kctx.actors.program;

/**
 * What the kernel knows of a task by pid: its name, CPU, whether it is a user process, whether it
 * has exited and with which status.
 */
public final class TaskInfo {
    private final int pid;
    private final String comm;
    private final int cpu;
    private final boolean user;
    private boolean exited;
    private int exitCode;

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

    public int cpu() {
        return cpu;
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

    void exit(int code) {
        exited = true;
        exitCode = code;
    }
}
