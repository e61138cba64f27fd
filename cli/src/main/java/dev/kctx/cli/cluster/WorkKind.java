package dev.kctx.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One kind of unit the cluster can run, known by name on the coordinator and on every worker.
 *
 * <p>Wiring a command onto the cluster takes three steps:
 * <ol>
 *   <li>implement this interface: {@link #run} turns one unit's payload into its result, both plain
 *       values in a {@link JsonNode} (objects, arrays, strings, numbers, booleans; doubles travel
 *       as IEEE doubles, NaN included);</li>
 *   <li>add an instance to the kinds {@code kctx worker} offers ({@code WorkerCommand.kinds});</li>
 *   <li>on the coordinator, build the payloads, one per unit, and call
 *       {@link Coordination#run(String, java.util.List, Coordination.Listener)} with this kind's
 *       {@link #name()}: it returns the results in payload order, whichever worker made which.</li>
 * </ol>
 *
 * <p>The contract: a unit depends on its payload alone (the same payload gives the same result on
 * every worker, at any time), so that a unit made twice, after a worker was lost, gives the same
 * result twice and the coordinator may keep either. Units are independent; their order of
 * execution is not defined.
 */
public interface WorkKind extends AutoCloseable {
    /** The name the coordinator's units carry, e.g. {@code "sweep"}. */
    String name();

    /**
     * Makes one unit's result. Called on a worker thread (never an actor's), and may take long;
     * a thrown exception fails the whole job on the coordinator with its message.
     */
    JsonNode run(JsonNode payload);

    /** Frees what the kind keeps between units (an actor system, say) when the worker stops. */
    @Override
    default void close() {
    }
}
