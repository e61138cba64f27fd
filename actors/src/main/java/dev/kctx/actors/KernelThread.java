package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.ProgramRunner;

import java.util.SplittableRandom;

/** A kernel thread: process context in the kernel, scheduled like any task, never in user mode. */
public final class KernelThread extends ContextEntity {
    private final ProgramRunner runner;

    private KernelThread(ActorContext<ContextProtocol.Command> context, String name, Program body, SplittableRandom random) {
        super(context, name, random);
        this.runner = new ProgramRunner(body);
    }

    public static Behavior<ContextProtocol.Command> create(String name, Program body, SplittableRandom random) {
        return Behaviors.setup(ctx -> new KernelThread(ctx, name, body, random));
    }

    @Override
    ProgramRunner runnerFor(ContextProtocol.Run run) {
        return runner;
    }
}
