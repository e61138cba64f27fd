package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;

/** An interrupt line's handler: each arrival runs the handler program from its start, in hard IRQ context. */
public final class HardIrq extends ContextEntity {

    private HardIrq(ActorContext<ContextProtocol.Command> context, ContextCode code) {
        super(context, code);
    }

    static Behavior<ContextProtocol.Command> create(ContextCode code) {
        return Behaviors.setup(ctx -> new HardIrq(ctx, code));
    }
}
