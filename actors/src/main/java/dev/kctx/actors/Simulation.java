package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one machine and returns the result: the entry point for the command line and for code that
 * does not manage actor systems itself. The machine runs in an actor system that earlier runs with
 * an equal configuration may have used, and later ones may use ({@link MachineHosts}): each run is a
 * machine of its own, whose actors stop when it has answered.
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
        var spawned = new CompletableFuture<ActorRef<Machine.Command>>();
        var stopped = new CompletableFuture<Void>();
        MachineHosts.Host host = MachineHosts.take(config);
        ActorRef<Machine.Command> machine = null;
        boolean answered = false;
        try {
            host.spawn(spec, trace, spawned, stopped);
            machine = spawned.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            Duration wall = budget.wall() == null ? WALL_LIMIT : budget.wall();
            Duration askLimit = wall.plus(STOP_GRACE);
            var answer = AskPattern.<Machine.Command, Machine.Finished>ask(machine,
                    r -> new Machine.Start(untilNs, r, progress, budget.maxEvents()), askLimit, host.system().scheduler())
                    .toCompletableFuture();
            var gone = CompletableFuture.anyOf(stopped, host.terminated());
            try {
                CompletableFuture.anyOf(answer, gone).get(wall.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Out of wall-clock time: the machine stops at its next round boundary and answers with what it has.
                machine.tell(new Machine.Stop("the wall-clock budget of " + dev.kctx.contexts.TimeFormat.format(wall.toNanos()) + " ran out"));
                CompletableFuture.anyOf(answer, gone).get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!answer.isDone()) {
                throw new IllegalStateException("the machine stopped before answering (an engine failure; run with -v for its log)");
            }
            RunResult result = answer.get().result();
            answered = true;
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the machine did not finish: " + e.getMessage(), e);
        } finally {
            if (answered) {
                MachineHosts.giveBack(host, machine);
            } else {
                MachineHosts.retire(host);
            }
        }
    }
}
