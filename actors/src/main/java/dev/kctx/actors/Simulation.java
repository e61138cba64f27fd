package dev.kctx.actors;

import akka.actor.typed.ActorSystem;
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
        ActorSystem<Machine.Command> system = ActorSystem.create(Machine.create(spec, trace), "kctx", config);
        try {
            var answer = AskPattern.<Machine.Command, Machine.Finished>ask(system,
                    r -> new Machine.Start(untilNs, r, progress), WALL_LIMIT, system.scheduler()).toCompletableFuture();
            var stopped = system.getWhenTerminated().toCompletableFuture();
            java.util.concurrent.CompletableFuture.anyOf(answer, stopped).get(WALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
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
