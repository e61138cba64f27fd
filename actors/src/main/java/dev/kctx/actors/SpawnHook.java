package dev.kctx.actors;

import akka.actor.typed.Behavior;

/**
 * A test's hook on the message path: the machine passes the behaviour of every CPU and context
 * actor it spawns through {@link #wrap}, with the actor's spawn name ({@code cpu-0},
 * {@code hardirq-11-nic}, {@code softirq-0}, {@code ksoftirqd-0}, {@code process-4242-monitor}...),
 * so that the test can wrap it in an interceptor ({@code Behaviors.monitor}, a
 * {@code BehaviorInterceptor}) and see every message the actor processes, in the order its priority
 * mailbox hands them out. The testkit's {@code RunningMachine.monitor} is the one user. A machine has
 * a hook when its spec boots one under {@code SpawnHook.class}
 * ({@link MachineSpec#withBoot}); without one, spawning is unchanged.
 *
 * <p>Called on the machine's thread, at construction and when a process is started at run time.
 * The wrapped behaviour must process every message exactly as the unwrapped one would, and must
 * not block: the run may not depend on whether a hook is present.
 */
public interface SpawnHook {

    /** The behaviour to spawn the actor {@code name} with; {@code type} is its message type. */
    <T> Behavior<T> wrap(String name, Class<T> type, Behavior<T> behavior);
}
