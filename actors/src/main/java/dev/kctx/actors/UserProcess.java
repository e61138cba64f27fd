package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;

/** A user process: computes in user mode and enters the kernel through system calls. */
public final class UserProcess extends ContextEntity {

    private UserProcess(ActorContext<ContextProtocol.Command> context, ContextCode code) {
        super(context, code);
    }

    static Behavior<ContextProtocol.Command> create(ContextCode code) {
        return Behaviors.setup(ctx -> new UserProcess(ctx, code));
    }
}
