package dev.kctx.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.Locale;

/**
 * The two ways the engine runs a machine; both give the same run, byte for byte (a test compares
 * them on the standard workload and on a busy workload with locks).
 */
public enum Engine {
    /**
     * The machine runs its CPUs and their bursts itself, as plain objects ({@code kctx.engine.inline-cpus}
     * and {@code inline-bursts} on): the fastest, and the default.
     */
    INLINE,
    /**
     * Every CPU and context entity is an actor with its priority mailbox, and every event, burst
     * and answer a message ({@code inline-cpus} and {@code inline-bursts} off): the path probes sit on.
     */
    MESSAGE;

    /** {@code base} with this engine's settings over it. */
    public Config config(Config base) {
        String on = this == INLINE ? "on" : "off";
        return ConfigFactory.parseString("kctx.engine.inline-cpus = " + on + "\nkctx.engine.inline-bursts = " + on)
                .withFallback(base);
    }

    /** The name the command line uses: {@code inline} or {@code message}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
