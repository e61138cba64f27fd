package dev.kctx.cli.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The coordinator's guardian: holds one job's units, leases each to a worker slot that asks for
 * work, and gathers the results by unit index.
 *
 * <p>Work pulling: a worker sends one {@link RequestWork} per free slot and, after each unit, its
 * result, which also asks for the next; the coordinator never pushes more than was asked for.
 * A unit leased to a worker that becomes unreachable (a kill -9, a cut cable) or leaves the cluster
 * goes back to the pending units, lowest index first, and is leased again. The first result for an
 * index counts; a second one (from a worker that came back, or from a stale job) is dropped, so
 * nothing is counted twice. Handlers never block; results are plain values.
 */
public final class Coordinator extends AbstractBehavior<Coordinator.Command> {

    /** What the coordinator hears. */
    public sealed interface Command {
    }

    /** A worker's free slot asks for a unit (worker to coordinator, once per slot when the worker is up). */
    public record RequestWork(ActorRef<Worker.Command> worker) implements Command, ClusterMessage {
    }

    /** Unit {@code index} of job {@code job} is made (worker to coordinator); the slot asks for the next unit. */
    public record UnitDone(long job, int index, JsonNode result, ActorRef<Worker.Command> worker)
            implements Command, ClusterMessage {
    }

    /** Unit {@code index} threw (worker to coordinator): the job fails with {@code message}; the slot asks for more. */
    public record UnitFailed(long job, int index, String message, ActorRef<Worker.Command> worker)
            implements Command, ClusterMessage {
    }

    /** A command's job (local only): run one unit per payload, answer when all are made. */
    public record Submit(String kind, List<JsonNode> payloads, Coordination.Listener listener, ActorRef<JobDone> replyTo)
            implements Command {
        public Submit {
            payloads = List.copyOf(payloads);
        }
    }

    /** A job's end (local reply to {@link Submit}): the results in payload order, or why it failed. */
    public record JobDone(List<JsonNode> results, String failure) {
        public JobDone {
            results = List.copyOf(results);
        }
    }

    /** The cluster's word that a node became unreachable or reachable again (local, adapted). */
    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {
    }

    /** The job in progress. */
    private static final class Job {
        final long id;
        final Submit submit;
        final JsonNode[] results;
        final TreeSet<Integer> pending = new TreeSet<>();
        final Map<Integer, ActorRef<Worker.Command>> leases = new HashMap<>();
        int done;
        int redone;

        Job(long id, Submit submit) {
            this.id = id;
            this.submit = submit;
            this.results = new JsonNode[submit.payloads().size()];
            for (int i = 0; i < results.length; i++) {
                pending.add(i);
            }
        }
    }

    private final int minWorkers;
    /** Every worker that asked for work and has not left; watched. */
    private final Set<ActorRef<Worker.Command>> workers = new LinkedHashSet<>();
    /** Free slots in the order they asked, one entry per slot. */
    private final List<ActorRef<Worker.Command>> idle = new ArrayList<>();
    private final Set<Address> unreachable = new HashSet<>();
    private boolean enoughWorkers;
    private long jobs;
    private Job job;

    /** @param minWorkers workers to wait for before the first unit is handed out */
    public static Behavior<Command> create(int minWorkers) {
        return Behaviors.setup(ctx -> new Coordinator(ctx, minWorkers));
    }

    private Coordinator(ActorContext<Command> ctx, int minWorkers) {
        super(ctx);
        this.minWorkers = Math.max(1, minWorkers);
        Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                ClusterEvent.ReachabilityEvent.class));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(RequestWork.class, this::onRequestWork)
                .onMessage(UnitDone.class, this::onUnitDone)
                .onMessage(UnitFailed.class, this::onUnitFailed)
                .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
                .onSignal(Terminated.class, this::onTerminated)
                .build();
    }

    private Behavior<Command> onSubmit(Submit s) {
        if (job != null) {
            s.replyTo().tell(new JobDone(List.of(), "a job is already running on this coordinator"));
            return this;
        }
        job = new Job(++jobs, s);
        finishIfDone();
        dispatch();
        return this;
    }

    private Behavior<Command> onRequestWork(RequestWork r) {
        free(r.worker());
        return this;
    }

    private Behavior<Command> onUnitDone(UnitDone d) {
        if (job != null && d.job() == job.id && job.results[d.index()] == null) {
            job.results[d.index()] = d.result();
            job.done++;
            job.pending.remove(d.index());
            job.leases.remove(d.index());
            job.submit.listener().progress(job.done);
            finishIfDone();
        }
        free(d.worker());
        return this;
    }

    private Behavior<Command> onUnitFailed(UnitFailed f) {
        if (job != null && f.job() == job.id) {
            Job failed = job;
            job = null;
            failed.submit.replyTo().tell(new JobDone(List.of(), "unit " + f.index() + " failed on "
                    + f.worker().path().address() + ": " + f.message()));
        }
        free(f.worker());
        return this;
    }

    private Behavior<Command> onReachabilityChanged(ReachabilityChanged r) {
        Address node = r.event().member().address();
        if (r.event() instanceof ClusterEvent.UnreachableMember) {
            unreachable.add(node);
            takeBack(w -> w.path().address().equals(node), node);
        } else {
            unreachable.remove(node);
        }
        dispatch();
        return this;
    }

    private Behavior<Command> onTerminated(Terminated t) {
        ActorRef<?> gone = t.getRef();
        workers.remove(gone);
        idle.removeIf(w -> w.equals(gone));
        takeBack(w -> w.equals(gone), gone.path().address());
        dispatch();
        return this;
    }

    /** A slot of {@code worker} is free: remember it (watching a new worker) and hand out what is pending. */
    private void free(ActorRef<Worker.Command> worker) {
        if (workers.add(worker)) {
            getContext().watch(worker);
        }
        idle.add(worker);
        enoughWorkers |= workers.size() >= minWorkers;
        dispatch();
    }

    /** The units leased to the workers {@code lost} names go back to the pending ones. */
    private void takeBack(java.util.function.Predicate<ActorRef<Worker.Command>> lost, Address node) {
        if (job == null) {
            return;
        }
        int n = 0;
        for (Iterator<Map.Entry<Integer, ActorRef<Worker.Command>>> it = job.leases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, ActorRef<Worker.Command>> lease = it.next();
            if (lost.test(lease.getValue())) {
                it.remove();
                job.pending.add(lease.getKey());
                n++;
            }
        }
        if (n > 0) {
            job.redone += n;
            job.submit.listener().takenBack(n, node.toString());
        }
    }

    /** Leases pending units to free slots on reachable workers, lowest index first, slots in the order they asked. */
    private void dispatch() {
        if (job == null || !enoughWorkers) {
            return;
        }
        for (Iterator<ActorRef<Worker.Command>> it = idle.iterator(); it.hasNext() && !job.pending.isEmpty(); ) {
            ActorRef<Worker.Command> w = it.next();
            if (unreachable.contains(w.path().address())) {
                continue;
            }
            it.remove();
            int i = job.pending.pollFirst();
            job.leases.put(i, w);
            w.tell(new Worker.Work(job.id, i, job.submit.kind(), job.submit.payloads().get(i), getContext().getSelf()));
        }
    }

    private void finishIfDone() {
        if (job != null && job.done == job.results.length) {
            Job finished = job;
            job = null;
            finished.submit.listener().finished(finished.results.length, finished.redone);
            finished.submit.replyTo().tell(new JobDone(List.of(finished.results), null));
        }
    }
}
