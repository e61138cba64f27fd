package dev.kctx.tests.properties;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioLoader;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs generated machines: the scenario text goes through the same loader as {@code kctx run},
 * and the machine runs in an actor system kept per engine configuration (dispatcher threads,
 * inline bursts), so that hundreds of runs do not each start a system of their own.
 */
public final class Sim {
    private Sim() {
    }

    /**
     * An engine configuration: dispatcher threads, whether bursts run inline in the CPU, and whether
     * the machine runs the CPUs itself (only with inline bursts) or they are actors.
     */
    public record Engine(int threads, boolean inlineBursts, boolean inlineCpus) {
        Engine(int threads, boolean inlineBursts) {
            this(threads, inlineBursts, true);
        }

        Config config() {
            return ConfigFactory.parseString("akka.actor.default-dispatcher.fork-join-executor.parallelism-min = "
                    + threads + "\nakka.actor.default-dispatcher.fork-join-executor.parallelism-max = " + threads
                    + "\nakka.actor.default-dispatcher.throughput = " + (threads == 1 ? 100 : 1)
                    + "\nkctx.engine.inline-bursts = " + (inlineBursts ? "on" : "off")
                    + "\nkctx.engine.inline-cpus = " + (inlineCpus ? "on" : "off")
                    + "\nakka.log-dead-letters = off\nakka.log-dead-letters-during-shutdown = off")
                    .withFallback(ConfigFactory.load());
        }

        @Override
        public String toString() {
            return threads + (threads == 1 ? " thread" : " threads") + (inlineBursts ? ", inline bursts" : ", bursts in the context actors")
                    + (inlineBursts && !inlineCpus ? ", CPU actors" : "");
        }
    }

    public static final Engine DEFAULT = new Engine(2, true);

    private static final Map<Engine, ActorTestKit> KITS = new ConcurrentHashMap<>();


    static Scenario load(GenMachine m) {
        return ScenarioLoader.load(m.yaml(), m.name());
    }

    static RunResult run(GenMachine m) {
        return run(m, DEFAULT);
    }

    static RunResult run(GenMachine m, Engine engine) {
        Scenario s = load(m);
        return run(s, engine);
    }

    static RunResult run(Scenario s, Engine engine) {
        return run(s.spec(), s.untilNs(), engine);
    }

    /** A machine built in Java rather than loaded from a scenario file. */
    public static synchronized RunResult run(MachineSpec spec, long untilNs, Engine engine) {
        ActorTestKit kit = KITS.computeIfAbsent(engine,
                e -> ActorTestKit.create("props-" + e.threads() + (e.inlineBursts() ? "-inline" : "-actors")
                        + (e.inlineCpus() ? "" : "-cpus"), e.config()));
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> machine = kit.spawn(Machine.create(spec, true));
        machine.tell(new Machine.Start(untilNs, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(120)).result();
        kit.stop(machine);
        return r;
    }

    /** Stops the actor systems (also done at JVM exit). */
    public static synchronized void shutdown() {
        KITS.values().forEach(ActorTestKit::shutdownTestKit);
        KITS.clear();
    }
}
