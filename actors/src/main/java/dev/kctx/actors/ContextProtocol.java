package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import dev.kctx.actors.program.ProgramRunner;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;

/** The protocol between a CPU and the context entities whose programs it runs. */
public final class ContextProtocol {
    private ContextProtocol() {
    }

    /** What a context entity accepts. */
    public sealed interface Command extends Leveled permits Run {
    }

    /**
     * Cpu to entity, at the context's level: run your program from where it stopped until an
     * operation takes time, waits or ends, using {@code exec}, then answer {@link Cpu.Ran}.
     * {@code fresh} starts a new invocation (a new interrupt, a new soft IRQ vector run);
     * {@code vector} says which soft IRQ handler runs; {@code inject}, when not empty, runs first
     * (return-to-user work such as a signal handler).
     */
    public record Run(long runId, ContextLevel level, boolean fresh, SoftirqVector vector,
                      ProgramRunner.BurstExec exec, ActorRef<Cpu.Command> replyTo,
                      java.util.List<dev.kctx.actors.program.Op> inject) implements Command {
    }
}
