package dev.kctx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.actors.Simulation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A budget for every run (issue 21): small files that would run for hours stop cleanly at a
 * budget of events or wall-clock time, with exit code 1, a line that names the budget and how to
 * raise it, and the partial report and traces; a zero-time loop is stopped by its bounds, which
 * are checked by how far it got, not by the wall clock.
 */
@DisplayName("Run budget")
class HostileRunBudgetTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The example: a 1 ns compute loop for 100 s of virtual time (10^11 events). */
    static final String NS_LOOP = """
            name: ns-loop
            kthreads:
              - name: spinner
                body:
                  - loop: {count: forever, body: [compute: 1ns]}
            run: {until: 100s}
            """;

    @AfterEach
    void resetDelay() {
        ProgressBarTest.restoreDelay();
    }

    @Test
    @DisplayName("the defaults: 2,000,000 events and 300 s of wall-clock time, shown in --help; 0 means no limit")
    void defaults() {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("x.yaml");
        Simulation.Budget b = run.budget.budget();
        assertEquals(2_000_000L, b.maxEvents(), "the default event budget");
        assertEquals(java.time.Duration.ofSeconds(300), b.wall(), "the default wall-clock budget");
        new CommandLine(run).parseArgs("x.yaml", "--max-events", "0", "--max-wall", "0");
        assertEquals(Simulation.Budget.NONE, run.budget.budget(), "0 and 0: no limit");
        String help = Cli.run("run", "--help").out();
        assertTrue(help.contains("--max-events=N") && help.contains("default: 2000000"), help);
        assertTrue(help.contains("--max-wall=TIME") && help.contains("default: 300s"), help);
        assertTrue(Cli.run("check", "--help").out().contains("--max-events"), "check has it too");
        assertTrue(Cli.run("demo", "--help").out().contains("--max-events"), "and demo");
        assertEquals(2, Cli.run("run", "x.yaml", "--max-events", "-1").exit(), "a negative budget is bad input");
        assertEquals(2, Cli.run("run", "x.yaml", "--max-wall", "soon").exit(), "so is a wall time without unit");
    }

    @Test
    @DisplayName("the 1 ns loop for 100 s stops at the event budget: exit 1, the budget named, the partial report and traces written")
    void eventBudget() throws IOException {
        Path f = dir.resolve("ns-loop.yaml");
        Files.writeString(f, NS_LOOP);
        Path out = dir.resolve("out");
        Kctx.Result r = Kctx.run("run", f.toString(), "--max-events", "20000", "--out", out.toString(), "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertEquals(f + ": stopped: the event budget of 20000 events ran out at 19.999us of virtual time (of 100s); the report"
                + " covers that much. Raise it with --max-events N (0: no limit)\n", r.err(), "one line naming the budget");
        assertTrue(r.out().startsWith("scenario ns-loop (" + f + "): 1 CPU, seed 1, ran 19.999us of 100s virtual time"), r.out());
        assertTrue(r.out().contains("STOPPED: the event budget of 20000 events ran out"), "the report says so too");
        JsonNode json = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals("the event budget of 20000 events ran out", json.get("budget").asText());
        assertFalse(json.get("passed").asBoolean(), "a run its budget stopped has not passed");
        assertEquals(19_999L, json.get("endNs").asLong(), "it got as far as the budget allowed (the first event is the start)");
        for (String name : RunOutputsTest.FILES) {
            assertTrue(Files.size(out.resolve(name)) > 0, name + " written");
        }
        assertTrue(Files.readString(out.resolve("trace.txt")).contains("sched_switch"), "the partial trace");
        Kctx.Result check = Kctx.run("check", f.toString(), "--max-events", "20000", "--no-progress");
        assertEquals(1, check.code());
        assertTrue(check.out().contains(f + ": stopped: the event budget of 20000 events ran out"), check.out());
    }

    @Test
    @DisplayName("the wall-clock budget stops a run that would go on, with exit 1 and how to raise it")
    void wallBudget() throws IOException {
        Path f = dir.resolve("ns-loop.yaml");
        Files.writeString(f, NS_LOOP);
        Kctx.Result r = Kctx.run("run", f.toString(), "--max-events", "0", "--max-wall", "1s", "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith(f + ": stopped: the wall-clock budget of 1s ran out at "), r.err());
        assertTrue(r.err().endsWith("Raise it with --max-wall TIME (0: no limit)\n"), r.err());
        assertTrue(r.out().contains("STOPPED: the wall-clock budget of 1s ran out"), r.out());
    }

    @Test
    @DisplayName("the wall-clock budget stops a run on the message path too, whose actors keep the machine's thread busy")
    void wallBudgetOnTheMessagePath() throws IOException {
        Path f = dir.resolve("ns-loop.yaml");
        Files.writeString(f, NS_LOOP);
        Cli.Result r = Cli.run("check", f.toString(), "--engine", "message", "--max-events", "0", "--max-wall", "1s",
                "--no-progress");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains(f + ": stopped: the wall-clock budget of 1s ran out"), r.out());
    }

    @Test
    @DisplayName("kctx demo preemption --until 100000s stops at its budget too")
    void demoBudget() {
        Cli.Result r = Cli.run("demo", "preemption", "--until", "100000s", "--no-trace", "--max-events", "20000", "--no-progress");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("kctx: demo preemption stopped: the event budget of 20000 events ran out at "), r.err());
        assertTrue(r.out().startsWith("# summary: preemption"), "the summary of what ran: " + r.out());
    }

    static Stream<Arguments> zeroTimeLoops() {
        return Stream.of(
                arguments("two threads completing each other", """
                        kthreads:
                          - {name: a, body: [loop: {count: forever, body: [complete: c1, wait_for_completion: c2]}]}
                          - {name: b, body: [loop: {count: forever, body: [wait_for_completion: c1, complete: c2]}]}
                        """, "kthread a keeps running without taking time"),
                arguments("a soft IRQ raising itself", """
                        softirqs:
                          NET_RX: [raise_softirq: NET_RX]
                        irqs: [{name: n, line: 1, arrivals: {at: [1us]}, handler: [raise_softirq: NET_RX]}]
                        """, "softirq NET_RX (ksoftirqd/0) keeps running without taking time"),
                arguments("two processes yielding to each other", """
                        processes:
                          - {name: a, body: [loop: {count: forever, body: [sched_yield: ~]}]}
                          - {name: b, body: [loop: {count: forever, body: [sched_yield: ~]}]}
                        """, "keeps running without taking time"),
                arguments("a loop of zero-time operations", """
                        kthreads:
                          - {name: a, body: [loop: {count: forever, body: [wake_up: q]}]}
                        """, "100000 operations ran at one instant in kthread a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zeroTimeLoops")
    @DisplayName("a zero-time loop fails the run after a few thousand bursts or 100,000 operations, not a million")
    void zeroTimeLoop(String label, String yaml, String why) throws IOException {
        Path f = dir.resolve("loop.yaml");
        Files.writeString(f, yaml);
        Path out = dir.resolve("out");
        Kctx.Result r = Kctx.run("run", f.toString(), "--out", out.toString(), "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains("RUN FAILED: ") && r.out().contains("no progress in virtual time") && r.out().contains(why),
                r.out());
        long switches = Files.readAllLines(out.resolve("trace.txt")).stream().filter(l -> l.contains("sched_switch")).count();
        // The bound that answers quickly: 5,000 bursts at one instant plus 4 per task (a handful of tasks here),
        // at most two task switches each (the old bound, a million bursts, took half a minute).
        assertTrue(switches <= 2 * 5_100, "stopped within the burst bound: " + switches + " task switches");
        long ops = Files.readAllLines(out.resolve("trace.txt")).stream().filter(l -> l.contains("kctx_op")).count();
        assertTrue(ops <= 100_100, "stopped within the operation bound: " + ops + " operations");
    }

    @Test
    @DisplayName("the progress bar shows on stderr without a terminal, as whole lines, unless --no-progress")
    void progressOffTerminal() throws IOException {
        Path f = dir.resolve("ns-loop.yaml");
        Files.writeString(f, NS_LOOP);
        System.setProperty(ProgressBar.AFTER_PROPERTY, "0");
        Kctx.Result shown = Kctx.run("run", f.toString(), "--max-events", "20000");
        assertTrue(shown.err().contains("ns-loop.yaml [") && shown.err().contains(" / 100s virtual"), shown.err());
        assertTrue(shown.err().endsWith("\n"), "whole lines: " + shown.err());
        assertFalse(shown.err().contains("\r"), "no carriage returns off a terminal: " + shown.err());
        Kctx.Result quiet = Kctx.run("run", f.toString(), "--max-events", "20000", "--no-progress");
        assertFalse(quiet.err().contains(" ["), "--no-progress: no bar: " + quiet.err());
        assertNull(System.console(), "tests run without a terminal");
    }
}
