package dev.kctx.cli;

import com.typesafe.config.Config;
import dev.kctx.actors.Engine;
import picocli.CommandLine.Option;

/**
 * {@code --engine inline|message}, shared by the commands that run a machine: which of the two
 * engine paths runs it ({@link Engine}). Both give the same run; the message path is the one
 * where every CPU and context entity is an actor, slower, for comparison and for what the
 * testkit's probes see.
 */
final class EngineOptions {
    /** The values as the command line spells them. */
    enum Choice { inline, message }

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "inline",
            description = "The engine path: inline (the machine runs its CPUs and bursts itself; the fastest) or message"
                    + " (every CPU and context entity an actor with its priority mailbox, each event, burst and answer a"
                    + " message, on one thread of the machine's own). Both give the same run (default: ${DEFAULT-VALUE}).")
    Choice engine;

    Engine engine() {
        return engine == Choice.message ? Engine.MESSAGE : Engine.INLINE;
    }

    /** The actor-system configuration for this engine, with {@code threads} as {@link Dispatchers#config} takes it. */
    Config config(Integer threads) {
        return engine().config(Dispatchers.config(threads));
    }
}
