package dev.kctx.cli.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * A command acting as the cluster's coordinator: the seed node at the address the user gave, where
 * workers join ({@code kctx worker --join HOST:PORT}) and pull the units of the jobs run here.
 *
 * <pre>{@code
 * try (Coordination c = Coordination.start(at, bind, 1)) {
 *     List<JsonNode> results = c.run("sweep", payloads, Coordination.Listener.NONE);  // in payload order
 * }
 * }</pre>
 * See {@link WorkKind} for the worker's side.
 */
public final class Coordination implements AutoCloseable {
    private final ActorSystem<Coordinator.Command> system;

    /** What a job tells the command while it runs (called on the coordinator's actor thread: keep it quick). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** {@code done} units have a result so far. */
        default void progress(long done) {
        }

        /** {@code units} leased to the workers of {@code node} go back to the pending ones: it is unreachable or gone. */
        default void takenBack(int units, String node) {
        }

        /** All {@code units} are made; {@code takenBack} leases were handed out again on the way. */
        default void finished(int units, int takenBack) {
        }
    }

    private Coordination(ActorSystem<Coordinator.Command> system) {
        this.system = system;
    }

    /**
     * Starts the coordinator's node, known to others as {@code at} (the address workers join) and
     * listening on {@code bind}, and makes it the cluster's first member.
     *
     * @param minWorkers workers to wait for before the first unit goes out (so that a measurement
     *                   or a test starts with all of them)
     */
    public static Coordination start(HostPort at, HostPort bind, int minWorkers) {
        ActorSystem<Coordinator.Command> system = ClusterNode.start(Coordinator.create(minWorkers), at, bind,
                Worker.COORDINATOR_ROLE);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        return new Coordination(system);
    }

    /** The address workers join, as Akka writes it. */
    public Address address() {
        return Cluster.get(system).selfMember().address();
    }

    /**
     * Runs one unit of {@code kind} per payload on the workers and returns their results in payload
     * order. Blocks until every unit has a result; waits for workers as long as it takes.
     *
     * @throws IllegalStateException when a unit fails: its index, the worker and the failure's message
     */
    public List<JsonNode> run(String kind, List<JsonNode> payloads, Listener listener) {
        try {
            Coordinator.JobDone done = AskPattern.<Coordinator.Command, Coordinator.JobDone>ask(system,
                    replyTo -> new Coordinator.Submit(kind, payloads, listener, replyTo),
                    Duration.ofDays(200), system.scheduler()).toCompletableFuture().get();
            if (done.failure() != null) {
                throw new IllegalStateException(done.failure());
            }
            return done.results();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** Leaves the cluster: the workers see the coordinator go and end their session. */
    @Override
    public void close() {
        ClusterNode.stop(system, Duration.ofSeconds(10));
    }
}
