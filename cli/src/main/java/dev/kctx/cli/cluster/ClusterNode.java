package dev.kctx.cli.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a node's actor system: the settings under {@code kctx.cluster.node} in reference.conf
 * (cluster provider, Artery TCP, Jackson CBOR, downing) over the JVM's own configuration, so that
 * the other actor systems of the JVM, those that run the machines, stay local and untouched.
 */
public final class ClusterNode {
    /** Every node's actor system has this name: nodes of another name cannot join. */
    public static final String SYSTEM = "kctx-cluster";
    /** The port a node takes when none is given: the coordinator's default; workers take any free port. */
    public static final int DEFAULT_PORT = 25520;

    private ClusterNode() {
    }

    /**
     * The configuration of a node known to others as {@code canonical} and listening on {@code bind}.
     *
     * @param role {@link Worker#COORDINATOR_ROLE} or {@link Worker#WORKER_ROLE}
     */
    public static Config config(HostPort canonical, HostPort bind, String role) {
        Config base = ConfigFactory.load();
        Config overrides = ConfigFactory.parseMap(Map.of(
                "akka.remote.artery.canonical.hostname", canonical.host(),
                "akka.remote.artery.canonical.port", canonical.port(),
                "akka.remote.artery.bind.hostname", bind.host(),
                "akka.remote.artery.bind.port", bind.port() == 0 && canonical.port() != 0 ? canonical.port() : bind.port(),
                "akka.cluster.roles", List.of(role)));
        return overrides.withFallback(base.getConfig("kctx.cluster.node")).withFallback(base);
    }

    /**
     * Starts {@code guardian} in a node's actor system.
     *
     * @throws IllegalStateException with the reason when the node cannot listen (a port taken, an address not local)
     */
    public static <T> ActorSystem<T> start(Behavior<T> guardian, HostPort canonical, HostPort bind, String role) {
        try {
            return ActorSystem.create(guardian, SYSTEM, config(canonical, bind, role));
        } catch (RuntimeException e) {
            Throwable c = e;
            while (c.getCause() != null && c.getCause() != c) {
                c = c.getCause();
            }
            throw new IllegalStateException("cannot listen on " + bind + " (known to others as " + canonical + "): "
                    + c.getMessage(), e);
        }
    }

    /** Leaves the cluster and stops {@code system}, waiting up to {@code limit} for it. */
    static void stop(ActorSystem<?> system, Duration limit) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            // Leaving is a courtesy to the workers: they also notice a coordinator that just goes.
        }
    }
}
