package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;

/** The soft IRQ handlers of one CPU, one program per vector; each vector run starts its program anew. */
public final class SoftIrq extends ContextEntity {

    private SoftIrq(ActorContext<ContextProtocol.Command> context, ContextCode code) {
        super(context, code);
    }

    static Behavior<ContextProtocol.Command> create(ContextCode code) {
        return Behaviors.setup(ctx -> new SoftIrq(ctx, code));
    }
}
