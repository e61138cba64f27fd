package dev.kctx.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The actor systems {@link Simulation} runs its machines in, kept between runs. Starting and
 * stopping an actor system costs 40-60 ms of wall time (serializers, the logger's start-up
 * hand-shake, the scheduler's last tick, thread start-ups: docs/performance-notes.md, section 11),
 * more than many runs take; a run in a kept system pays only for spawning its machine.
 *
 * <p>A system is kept for the next run with an equal configuration only when its run ended with
 * the machine's answer; the run's machine is then stopped (with all its actors) and the system goes
 * back here. A run that failed, timed out or was interrupted terminates its system, as before.
 * At most {@link #MAX_IDLE} systems wait at a time (more are terminated), and their threads are
 * daemon threads ({@code akka.daemonic = on}), so a kept system never holds the JVM open.
 * Machines never share state through their system: each run is a machine of its own, as in an
 * experiment's sweep, where many machines share one system at once.
 */
final class MachineHosts {
    /** Kept systems at most: one per core of a small machine; runs from more threads start systems of their own. */
    static final int MAX_IDLE = 2;

    private static final ArrayDeque<Host> IDLE = new ArrayDeque<>();
    private static final AtomicLong STARTED = new AtomicLong();

    private MachineHosts() {
    }

    /** One actor system and the configuration it was made with. */
    record Host(Config config, ActorSystem<Command> system) {
        /** Spawns a machine under the host's guardian; {@code stopped} completes when it stops. */
        void spawn(MachineSpec spec, boolean trace, CompletableFuture<ActorRef<Machine.Command>> spawned,
                   CompletableFuture<Void> stopped) {
            system.tell(new Spawn(spec, trace, Machine.props(config), spawned, stopped));
        }

        /** The system stopped as a whole (a fatal error, or someone terminated it). */
        CompletableFuture<?> terminated() {
            return system.getWhenTerminated().toCompletableFuture();
        }
    }

    /** A kept system made with a configuration equal to {@code config}, or a new one. */
    static Host take(Config config) {
        synchronized (IDLE) {
            for (Iterator<Host> it = IDLE.iterator(); it.hasNext(); ) {
                Host h = it.next();
                if (h.config == config || h.config.equals(config)) {
                    it.remove();
                    if (!h.terminated().isDone()) {
                        return h;
                    }
                }
            }
        }
        Config daemonic = ConfigFactory.parseString("akka.daemonic = on").withFallback(config);
        STARTED.incrementAndGet();
        return new Host(config, ActorSystem.create(Guardian.create(), "kctx", daemonic));
    }

    /**
     * The run of {@code machine} in {@code h} ended with its answer: stop the machine and keep the
     * system for the next run (or terminate the oldest kept one if too many wait).
     */
    static void giveBack(Host h, ActorRef<Machine.Command> machine) {
        h.system.tell(new Release(machine));
        Host evicted = null;
        synchronized (IDLE) {
            IDLE.addFirst(h);
            if (IDLE.size() > MAX_IDLE) {
                evicted = IDLE.removeLast();
            }
        }
        if (evicted != null) {
            evicted.system.terminate();
        }
    }

    /** The run in {@code h} did not end well: terminate its system and wait (briefly) for it to go. */
    static void retire(Host h) {
        h.system.terminate();
        try {
            h.terminated().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the caller's outcome is already decided; a slow shutdown changes nothing
        }
    }

    /** The systems kept now, the most recently used first (for tests). */
    static List<ActorSystem<?>> idle() {
        synchronized (IDLE) {
            return IDLE.stream().<ActorSystem<?>>map(Host::system).toList();
        }
    }

    /** Actor systems started here so far (for tests). */
    static long started() {
        return STARTED.get();
    }

    sealed interface Command {
    }

    /** From {@link Simulation}: spawn a machine, say where it is, and say when it stops. */
    record Spawn(MachineSpec spec, boolean trace, Props props, CompletableFuture<ActorRef<Machine.Command>> spawned,
                 CompletableFuture<Void> stopped) implements Command {
    }

    /** From {@link Simulation}: the machine's run is over; stop it. */
    record Release(ActorRef<Machine.Command> machine) implements Command {
    }

    /**
     * A kept system's guardian: it spawns each run's machine (on the dispatcher {@link
     * Machine#props} chooses) and watches it. The machine is its child rather than the guardian
     * itself because Akka wraps a guardian's behaviour in an interceptor that every message then
     * passes through, and on the message path the machine takes one message per CPU and round
     * (docs/performance-notes.md, section 8). Its handlers never block.
     */
    static final class Guardian extends AbstractBehavior<Command> {
        private final Map<ActorRef<?>, CompletableFuture<Void>> running = new HashMap<>();
        private long next;

        static Behavior<Command> create() {
            return Behaviors.setup(Guardian::new);
        }

        private Guardian(ActorContext<Command> ctx) {
            super(ctx);
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Spawn.class, this::onSpawn)
                    .onMessage(Release.class, this::onRelease)
                    .onSignal(Terminated.class, this::onTerminated)
                    .build();
        }

        private Behavior<Command> onSpawn(Spawn s) {
            ActorRef<Machine.Command> m = getContext().spawn(Machine.create(s.spec(), s.trace()), "machine-" + next++, s.props());
            getContext().watch(m);
            running.put(m, s.stopped());
            s.spawned().complete(m);
            return this;
        }

        private Behavior<Command> onRelease(Release r) {
            if (running.containsKey(r.machine())) {
                getContext().stop(r.machine());
            }
            return this;
        }

        private Behavior<Command> onTerminated(Terminated t) {
            CompletableFuture<Void> stopped = running.remove(t.getRef());
            if (stopped != null) {
                stopped.complete(null);
            }
            return this;
        }
    }
}
