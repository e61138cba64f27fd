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

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "The engine path: inline (the machine runs its CPUs and bursts itself; the fastest) or message"
                    + " (every CPU and context entity an actor with its priority mailbox, each event, burst and answer a"
                    + " message, on one thread of the machine's own). Both give the same run (default: inline, or what"
                    + " -Dkctx.engine.inline-cpus and -Dkctx.engine.inline-bursts set).")
    Choice engine;

    /** The actor-system configuration for this engine, with {@code threads} as {@link Dispatchers#config} takes it. */
    Config config(Integer threads) {
        Config base = Dispatchers.config(threads);
        return engine == null ? base : (engine == Choice.message ? Engine.MESSAGE : Engine.INLINE).config(base);
    }

    /** What {@code config} runs: inline, message, or the two settings when they are mixed. */
    static String label(Config config) {
        boolean cpus = config.getBoolean("kctx.engine.inline-cpus");
        boolean bursts = config.getBoolean("kctx.engine.inline-bursts");
        if (cpus == bursts) {
            return (cpus ? Engine.INLINE : Engine.MESSAGE).label();
        }
        return "inline-cpus " + (cpus ? "on" : "off") + ", inline-bursts " + (bursts ? "on" : "off");
    }
}
