package dev.kctx.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kctx bench}: what it prints, not how fast anything is. */
class BenchCommandTest {

    static double number(String out, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + ": ([0-9.]+)").matcher(out);
        assertTrue(m.find(), "a line '" + label + ": N' in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    @DisplayName("bench --quick prints the workload, events/s of engine and baseline, their ratio, the real-time factor and the peak heap")
    void quickPrintsEveryField() {
        Cli.Result r = Cli.run("bench", "--quick");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("workload: standard, 4 CPUs, 16 consumers, 16 CPU-bound processes"), r.out());
        assertTrue(r.out().contains("virtual time per run: 0.200 s; events per run: "), r.out());
        for (String label : List.of("engine events/s", "baseline events/s", "engine/baseline cost per event",
                "simulated/wall time", "peak heap")) {
            assertTrue(number(r.out(), label) > 0, label + " is a positive number");
        }
    }

    @Test
    @DisplayName("bench --engine message runs the standard workload on the message path, says so, and takes the same events as inline")
    void messageEngine() {
        Cli.Result message = Cli.run("bench", "--quick", "--engine", "message");
        assertEquals(0, message.exit(), message.err());
        assertTrue(message.out().contains("engine: message, on one thread of the machine's own"), message.out());
        assertTrue(number(message.out(), "engine events/s") > 0, "a positive rate");
        Cli.Result inline = Cli.run("bench", "--quick", "--threads", "2");
        assertTrue(inline.out().contains("engine: inline, on Akka's default dispatcher with 2 threads"), inline.out());
        Matcher events = Pattern.compile("events per run: [0-9]+").matcher(inline.out());
        assertTrue(events.find(), inline.out());
        assertTrue(message.out().contains(events.group()), "the same run, so the same events: " + message.out());
        Cli.Result bad = Cli.run("bench", "--engine", "actors");
        assertEquals(2, bad.exit(), "an unknown engine is a usage error");
        assertTrue(bad.err().contains("inline, message"), "the error names the choices: " + bad.err());
    }

    @Test
    @DisplayName("bench refuses a virtual time that is not a positive duration, and zero runs")
    void badInput() {
        Cli.Result bad = Cli.run("bench", "--virtual", "0s");
        assertEquals(2, bad.exit(), "a usage error");
        assertTrue(bad.err().contains("--virtual must be positive"), bad.err());
        Cli.Result none = Cli.run("bench", "--runs", "0");
        assertEquals(2, none.exit(), "a usage error");
        assertTrue(none.err().contains("--runs must be at least 1"), none.err());
        Cli.Result cold = Cli.run("bench", "--warmup", "-1");
        assertEquals(2, cold.exit(), "a usage error");
        assertTrue(cold.err().contains("--warmup must be at least 0"), cold.err());
    }

    @Test
    @DisplayName("bench says how many warm-up and timed runs its medians come from: 2 and 5 by default, as asked otherwise")
    void warmupAndRuns() {
        Cli.Result r = Cli.run("bench", "--virtual", "20ms", "--warmup", "0", "--runs", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("; warm-up runs: 0; timed runs: 3 (medians below)"), r.out());
        Matcher spread = Pattern.compile("(?m)^spread over the timed runs: engine ([0-9]+)-([0-9]+) events/s,"
                + " baseline ([0-9]+)-([0-9]+) events/s$").matcher(r.out());
        assertTrue(spread.find(), "a line with the slowest and fastest run of each: " + r.out());
        double median = number(r.out(), "engine events/s");
        assertTrue(Double.parseDouble(spread.group(1)) <= median && median <= Double.parseDouble(spread.group(2)),
                "the median lies within the spread: " + r.out());
        Cli.Result quick = Cli.run("bench", "--quick");
        assertTrue(quick.out().contains("; warm-up runs: 1; timed runs: 1 (medians below)"), quick.out());
        Cli.Result help = Cli.run("bench", "--help");
        assertTrue(help.out().contains("--warmup=N") && help.out().contains("default 2"), help.out());
    }
}
