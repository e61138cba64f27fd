package dev.kctx.testkit;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import dev.kctx.actors.ContextProtocol;
import dev.kctx.actors.Cpu;
import dev.kctx.actors.SpawnHook;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The testkit's {@link SpawnHook}: every CPU and context actor of a machine is spawned inside an
 * interceptor that, before the actor's own handler, hands each message it processes to the
 * monitors bound to it, as a {@link Crossing}. The interceptor only reads the message; it neither
 * changes, delays nor drops it, so the run is the same with or without monitors.
 *
 * <p>Monitors are bound by the test thread while the machine is paused (no actor is processing);
 * the interceptors run on the actors' threads. The machine runs one CPU of a round at a time, and a
 * CPU waits for each burst's answer, so the actors process messages one after another and a
 * monitor's probe receives them in a deterministic order (only the CPUs' {@code finish} messages at
 * the end of the run may interleave across CPUs).
 */
final class MessagePath implements SpawnHook {
    /** The sender of the calendar's events and the round's end. */
    static final String MACHINE = "machine";

    private record Binding(Set<String> actors, Predicate<Crossing> filter, ActorRef<Crossing> to) {
    }

    private record Burst(String cpu, long runId) {
    }

    private record Started(String entity, long timeNs) {
    }

    /** Spawn names, in spawn order. */
    private final List<String> names = new CopyOnWriteArrayList<>();
    private final List<Binding> bindings = new CopyOnWriteArrayList<>();
    /** Bursts under way: who runs them and since when, for the {@code ran} answer, which carries neither. */
    private final Map<Burst, Started> bursts = new ConcurrentHashMap<>();
    private final boolean cpuMessages;
    private final boolean burstMessages;

    MessagePath(Config config) {
        this.cpuMessages = !config.getBoolean("kctx.engine.inline-cpus") || !config.getBoolean("kctx.engine.inline-bursts");
        this.burstMessages = !config.getBoolean("kctx.engine.inline-bursts");
    }

    @Override
    public <T> Behavior<T> wrap(String name, Class<T> type, Behavior<T> behavior) {
        names.add(name);
        return Behaviors.intercept(() -> new Interceptor<>(type, name), behavior);
    }

    /** The actors spawned so far, in spawn order. */
    List<String> names() {
        return List.copyOf(names);
    }

    /** Binds {@code to} to every message the named actors process from now on that {@code filter} accepts. */
    void bind(Set<String> actors, Predicate<Crossing> filter, ActorRef<Crossing> to) {
        if (!cpuMessages) {
            throw new IllegalStateException("cannot monitor " + actors + ": this machine runs on the inline engine, where the machine"
                    + " runs its CPUs and their bursts as method calls and no message crosses; start it under Engine.MESSAGE.testKit()");
        }
        for (String a : actors) {
            if (!names.contains(a)) {
                throw new IllegalArgumentException("the machine has no actor '" + a + "'; its actors are " + names);
            }
            if (!a.startsWith("cpu-") && !burstMessages) {
                throw new IllegalStateException("cannot monitor '" + a + "': kctx.engine.inline-bursts is on, so the CPUs run the"
                        + " bursts as method calls and no message reaches it; start the machine under Engine.MESSAGE.testKit()");
            }
        }
        bindings.add(new Binding(Set.copyOf(actors), filter, to));
    }

    private void processed(String name, Object message) {
        if (message instanceof ContextProtocol.Run r) {
            long t = r.exec().now();
            String cpu = r.replyTo().path().name();
            bursts.put(new Burst(cpu, r.runId()), new Started(name, t));
            hand(name, () -> new Crossing(t, cpu, name, "run", r.level(),
                    (r.fresh() ? "fresh" : "resume") + (r.vector() == null ? "" : " " + r.vector().name())));
        } else if (message instanceof Cpu.Ran r) {
            Started s = bursts.remove(new Burst(name, r.runId()));
            hand(name, () -> new Crossing(s == null ? -1 : s.timeNs(), s == null ? "?" : s.entity(), name, "ran", r.level(), ""));
        } else if (message instanceof Cpu.Event e) {
            hand(name, () -> new Crossing(e.time(), MACHINE, name, kebab(e.getClass().getSimpleName()), e.level(), ""));
        } else if (message instanceof Cpu.LastEvent l) {
            // One message since docs/performance-notes.md section 8; shown as the two it carries.
            Cpu.Event e = l.event();
            hand(name, () -> new Crossing(e.time(), MACHINE, name, kebab(e.getClass().getSimpleName()), e.level(), ""));
            hand(name, () -> new Crossing(e.time(), MACHINE, name, "round-end", null, ""));
        } else if (message instanceof Cpu.Finish f) {
            hand(name, () -> new Crossing(f.endTime(), MACHINE, name, "finish", null, ""));
        }
    }

    private void hand(String name, java.util.function.Supplier<Crossing> crossing) {
        Crossing c = null;
        for (Binding b : bindings) {
            if (b.actors().contains(name)) {
                if (c == null) {
                    c = crossing.get();
                }
                if (b.filter().test(c)) {
                    b.to().tell(c);
                }
            }
        }
    }

    /** {@code IrqArrive} to {@code irq-arrive}. */
    static String kebab(String simpleName) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < simpleName.length(); i++) {
            char ch = simpleName.charAt(i);
            if (Character.isUpperCase(ch) && i > 0) {
                b.append('-');
            }
            b.append(Character.toLowerCase(ch));
        }
        return b.toString();
    }

    /** Sees each message before the actor's handler does; changes nothing. */
    private final class Interceptor<T> extends BehaviorInterceptor<T, T> {
        private final String name;

        Interceptor(Class<T> type, String name) {
            super(type);
            this.name = name;
        }

        @Override
        public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
            processed(name, msg);
            return target.apply(ctx, msg);
        }
    }
}
