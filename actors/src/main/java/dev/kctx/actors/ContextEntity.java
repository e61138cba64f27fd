package dev.kctx.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Receive;
import dev.kctx.actors.program.Outcome;

/**
 * What the four context entities share: on {@link ContextProtocol.Run} they run one burst of
 * their code with the CPU's lent kernel API and answer with its outcome. Handlers never block,
 * sleep, start threads or read the wall clock.
 */
abstract class ContextEntity extends AbstractBehavior<ContextProtocol.Command> {
    private final ContextCode code;

    ContextEntity(ActorContext<ContextProtocol.Command> context, ContextCode code) {
        super(context);
        this.code = code;
    }

    @Override
    public Receive<ContextProtocol.Command> createReceive() {
        return newReceiveBuilder().onMessage(ContextProtocol.Run.class, this::onRun).build();
    }

    private Behavior<ContextProtocol.Command> onRun(ContextProtocol.Run run) {
        Outcome outcome = code.burst(run.exec(), run.fresh(), run.vector(), run.inject());
        run.replyTo().tell(new Cpu.Ran(run.runId(), run.level(), outcome));
        return this;
    }
}
