package dev.kctx.cli.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;

/**
 * A {@link WorkKind} whose units run machines: one actor system for all of them, made at the first
 * unit (starting one per run would cost more than most runs) and ended with the worker.
 */
public abstract class MachineWorkKind implements WorkKind {
    private final String systemName;
    private final Config engineConfig;
    private ActorSystem<Void> engine;

    /**
     * @param systemName   the actor system's name
     * @param engineConfig the configuration of the actor system the worker's machines run in
     */
    protected MachineWorkKind(String systemName, Config engineConfig) {
        this.systemName = systemName;
        this.engineConfig = engineConfig;
    }

    /** The actor system the units' machines run in. */
    protected final synchronized ActorSystem<Void> engine() {
        if (engine == null) {
            engine = ActorSystem.create(Behaviors.empty(), systemName, engineConfig);
        }
        return engine;
    }

    @Override
    public final synchronized void close() {
        if (engine != null) {
            engine.terminate();
            engine = null;
        }
    }
}
