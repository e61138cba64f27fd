package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;

/** A kernel thread: process context in the kernel, scheduled like any task, never in user mode. */
public final class KernelThread extends ContextEntity {

    private KernelThread(ActorContext<ContextProtocol.Command> context, ContextCode code) {
        super(context, code);
    }

    static Behavior<ContextProtocol.Command> create(ContextCode code) {
        return Behaviors.setup(ctx -> new KernelThread(ctx, code));
    }
}
