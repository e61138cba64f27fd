package dev.kctx.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Actor-system configuration for a run. Without a thread count a machine runs on one thread of its
 * own ({@code kctx.engine.dispatcher = machine}); with one, on Akka's default dispatcher of that size.
 */
final class Dispatchers {
    private Dispatchers() {
    }

    static Config config(Integer threads) {
        Config base = ConfigFactory.load();
        if (threads == null) {
            return base;
        }
        if (threads < 1 || threads > 256) {
            throw new KctxCommand.UsageError("--threads must be between 1 and 256, not " + threads);
        }
        return ConfigFactory.parseString("kctx.engine.dispatcher = default"
                + "\nakka.actor.default-dispatcher.fork-join-executor.parallelism-min = " + threads
                + "\nakka.actor.default-dispatcher.fork-join-executor.parallelism-max = " + threads).withFallback(base);
    }
}
