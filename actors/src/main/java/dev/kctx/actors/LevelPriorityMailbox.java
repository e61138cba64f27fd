package dev.kctx.actors;

import akka.actor.ActorSystem;
import akka.dispatch.PriorityGenerator;
import akka.dispatch.UnboundedStablePriorityMailbox;
import com.typesafe.config.Config;

/**
 * The mailbox of every context entity and CPU: messages of a higher context level are processed
 * first, and messages of one level in the order they came. Control messages without a level
 * (round ends, results) come after all levelled ones.
 */
public final class LevelPriorityMailbox extends UnboundedStablePriorityMailbox {
    /** Priority of messages without a level: after USER. */
    public static final int CONTROL_PRIORITY = 4;

    public LevelPriorityMailbox(ActorSystem.Settings settings, Config config) {
        super(new PriorityGenerator() {
            @Override
            public int gen(Object message) {
                return priorityOf(message);
            }
        });
    }

    public static int priorityOf(Object message) {
        return message instanceof Leveled l ? l.level().mailboxPriority() : CONTROL_PRIORITY;
    }
}
