package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.ProgramRunner;
import dev.kctx.actors.program.SoftirqVector;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/** The soft IRQ handlers of one CPU, one program per vector; each vector run starts its program anew. */
public final class SoftIrq extends ContextEntity {
    private final Map<SoftirqVector, ProgramRunner> runners = new EnumMap<>(SoftirqVector.class);

    private SoftIrq(ActorContext<ContextProtocol.Command> context, String name, Map<SoftirqVector, Program> handlers,
                    SplittableRandom random) {
        super(context, name, random);
        handlers.forEach((v, p) -> runners.put(v, new ProgramRunner(p)));
    }

    public static Behavior<ContextProtocol.Command> create(String name, Map<SoftirqVector, Program> handlers,
                                                          SplittableRandom random) {
        return Behaviors.setup(ctx -> new SoftIrq(ctx, name, handlers, random));
    }

    @Override
    ProgramRunner runnerFor(ContextProtocol.Run run) {
        ProgramRunner r = runners.get(run.vector());
        if (r == null) {
            throw new IllegalStateException("no handler for soft IRQ " + run.vector());
        }
        return r;
    }
}
