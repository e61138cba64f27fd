package dev.kctx.bench;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.bench.StandardWorkload;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baseline does the engine's work for the standard workload: the same events, messages and instants. */
class BaselineTest {

    static Stream<Params> workloads() {
        Params std = Params.standard();
        return Stream.of(std, std.withCpus(1), std.withCpus(2), std.withCpus(16),
                new Params(3, 5, 2, us(37), ms(1), 1), new Params(2, 4, 0, us(20), ms(4), 1));
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("the baseline takes the same calendar entries, at the same instants, and moves the same messages as the engine")
    @MethodSource("workloads")
    void sameEventsAsTheEngine(Params p) {
        long until = ms(60) + us(7);
        AtomicReference<Netlink> nl = new AtomicReference<>();
        RunResult engine = Simulation.run(StandardWorkload.spec(p, nl::set), until, false, ConfigFactory.load());
        Baseline.Result base = Baseline.run(p, until);
        MechanismSnapshot s = nl.get().netlinkSnapshot();
        assertTrue(engine.events() > 1000, "the run did something: " + engine.events() + " events");
        assertEquals(engine.events(), base.events(), "calendar entries taken");
        assertEquals(engine.rounds(), base.rounds(), "instants");
        assertEquals(s.sent(), base.sent(), "netlink messages sent: " + s.line());
        assertEquals(s.delivered(), base.delivered(), "netlink messages read: " + s.line());
    }
}
