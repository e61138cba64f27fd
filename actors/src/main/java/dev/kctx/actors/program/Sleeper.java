package dev.kctx.actors.program;

/**
 * A task as a waiter on a wait list ({@link WaitHandle#waiter()}): lets a checker ask, after a run,
 * whether the wait a handle stands for is still going on.
 */
public interface Sleeper {

    int sleeperPid();

    /** True when the task sleeps (S or D) in the wait that {@code token} identifies. */
    boolean asleepWith(long token);
}
