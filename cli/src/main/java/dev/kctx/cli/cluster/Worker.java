package dev.kctx.cli.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A worker node's guardian: once it and the coordinator are up, asks the coordinator for one unit
 * per slot, runs each unit it is given on the worker's threads (a unit's {@link WorkKind#run} may
 * take long, so never on the actor's own thread), and answers with the result, which asks for the
 * next unit. When the coordinator leaves the cluster the worker stops, and with it its actor system.
 * Handlers never block.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {

    /** What a worker hears. */
    public sealed interface Command {
    }

    /** A unit to make (coordinator to worker, answering a free slot's request). */
    public record Work(long job, int index, String kind, JsonNode payload, ActorRef<Coordinator.Command> coordinator)
            implements Command, ClusterMessage {
    }

    /** A member came up: perhaps this node, perhaps the coordinator (local, adapted). */
    private record MemberUp(ClusterEvent.MemberUp event) implements Command {
    }

    /** A unit's result or failure came back from the worker's threads (local). */
    private record Made(Work work, JsonNode result, Throwable failure) implements Command {
    }

    /** The role the coordinator's node has; workers find it by this. */
    public static final String COORDINATOR_ROLE = "coordinator";
    /** The role of a worker's node. */
    public static final String WORKER_ROLE = "worker";

    private final Map<String, WorkKind> kinds;
    private final int slots;
    private final Executor threads;
    private final Consumer<String> log;
    private boolean holdFirst;
    private boolean selfUp;
    private akka.actor.Address coordinatorAddress;
    private ActorRef<Coordinator.Command> coordinator;

    /**
     * @param kinds    the kinds of unit this worker makes, by name
     * @param slots    units made at once (each slot asks for its own)
     * @param threads  where units run: at least {@code slots} threads
     * @param log      hears one line per event worth telling the user (joined, unit started, coordinator gone)
     * @param holdFirst keep the first unit given without ever answering: for tests of a worker lost mid-unit
     */
    public static Behavior<Command> create(Map<String, WorkKind> kinds, int slots, Executor threads, Consumer<String> log,
                                           boolean holdFirst) {
        return Behaviors.setup(ctx -> new Worker(ctx, Map.copyOf(kinds), slots, threads, log, holdFirst));
    }

    private Worker(ActorContext<Command> ctx, Map<String, WorkKind> kinds, int slots, Executor threads, Consumer<String> log,
                   boolean holdFirst) {
        super(ctx);
        this.kinds = kinds;
        this.slots = slots;
        this.threads = threads;
        this.log = log;
        this.holdFirst = holdFirst;
        Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberUp.class, MemberUp::new), ClusterEvent.MemberUp.class));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(MemberUp.class, this::onMemberUp)
                .onMessage(Work.class, this::onWork)
                .onMessage(Made.class, this::onMade)
                .onSignal(Terminated.class, this::onTerminated)
                .build();
    }

    /**
     * Starts asking once this node is up and a coordinator is up, as the events tell (the cluster's
     * own view of the members may lag behind them): the coordinator's guardian is its {@code /user}.
     */
    private Behavior<Command> onMemberUp(MemberUp up) {
        Member m = up.event().member();
        selfUp |= m.address().equals(Cluster.get(getContext().getSystem()).selfMember().address());
        if (m.hasRole(COORDINATOR_ROLE) && coordinatorAddress == null) {
            coordinatorAddress = m.address();
        }
        if (coordinator != null || !selfUp || coordinatorAddress == null) {
            return this;
        }
        coordinator = ActorRefResolver.get(getContext().getSystem()).resolveActorRef(coordinatorAddress + "/user");
        getContext().watch(coordinator);
        log.accept("joined the coordinator at " + coordinatorAddress + " with " + slots + " slot" + (slots == 1 ? "" : "s"));
        for (int i = 0; i < slots; i++) {
            coordinator.tell(new Coordinator.RequestWork(getContext().getSelf()));
        }
        return this;
    }

    private Behavior<Command> onWork(Work w) {
        if (holdFirst) {
            holdFirst = false;
            log.accept("holding unit " + w.index() + " without answering (test hook)");
            return this;
        }
        WorkKind kind = kinds.get(w.kind());
        if (kind == null) {
            getContext().getSelf().tell(new Made(w, null, new IllegalArgumentException("this worker makes no '" + w.kind()
                    + "' units; it makes " + kinds.keySet() + " (a worker of another kctx version?)")));
            return this;
        }
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> kind.run(w.payload()), threads),
                (result, failure) -> new Made(w, result, failure));
        return this;
    }

    private Behavior<Command> onMade(Made m) {
        ActorRef<Coordinator.Command> to = m.work().coordinator();
        if (m.failure() == null) {
            to.tell(new Coordinator.UnitDone(m.work().job(), m.work().index(), m.result(), getContext().getSelf()));
        } else {
            Throwable cause = m.failure() instanceof java.util.concurrent.CompletionException && m.failure().getCause() != null
                    ? m.failure().getCause() : m.failure();
            to.tell(new Coordinator.UnitFailed(m.work().job(), m.work().index(), String.valueOf(cause.getMessage()),
                    getContext().getSelf()));
        }
        return this;
    }

    private Behavior<Command> onTerminated(Terminated t) {
        log.accept("the coordinator at " + t.getRef().path().address() + " is gone");
        return Behaviors.stopped();
    }
}
