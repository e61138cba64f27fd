package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Receive;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.ProgramRunner;

import java.util.SplittableRandom;

/**
 * What the four context entities share: on {@link ContextProtocol.Run} they run one burst of
 * their program with the CPU's lent kernel API and answer with its outcome. Handlers never block,
 * sleep, start threads or read the wall clock; an exception in an operation becomes a failed
 * outcome that ends the run with its message, never a stuck round.
 */
abstract class ContextEntity extends AbstractBehavior<ContextProtocol.Command> {
    private final String name;
    private final SplittableRandom random;

    ContextEntity(ActorContext<ContextProtocol.Command> context, String name, SplittableRandom random) {
        super(context);
        this.name = name;
        this.random = random;
    }

    /** The runner for this run; a fresh run restarts it. */
    abstract ProgramRunner runnerFor(ContextProtocol.Run run);

    @Override
    public Receive<ContextProtocol.Command> createReceive() {
        return newReceiveBuilder().onMessage(ContextProtocol.Run.class, this::onRun).build();
    }

    private Behavior<ContextProtocol.Command> onRun(ContextProtocol.Run run) {
        Outcome outcome;
        try {
            ProgramRunner runner = runnerFor(run);
            if (run.fresh()) {
                runner.restart();
            }
            if (!run.inject().isEmpty()) {
                runner.inject(run.inject());
            }
            run.exec().bindRandom(random);
            outcome = runner.burst(run.exec());
        } catch (RuntimeException e) {
            getContext().getLog().debug("operation failed in {}", name, e);
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            outcome = new Outcome.Failed(name + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + (at == null ? "" : " (at " + at + ")"));
        }
        run.replyTo().tell(new Cpu.Ran(run.runId(), run.level(), outcome));
        return this;
    }
}
