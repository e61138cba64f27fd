package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one machine in an actor system of its own and returns the result: the entry point for the
 * command line and for code that does not manage actor systems itself.
 */
public final class Simulation {
    /** A wall-clock safety net only; simulated time never depends on it. */
    private static final Duration WALL_LIMIT = Duration.ofHours(2);
    /** How long a machine told to stop may take to answer (it stops between batches of rounds). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private Simulation() {
    }

    public static RunResult run(MachineSpec spec, long untilNs) {
        return run(spec, untilNs, true, ConfigFactory.load());
    }

    public static RunResult run(MachineSpec spec, long untilNs, boolean trace, Config config) {
        return run(spec, untilNs, trace, config, null);
    }

    /**
     * Runs {@code spec} until {@code untilNs}; {@code progress} (may be null) hears the virtual time
     * reached now and then. If the engine itself crashes, this fails at once instead of waiting.
     */
    public static RunResult run(MachineSpec spec, long untilNs, boolean trace, Config config,
                                java.util.function.LongConsumer progress) {
        return run(spec, untilNs, trace, config, progress, Budget.NONE);
    }

    /**
     * The actor system's guardian: it spawns the machine (on the dispatcher {@link Machine#props}
     * chooses) and stops the system when the machine stops. The machine is its child rather than
     * the guardian itself because Akka wraps a guardian's behaviour in an interceptor that every
     * message then passes through, and on the message path the machine takes one message per CPU
     * and round (docs/performance-notes.md, section 8).
     */
    private static Behavior<Void> guardian(MachineSpec spec, boolean trace, Config config,
                                           java.util.concurrent.CompletableFuture<ActorRef<Machine.Command>> spawned) {
        return Behaviors.setup(ctx -> watching(ctx, spec, trace, config, spawned));
    }

    private static Behavior<Void> watching(ActorContext<Void> ctx, MachineSpec spec, boolean trace, Config config,
                                           java.util.concurrent.CompletableFuture<ActorRef<Machine.Command>> spawned) {
        ActorRef<Machine.Command> machine = ctx.spawn(Machine.create(spec, trace), "machine", Machine.props(config));
        ctx.watch(machine);
        spawned.complete(machine);
        return Behaviors.receive(Void.class).onSignal(Terminated.class, t -> Behaviors.stopped()).build();
    }

    /**
     * What a run may cost before it is stopped cleanly, with its partial result: {@code maxEvents}
     * events (deterministic: the same run stops at the same round), and {@code wall} of wall-clock
     * time (where it stops depends on the machine's speed). {@link Long#MAX_VALUE} events and a null
     * wall time mean no limit.
     */
    public record Budget(long maxEvents, Duration wall) {
        public static final Budget NONE = new Budget(Long.MAX_VALUE, null);

        public Budget {
            if (maxEvents <= 0) {
                throw new IllegalArgumentException("the event budget must be positive");
            }
            if (wall != null && (wall.isNegative() || wall.isZero())) {
                throw new IllegalArgumentException("the wall-clock budget must be positive");
            }
        }
    }

    /**
     * As {@link #run(MachineSpec, long, boolean, Config, java.util.function.LongConsumer)}, within
     * {@code budget}: when it runs out, the machine stops at a round boundary and the result says
     * which budget ended it ({@link RunResult#budget()}).
     */
    public static RunResult run(MachineSpec spec, long untilNs, boolean trace, Config config,
                                java.util.function.LongConsumer progress, Budget budget) {
        var spawned = new java.util.concurrent.CompletableFuture<ActorRef<Machine.Command>>();
        ActorSystem<Void> system = ActorSystem.create(guardian(spec, trace, config, spawned), "kctx", config);
        try {
            ActorRef<Machine.Command> machine = spawned.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            Duration wall = budget.wall() == null ? WALL_LIMIT : budget.wall();
            Duration askLimit = wall.plus(STOP_GRACE);
            var answer = AskPattern.<Machine.Command, Machine.Finished>ask(machine,
                    r -> new Machine.Start(untilNs, r, progress, budget.maxEvents()), askLimit, system.scheduler())
                    .toCompletableFuture();
            var stopped = system.getWhenTerminated().toCompletableFuture();
            try {
                java.util.concurrent.CompletableFuture.anyOf(answer, stopped).get(wall.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Out of wall-clock time: the machine stops at its next round boundary and answers with what it has.
                machine.tell(new Machine.Stop("the wall-clock budget of " + dev.kctx.contexts.TimeFormat.format(wall.toNanos()) + " ran out"));
                java.util.concurrent.CompletableFuture.anyOf(answer, stopped).get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!answer.isDone()) {
                throw new IllegalStateException("the machine stopped before answering (an engine failure; run with -v for its log)");
            }
            return answer.get().result();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the machine did not finish: " + e.getMessage(), e);
        } finally {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the result is already in hand; a slow shutdown changes nothing
            }
        }
    }
}
