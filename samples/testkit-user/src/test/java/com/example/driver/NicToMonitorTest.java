package com.example.driver;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.kctx.contexts.ReportKind;
import dev.kctx.testkit.Engine;
import dev.kctx.testkit.KctxMachine;
import dev.kctx.testkit.KernelAssertions;
import dev.kctx.testkit.Observed;
import dev.kctx.testkit.RunningMachine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import static java.time.temporal.ChronoUnit.MICROS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NIC's "link up" reaches the monitor process over netlink, on time, without sleeping on the way. */
class NicToMonitorTest {
    private static final Map<Engine, ActorTestKit> KITS = new EnumMap<>(Engine.class);
    private static final KctxMachine NIC = KctxMachine.scenario(Path.of("src/test/resources/nic-netlink.yaml"));

    @AfterAll
    static void shutdown() {
        KITS.values().forEach(ActorTestKit::shutdownTestKit);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("each interrupt's event reaches group 1 in order, and the monitor reads it within 200us of the interrupt")
    void irqToUserWithin200us(Engine engine) {
        ActorTestKit kit = KITS.computeIfAbsent(engine, Engine::testKit);
        try (RunningMachine m = NIC.start(kit)) {
            TestProbe<Observed> group1 = m.netlinkProbe(25, 1);
            TestProbe<Observed> monitor = m.socketProbe(25, 4242);

            // Nothing happens before the first interrupt at 2ms.
            m.advance(Duration.ofMillis(2).minusNanos(1));
            assertTrue(m.observed().stream().noneMatch(o -> o instanceof Observed.NetlinkMessage), "quiet before 2ms");

            m.runToEnd();
            long previous = -1;
            for (int i = 0; i < 3; i++) {
                Observed.NetlinkMessage sent = group1.expectMessageClass(Observed.NetlinkMessage.class);
                Observed.SocketReceived read = monitor.expectMessageClass(Observed.SocketReceived.class);
                assertEquals("link up", sent.text());
                assertEquals("link up", read.text());
                assertTrue(sent.timeNs() > previous, "in virtual-time order");
                previous = sent.timeNs();
            }
            KernelAssertions.expectLatency(m, "the interrupt's event read by the monitor",
                    r -> r.event().equals("irq_handler_entry"),
                    r -> r.event().equals("sys_exit") && r.pid() == 4242,
                    Duration.of(200, MICROS));
            KernelAssertions.expectNoReport(m, ReportKind.SLEEP_IN_ATOMIC);
            KernelAssertions.expectOrder(m, "irq_handler_entry", "softirq_entry", "softirq_exit");
        }
    }
}
