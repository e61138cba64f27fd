package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractOnMessageBehavior;
import akka.actor.typed.javadsl.ActorContext;
import dev.kctx.actors.program.Outcome;

/**
 * What the four context entities share: on {@link ContextProtocol.Run} they run one burst of
 * their code with the CPU's lent kernel API and answer with its outcome. Handlers never block,
 * sleep, start threads or read the wall clock.
 *
 * <p>It receives through one {@code onMessage} rather than a {@code ReceiveBuilder} table (STYLE.md
 * rule 6): on the message path every burst passes here, and the table's per-message class tests
 * showed in a JFR profile (docs/performance-notes.md, section 8).
 */
abstract class ContextEntity extends AbstractOnMessageBehavior<ContextProtocol.Command> {
    private final ContextCode code;

    ContextEntity(ActorContext<ContextProtocol.Command> context, ContextCode code) {
        super(context);
        this.code = code;
    }

    /** {@link ContextProtocol.Run} is the only command (the sealed protocol permits nothing else). */
    @Override
    public Behavior<ContextProtocol.Command> onMessage(ContextProtocol.Command command) {
        ContextProtocol.Run run = (ContextProtocol.Run) command;
        Outcome outcome = code.burst(run.exec(), run.fresh(), run.vector(), run.inject());
        run.replyTo().tell(new Cpu.Ran(run.runId(), run.level(), outcome));
        return this;
    }
}
