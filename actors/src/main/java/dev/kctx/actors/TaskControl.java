package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.sched.SchedTask;
import dev.kctx.contexts.AtomicState;
import dev.kctx.contexts.ContextLevel;

/**
 * A task (the kernel's task_struct, as far as kctx needs it): its scheduling part
 * ({@link SchedTask}: policy, prio, affinity, EEVDF and RT state), its context state and its
 * program. Owned by the CPU whose run queue has it; it moves between CPUs only through the
 * machine's calendar (a wake-up or a migration event), so one CPU at a time touches it.
 */
final class TaskControl extends SchedTask implements dev.kctx.actors.program.Sleeper {
    final int source;
    final boolean user;
    final ActorRef<ContextProtocol.Command> entity;
    final ContextCode code;
    final AtomicState atomic = new AtomicState();
    /** R runnable, S interruptible sleep, D uninterruptible sleep, X exited, N not started. */
    char state = 'N';
    Cpu.Frame frame;
    long waitToken;
    long wokenAt = -1;
    boolean wokenFromSoftirq;
    boolean wakePending;
    /** Asleep in TASK_KILLABLE (state D): a fatal signal wakes it too. */
    boolean killable;
    int exitCode;
    /** nvcsw + nivcsw: the times __schedule switched this task out. */
    long switches;
    /** khungtaskd's last_switch_count and last_switch_time (kernel/hung_task.c). */
    long lastSwitchCount;
    long lastSwitchTime;
    /** The line of a threaded interrupt's kernel thread (irq/LINE-NAME); null for other tasks. */
    IrqLine irqLine;
    /** Per-task state of the mechanisms (see Exec.taskLocal). */
    final dev.kctx.actors.program.ClassSlots locals = new dev.kctx.actors.program.ClassSlots();

    /** "process COMM" or "kthread COMM": made once, named by every frame and report of the task. */
    private final String contextName;

    TaskControl(int source, int pid, String comm, int cpu, boolean user, ActorRef<ContextProtocol.Command> entity,
                ContextCode code) {
        this(source, pid, comm, cpu, user, entity, code, SchedAttr.DEFAULT);
    }

    TaskControl(int source, int pid, String comm, int cpu, boolean user, ActorRef<ContextProtocol.Command> entity,
                ContextCode code, SchedAttr attr) {
        super(pid, comm, cpu, attr);
        this.code = code;
        this.source = source;
        this.user = user;
        this.entity = entity;
        this.contextName = (user ? "process " : "kthread ") + comm;
    }

    ContextLevel startLevel() {
        return user ? ContextLevel.USER : ContextLevel.KERNEL;
    }

    String contextName() {
        return contextName;
    }

    boolean sleeping() {
        return state == 'S' || state == 'D' || state == 'I';
    }

    @Override
    public int sleeperPid() {
        return pid;
    }

    @Override
    public boolean asleepWith(long token) {
        return sleeping() && waitToken == token;
    }
}
