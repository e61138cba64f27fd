package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.ProgramRunner;

import java.util.SplittableRandom;

/** An interrupt line's handler: each arrival runs the handler program from its start, in hard IRQ context. */
public final class HardIrq extends ContextEntity {
    private final ProgramRunner runner;

    private HardIrq(ActorContext<ContextProtocol.Command> context, String name, Program handler, SplittableRandom random) {
        super(context, name, random);
        this.runner = new ProgramRunner(handler);
    }

    public static Behavior<ContextProtocol.Command> create(String name, Program handler, SplittableRandom random) {
        return Behaviors.setup(ctx -> new HardIrq(ctx, name, handler, random));
    }

    @Override
    ProgramRunner runnerFor(ContextProtocol.Run run) {
        return runner;
    }
}
