package dev.kctx.mechanisms.bench;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.Engine;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static dev.kctx.contexts.Durations.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardWorkloadTest {

    @Test
    @DisplayName("the standard workload delivers one netlink message per NIC interrupt, drops none and reports nothing")
    void deliversEveryPacket() {
        AtomicReference<Netlink> nl = new AtomicReference<>();
        StandardWorkload.Params p = StandardWorkload.Params.standard();
        // Half a period past the last interrupt: its soft IRQ has sent by then.
        long until = ms(20) + p.irqPeriodNs() / 2;
        RunResult r = Simulation.run(StandardWorkload.spec(p, nl::set), until, false,
                ConfigFactory.load());
        assertEquals(Optional.empty(), r.failure(), "the run completes");
        assertEquals(List.of(), r.reports(), "non-blocking GFP_ATOMIC sends from soft IRQ: nothing to report");
        MechanismSnapshot s = nl.get().netlinkSnapshot();
        long irqs = until / p.irqPeriodNs();
        assertEquals(irqs, s.sent(), "one message per interrupt: " + s.line());
        assertEquals(0, s.droppedTotal(), "nothing dropped: " + s.line());
        assertTrue(s.delivered() > irqs / 2, "consumers read most messages: " + s.line());
    }

    /** Everything a run shows: the trace, the reports, the counters and each CPU's statistics. */
    private static String fingerprint(RunResult r) {
        StringBuilder sb = new StringBuilder(r.traceText());
        r.reports().forEach(x -> sb.append(x.kernelText()));
        sb.append(r.events()).append(' ').append(r.rounds()).append(' ').append(r.counters());
        r.cpuStats().forEach(c -> sb.append(java.util.Arrays.toString(c.levelNs())).append(c.idleNs())
                .append(' ').append(c.contextSwitches()).append(' ').append(c.irqLatency().getTotalCount())
                .append(' ').append(c.softirqWakeToRun().getMaxValue()));
        return sb.toString();
    }

    @Test
    @DisplayName("the standard workload gives the same run on the inline engine and on the message path, on the machine's"
            + " own thread and on a default dispatcher of 3 threads")
    void enginesAgree() {
        StandardWorkload.Params p = StandardWorkload.Params.standard();
        long until = ms(8);
        RunResult inline = Simulation.run(StandardWorkload.spec(p), until, true, Engine.INLINE.config(ConfigFactory.load()));
        RunResult message = Simulation.run(StandardWorkload.spec(p), until, true, Engine.MESSAGE.config(ConfigFactory.load()));
        RunResult threads = Simulation.run(StandardWorkload.spec(p), until, true, Engine.MESSAGE.config(
                ConfigFactory.parseString("kctx.engine.dispatcher = default\n"
                        + "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = 3\n"
                        + "akka.actor.default-dispatcher.fork-join-executor.parallelism-max = 3\n"
                        + "akka.actor.default-dispatcher.throughput = 1").withFallback(ConfigFactory.load())));
        assertEquals(Optional.empty(), inline.failure(), "the run completes");
        assertTrue(inline.events() > 500, "a busy run: " + inline.events() + " events");
        assertTrue(inline.traceText().contains("netlink"), "with netlink traffic");
        assertEquals(fingerprint(inline), fingerprint(message), "the message path on the machine thread agrees with the inline engine");
        assertEquals(fingerprint(inline), fingerprint(threads), "the message path on 3 dispatcher threads agrees too");
    }
}
