package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.ProgramRunner;

import java.util.SplittableRandom;

/** A user process: computes in user mode and enters the kernel through system calls. */
public final class UserProcess extends ContextEntity {
    private final ProgramRunner runner;

    private UserProcess(ActorContext<ContextProtocol.Command> context, String name, Program body, SplittableRandom random) {
        super(context, name, random);
        this.runner = new ProgramRunner(body);
    }

    public static Behavior<ContextProtocol.Command> create(String name, Program body, SplittableRandom random) {
        return Behaviors.setup(ctx -> new UserProcess(ctx, name, body, random));
    }

    @Override
    ProgramRunner runnerFor(ContextProtocol.Run run) {
        return runner;
    }
}
