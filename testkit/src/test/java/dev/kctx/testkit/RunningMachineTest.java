package dev.kctx.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.cli.Main;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import static java.time.temporal.ChronoUnit.MICROS;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The testkit")
class RunningMachineTest {
    private static final Map<Engine, ActorTestKit> KITS = new EnumMap<>(Engine.class);
    private static final Path RESOURCES = Path.of("src/test/resources");
    private static final Path MULTICAST = RESOURCES.resolve("irq-netlink-multicast.yaml");
    private static final Path EXAMPLES = Path.of("../examples");
    private static final Path BUGGY = RESOURCES.resolve("scenarios/softirq-kmalloc.yaml");

    private static synchronized ActorTestKit kit(Engine e) {
        return KITS.computeIfAbsent(e, Engine::testKit);
    }

    @AfterAll
    static void shutdown() {
        KITS.values().forEach(ActorTestKit::shutdownTestKit);
    }

    private static List<Observed.NetlinkMessage> multicasts(RunningMachine m) {
        return m.observed().stream().filter(o -> o instanceof Observed.NetlinkMessage n && n.multicast())
                .map(o -> (Observed.NetlinkMessage) o).toList();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("a probe on a netlink group receives the soft IRQ's multicasts in virtual-time order, and the subscriber reads each")
    void multicastProbe(Engine engine) {
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(engine))) {
            assertEquals(engine, m.engine(), "the machine runs on the test kit's engine");
            TestProbe<Observed> group = m.netlinkProbe(25, 1);
            TestProbe<Observed> socket = m.socketProbe(25, 4242);
            m.advance(Duration.ofMillis(1));
            assertTrue(multicasts(m).isEmpty(), "no interrupt before 2ms, so nothing multicast at 1ms");
            m.runToEnd();
            long last = -1;
            for (int i = 0; i < 3; i++) {
                var n = group.expectMessageClass(Observed.NetlinkMessage.class);
                var r = socket.expectMessageClass(Observed.SocketReceived.class);
                assertEquals("link up", n.text(), "the soft IRQ's text");
                assertTrue(n.timeNs() > last, "multicasts arrive in virtual-time order");
                assertTrue(n.timeNs() >= 2_000_000L + i * 1_000_000L && n.timeNs() < 2_100_000L + i * 1_000_000L,
                        "multicast " + i + " follows interrupt " + i + " (at " + n.timeNs() + "ns)");
                assertTrue(r.timeNs() >= n.timeNs(), "the subscriber reads the datagram after it was queued");
                assertEquals("link up", r.text(), "the subscriber reads the soft IRQ's text");
                last = n.timeNs();
            }
            KernelAssertions.expectNoReport(m);
            KernelAssertions.expectOrder(m, "irq_handler_entry", "softirq_entry", "softirq_exit");
            KernelAssertions.expectLatency(m, "IRQ to the subscriber's read",
                    r -> r.event().equals("irq_handler_entry"), r -> r.event().equals("sched_switch") && r.args().contains("next_pid=4242"),
                    Duration.of(200, MICROS));
        }
    }

    @Test
    @DisplayName("the message path and the inline engine give the same run, and so does a straight run outside the testkit")
    void enginesAgree() {
        Map<Engine, RunResult> runs = new EnumMap<>(Engine.class);
        Map<Engine, List<Observed.NetlinkMessage>> seen = new EnumMap<>(Engine.class);
        for (Engine e : Engine.values()) {
            try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(e))) {
                // small steps on one engine, one go on the other: the steps must not change the run
                if (e == Engine.MESSAGE) {
                    while (!m.finished() && m.nowNs() < m.machine().untilNs()) {
                        m.advance(Duration.of(250, MICROS));
                    }
                }
                runs.put(e, m.runToEnd());
                seen.put(e, multicasts(m));
            }
        }
        var plain = Simulation.run(KctxMachine.scenario(MULTICAST).spec(), KctxMachine.scenario(MULTICAST).untilNs(), true,
                ConfigFactory.load());
        assertEquals(3, seen.get(Engine.MESSAGE).size(), "three multicasts");
        assertEquals(seen.get(Engine.MESSAGE), seen.get(Engine.INLINE), "both engines multicast the same at the same instants");
        assertEquals(runs.get(Engine.INLINE).traceText(), runs.get(Engine.MESSAGE).traceText(), "both engines trace the same");
        assertEquals(plain.traceText(), runs.get(Engine.MESSAGE).traceText(), "the testkit's run is the command line's run");
        assertEquals(plain.events(), runs.get(Engine.MESSAGE).events(), "the same events");
    }

    @Test
    @DisplayName("a probe between the CPU and its context actors sees the hard IRQ's burst before the same-instant soft IRQ burst it raised")
    void probeBetweenActors() {
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(Engine.MESSAGE))) {
            assertTrue(m.actors().containsAll(List.of("cpu-0", "cpu-1", "hardirq-11-nic", "softirq-0", "ksoftirqd-0", "process-4242-sh")),
                    "the machine's actors by spawn name: " + m.actors());
            TestProbe<Crossing> runs = m.monitor(c -> c.kind().equals("run"), "hardirq-11-nic", "softirq-0");
            TestProbe<Crossing> irq = m.probeBetween("cpu-0", "hardirq-11-nic");
            m.advance(Duration.ofMillis(2).plus(Duration.of(100, MICROS)));
            // the handler computes 2us, then raises NET_RX: at 2.002ms its second burst ends and the soft IRQ runs on irq_exit
            Crossing first = runs.expectMessageClass(Crossing.class);
            Crossing resume = runs.expectMessageClass(Crossing.class);
            Crossing soft = runs.expectMessageClass(Crossing.class);
            assertEquals(new Crossing(2_000_000L, "cpu-0", "hardirq-11-nic", "run", ContextLevel.HARDIRQ, "fresh"), first,
                    "the interrupt's first burst at 2ms");
            assertEquals(new Crossing(2_002_000L, "cpu-0", "hardirq-11-nic", "run", ContextLevel.HARDIRQ, "resume"), resume,
                    "the handler resumes after its 2us");
            assertEquals(new Crossing(2_002_000L, "cpu-0", "softirq-0", "run", ContextLevel.SOFTIRQ, "fresh NET_RX"), soft,
                    "then, at the same instant, NET_RX");
            assertEquals(new Crossing(2_000_000L, "cpu-0", "hardirq-11-nic", "run", ContextLevel.HARDIRQ, "fresh"),
                    irq.expectMessageClass(Crossing.class), "the probe between sees the CPU's order to run");
            assertEquals(new Crossing(2_000_000L, "hardirq-11-nic", "cpu-0", "ran", ContextLevel.HARDIRQ, ""),
                    irq.expectMessageClass(Crossing.class), "and the handler's answer, at the same instant");
            assertEquals("run", irq.expectMessageClass(Crossing.class).kind(), "then the resumed burst");
        }
    }

    @Test
    @DisplayName("a step end made stale by a preemption never reaches its CPU: a step end a CPU gets alone resumes a burst there")
    void staleStepEndsStayWithTheMachine() {
        // The hog's 5ms step is preempted by three interrupts: each leaves the end it had posted behind, stale.
        String yaml = """
                name: stale-step-ends
                machine: {cpus: 1}
                irqs:
                  - name: nic
                    line: 11
                    arrivals: {every: 1ms, start: 1ms, count: 3}
                    handler:
                      - compute: 2us
                processes:
                  - name: hog
                    pid: 1000
                    cpu: 0
                    body:
                      - compute: 5ms
                run: {until: 8ms}
                """;
        List<Crossing> seen = new ArrayList<>();
        try (RunningMachine m = KctxMachine.scenario(yaml, "stale-step-ends").start(kit(Engine.MESSAGE))) {
            TestProbe<Crossing> all = m.monitor(m.actors().toArray(String[]::new));
            m.runToEnd();
            for (boolean finished = false; !finished; ) {
                Crossing c = all.expectMessageClass(Crossing.class);
                seen.add(c);
                finished = c.kind().equals("finish");
            }
        }
        int lone = 0;
        for (int i = 0; i + 1 < seen.size(); i++) {
            Crossing c = seen.get(i);
            Crossing next = seen.get(i + 1);
            if (c.kind().equals("step-done") && next.kind().equals("round-end") && next.timeNs() == c.timeNs()) {
                lone++;
                boolean resumed = seen.stream().anyMatch(r -> r.kind().equals("run") && r.from().equals(c.to())
                        && r.timeNs() == c.timeNs() && r.detail().startsWith("resume"));
                assertTrue(resumed, "a step end alone in its round resumes a burst at its instant: " + c + "\n" + seen);
            }
        }
        assertTrue(lone >= 1, "the hog's last step end comes alone: " + seen);
    }

    @Test
    @DisplayName("monitors on every actor change nothing: the trace, reports and events are the command line's")
    void monitorsChangeNothing() {
        RunResult monitored;
        int arrivals = 0;
        int handlerRuns = 0;
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(Engine.MESSAGE))) {
            TestProbe<Crossing> all = m.monitor(m.actors().toArray(String[]::new));
            monitored = m.runToEnd();
            Crossing c;
            long last = -1;
            // finish, the last message of each CPU, comes once per CPU
            for (int finishes = 0; finishes < 2; ) {
                c = all.expectMessageClass(Crossing.class);
                arrivals += c.kind().equals("irq-arrive") ? 1 : 0;
                handlerRuns += c.kind().equals("run") && c.to().equals("hardirq-11-nic") ? 1 : 0;
                assertTrue(c.timeNs() >= last, "crossings come in virtual-time order: " + c);
                last = c.timeNs();
                finishes += c.kind().equals("finish") ? 1 : 0;
            }
            all.expectNoMessage(Duration.ofMillis(50));
        }
        var plain = Simulation.run(KctxMachine.scenario(MULTICAST).spec(), KctxMachine.scenario(MULTICAST).untilNs(), true,
                Engine.MESSAGE.config().withFallback(ConfigFactory.load()));
        assertEquals(3, arrivals, "the monitor saw the three interrupts reach the CPU");
        assertEquals(6, handlerRuns, "and two bursts of the handler for each (before and after its 2us)");
        assertEquals(plain.traceText(), monitored.traceText(), "the same trace with monitors on");
        assertEquals(plain.reports(), monitored.reports(), "the same reports");
        assertEquals(plain.events(), monitored.events(), "the same events");
    }

    @Test
    @DisplayName("monitoring is refused on the inline engine, where no message crosses, and for an actor the machine lacks")
    void monitorRefused() {
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(Engine.INLINE))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.monitor("softirq-0"));
            assertTrue(e.getMessage().contains("inline engine") && e.getMessage().contains("Engine.MESSAGE"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.probeBetween("cpu-0", "softirq-0"), "a CPU too: it is no actor there");
        }
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(Engine.MESSAGE))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.probeBetween("cpu-0", "hardirq-12-disk"));
            assertTrue(e.getMessage().contains("no actor 'hardirq-12-disk'") && e.getMessage().contains("softirq-0"), e.getMessage());
        }
    }

    @Test
    @DisplayName("nothing moves until the test says so; an injected interrupt, signal, write and netlink message arrive as a peer's would")
    void injections() {
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(Engine.MESSAGE))) {
            assertTrue(m.trace().isEmpty() && m.nowNs() == 0, "a started machine has run nothing");
            TestProbe<Observed> file = m.fileProbe("/tmp/note");
            TestProbe<Observed> signal = m.signalProbe(4242);
            TestProbe<Observed> reply = m.probe(o -> o instanceof Observed.NetlinkMessage n && !n.multicast());
            m.irq(11, Duration.of(500, MICROS));
            m.write("/tmp/note", "hello", Duration.of(600, MICROS));
            int sender = m.netlinkSend(25, "ping", Duration.of(700, MICROS));
            m.advance(Duration.ofMillis(1));
            var entry = m.trace().stream().filter(r -> r.event().equals("irq_handler_entry")).findFirst().orElseThrow();
            assertEquals(500_000L, entry.timeNs(), "the injected interrupt arrives at 500us");
            var nl = reply.expectMessageClass(Observed.NetlinkMessage.class);
            assertEquals(sender, nl.groupOrPort(), "the kernel replies to the sender's port");
            assertEquals("you said: ping", nl.text(), "the family's input answers the injected message");
            m.signal(4242, 15, Duration.ofMillis(1).plusNanos(1));
            m.advance(Duration.ofMillis(1));
            var s = signal.expectMessageClass(Observed.SignalDelivered.class);
            // the shell pays for its command first (Shell.EXEC_COST_NS), so the store comes after 1ms
            var w = file.expectMessageClass(Observed.FileAccess.class);
            assertTrue(w.write() && w.text().equals("hello\n") && w.timeNs() > 1_000_000L, "the shell's echo stores 'hello\\n': " + w);
            assertEquals(15, s.signal(), "SIGTERM is delivered to 4242");
            assertThrows(IllegalArgumentException.class, () -> m.irq(11, Duration.of(10, MICROS)), "no event can go into the past");
        }
    }

    @Test
    @DisplayName("probes see a sysfs attribute's stores and shows, and user-mode helpers as they start")
    void sysfsAndUpcalls() {
        try (RunningMachine m = KctxMachine.scenario(EXAMPLES.resolve("module-procfs-sysfs.yaml")).start(kit(Engine.MESSAGE))) {
            TestProbe<Observed> value = m.fileProbe("/sys/kernel/hello/value");
            m.runToEnd();
            var store = value.expectMessageClass(Observed.FileAccess.class);
            var show = value.expectMessageClass(Observed.FileAccess.class);
            assertTrue(store.write() && store.text().equals("7\n") && store.pid() == 4242, "echo 7 stores '7\\n': " + store);
            assertTrue(!show.write() && show.text().equals("7\n") && show.timeNs() > store.timeNs(), "cat shows '7\\n' after: " + show);
        }
        try (RunningMachine m = KctxMachine.scenario(EXAMPLES.resolve("module-upcall-declared.yaml")).start(kit(Engine.MESSAGE))) {
            TestProbe<Observed> helpers = m.upcallProbe();
            m.runToEnd();
            List<String> started = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                var u = helpers.expectMessageClass(Observed.UpcallStarted.class);
                started.add(u.argv());
            }
            assertEquals(List.of("/sbin/kctx_notify add eth0", "/sbin/kctx_notify change eth0", "/sbin/kctx_notify remove eth0",
                    "/usr/bin/kctx_quick"), started, "the kernel thread's call_usermodehelper calls (argv[0] first), in order");
        }
    }

    @Test
    @DisplayName("runUntil stops at the first instant the condition holds")
    void runUntil() {
        try (RunningMachine m = KctxMachine.scenario(MULTICAST).start(kit(Engine.MESSAGE))) {
            var first = m.runUntilObserved(o -> o instanceof Observed.NetlinkMessage n && n.multicast(), Duration.ofMillis(5),
                    "a multicast");
            assertEquals(first.timeNs(), m.nowNs(), "the machine stopped at the multicast's instant");
            assertEquals(1, multicasts(m).size(), "and no later");
            AssertionError e = assertThrows(AssertionError.class,
                    () -> m.runUntil(x -> false, Duration.of(100, MICROS), "something that never happens"));
            assertTrue(e.getMessage().contains("not within 100us: something that never happens"), e.getMessage());
        }
    }

    @Test
    @DisplayName("a sleep-in-atomic failure shows the report, a trace excerpt and a replay command that reproduces it")
    void failureText() {
        AssertionError e;
        try (RunningMachine m = KctxMachine.scenario(BUGGY).start(kit(Engine.MESSAGE))) {
            m.runToEnd();
            e = assertThrows(AssertionError.class, () -> KernelAssertions.expectNoReport(m, ReportKind.SLEEP_IN_ATOMIC));
        }
        String text = e.getMessage();
        assertTrue(text.contains("expected no sleep-in-atomic report"), text);
        assertTrue(text.contains("BUG: sleeping function called from invalid context"), "the report: " + text);
        assertTrue(text.contains("softirq_entry: vec=3 [action=NET_RX]"), "a trace excerpt: " + text);
        String replay = text.lines().filter(l -> l.startsWith("replay: ")).findFirst().orElseThrow().substring("replay: ".length());
        assertTrue(replay.startsWith("./kctx run " + BUGGY.toAbsolutePath().normalize() + " --seed 1 --until 3000000ns"), replay);
        String[] args = Arrays.copyOfRange(replay.split(" "), 1, replay.split(" ").length);
        String out = runKctx(args);
        assertTrue(out.contains("sleep-in-atomic"), "the replay shows the same report: " + out);
    }

    private static synchronized String runKctx(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            Main.run(args);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @TestFactory
    @DisplayName("every scenario with an expect: block in a folder is a test")
    Stream<DynamicTest> scenarios() {
        List<DynamicTest> tests = new ArrayList<>(ScenarioTests.in(RESOURCES.resolve("scenarios"), kit(Engine.MESSAGE)).toList());
        assertEquals(2, tests.size(), "both scenario files have an expect: block");
        return tests.stream();
    }

    @Test
    @DisplayName("a scenario test that fails names the unmet expectation")
    void scenarioFailure() {
        Path clean = RESOURCES.resolve("scenarios/softirq-kmalloc-clean.yaml");
        var m = KctxMachine.scenario(BUGGY);
        // the buggy machine checked against the clean file's expectation
        var swapped = KctxMachine.scenario(clean).change(s -> m.spec());
        try (RunningMachine r = swapped.start(kit(Engine.MESSAGE))) {
            AssertionError e = assertThrows(AssertionError.class, () -> KernelAssertions.expectScenario(r));
            assertTrue(e.getMessage().contains("unmet expectation:\n  clean: 1 distinct report (sleep-in-atomic"), e.getMessage());
            assertTrue(e.getMessage().contains("the test changed the machine in code"), "the replay says it is not the file alone");
        }
    }
}
