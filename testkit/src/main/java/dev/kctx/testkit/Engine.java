package dev.kctx.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * How the machine runs its contexts. {@link #MESSAGE} (the testkit's default): every CPU and context
 * is an actor of its own with its priority mailbox, and each round and each burst is a message between
 * them. {@link #INLINE}: the machine runs the CPUs and their bursts itself (the command line's default,
 * faster). Both give the same run; the choice is the {@code kctx.engine.inline-cpus} and
 * {@code kctx.engine.inline-bursts} settings of the actor system, so it is made when the
 * {@code ActorTestKit} is created ({@link #testKit()}). The system property {@code kctx.testkit.engine}
 * ({@code message} or {@code inline}) picks the default for a whole test run.
 */
public enum Engine {
    /** Contexts are actors; rounds and bursts are messages through their priority mailboxes. */
    MESSAGE,
    /** The machine runs the CPUs and their bursts inline. */
    INLINE;

    /** The engine {@code -Dkctx.testkit.engine=message|inline} names; {@link #MESSAGE} when unset. */
    public static Engine fromSystemProperty() {
        String v = System.getProperty("kctx.testkit.engine", "message");
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "message" -> MESSAGE;
            case "inline" -> INLINE;
            default -> throw new IllegalArgumentException("kctx.testkit.engine must be message or inline, not '" + v + "'");
        };
    }

    /** The settings that select this engine, to lay over an actor system's configuration. */
    public Config config() {
        return (this == INLINE ? dev.kctx.actors.Engine.INLINE : dev.kctx.actors.Engine.MESSAGE).config(ConfigFactory.empty());
    }

    /** A new ActorTestKit running this engine (shut it down after the tests: {@code testKit.shutdownTestKit()}). */
    public akka.actor.testkit.typed.javadsl.ActorTestKit testKit() {
        return akka.actor.testkit.typed.javadsl.ActorTestKit.create("kctx-" + name().toLowerCase(java.util.Locale.ROOT),
                config().withFallback(ConfigFactory.load()));
    }

    /** The engine an actor system's configuration selects. */
    public static Engine of(Config config) {
        return config.getBoolean("kctx.engine.inline-cpus") && config.getBoolean("kctx.engine.inline-bursts") ? INLINE : MESSAGE;
    }
}
