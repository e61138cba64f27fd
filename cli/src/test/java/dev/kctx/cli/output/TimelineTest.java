package dev.kctx.cli.output;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioLoader;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The timeline derived from the trace")
class TimelineTest {

    private static Timeline run(String yaml) {
        Scenario s = ScenarioLoader.load(yaml, "t");
        RunResult r = Simulation.run(s.spec(), s.untilNs(), true, ConfigFactory.load());
        return Timeline.of(r, s.processes(), s.syscalls());
    }

    private static List<Timeline.Slice> at(Timeline t, ContextLevel l) {
        return t.slices().stream().filter(s -> s.level() == l).toList();
    }

    @Test
    @DisplayName("splits a process around the IRQ and soft IRQ that preempt it, and records the preemption")
    void nesting() {
        Timeline t = run("""
                irqs:
                  - {name: nic, line: 11, arrivals: {at: [50us]}, handler: [compute: 10us, raise_softirq: NET_RX]}
                softirqs:
                  NET_RX: [compute: 20us]
                processes:
                  - {name: app, body: [compute: 100us]}
                run: {until: 200us}
                """);
        List<Timeline.Slice> user = at(t, ContextLevel.USER);
        assertEquals(2, user.size(), "the process runs in two pieces: " + user);
        assertEquals(0, user.get(0).startNs());
        assertEquals(us(50), user.get(0).endNs());
        assertTrue(user.get(0).endedBy().startsWith("preempted by hardirq 11 nic"), user.get(0).endedBy());
        assertEquals(us(80), user.get(1).startNs(), "it resumes when the soft IRQ is done");
        assertEquals(us(130), user.get(1).endNs(), "with the 50us it had left");
        Timeline.Slice irq = at(t, ContextLevel.HARDIRQ).get(0);
        assertEquals(List.of(us(50), us(60), "hardirq 11 nic"), List.of(irq.startNs(), irq.endNs(), irq.name()));
        Timeline.Slice soft = at(t, ContextLevel.SOFTIRQ).get(0);
        assertEquals(List.of(us(60), us(80), "softirq NET_RX"), List.of(soft.startNs(), soft.endNs(), soft.name()));
        assertEquals(1, t.preempted().size(), "the process waited under the interrupts once: " + t.preempted());
        Timeline.Slice waited = t.preempted().get(0);
        assertEquals(List.of(us(50), us(80), ContextLevel.USER), List.of(waited.startNs(), waited.endNs(), waited.level()));
    }

    @Test
    @DisplayName("moves a process to the kernel row for its system calls and names the call")
    void syscalls() {
        Timeline t = run("""
                processes:
                  - name: app
                    body:
                      - compute: 10us
                      - syscall: {name: ioctl, body: [compute: 5us]}
                      - compute: 10us
                run: {until: 100us}
                """);
        assertEquals(List.of(us(10), us(15)), at(t, ContextLevel.KERNEL).stream()
                .flatMap(s -> Stream.of(s.startNs(), s.endNs())).toList());
        assertEquals("process app syscall ioctl", at(t, ContextLevel.KERNEL).get(0).name());
        assertEquals(2, at(t, ContextLevel.USER).size());
    }

    @Test
    @DisplayName("marks each report at its CPU, level and time")
    void marks() {
        Timeline t = run("""
                locks: {M: mutex}
                irqs:
                  - {name: nic, line: 11, arrivals: {at: [5us]}, handler: [compute: 1us, raise_softirq: NET_RX]}
                softirqs:
                  NET_RX: [compute: 2us, mutex_lock: M, mutex_unlock: M]
                run: {until: 50us}
                """);
        assertEquals(1, t.marks().size());
        Timeline.Mark m = t.marks().get(0);
        assertEquals(List.of(0, ContextLevel.SOFTIRQ, us(8)), List.of(m.cpu(), m.level(), m.timeNs()));
    }
}
