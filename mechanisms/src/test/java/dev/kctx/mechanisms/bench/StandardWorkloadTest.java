package dev.kctx.mechanisms.bench;

import com.typesafe.config.ConfigFactory;
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
}
