package dev.kctx.tests;

import dev.kctx.actors.trace.FtraceFormatter;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.cli.output.TraceDat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * trace.dat is what trace-cmd reads: for every example, {@code trace-cmd report} (Debian's trace-cmd,
 * with libtraceevent) prints the same events as kctx's own trace.txt, in the same order, with the
 * same CPU, task, timestamp, latency flags and fields. Skipped where trace-cmd is not installed
 * (.ci/run installs it).
 */
@DisplayName("trace.dat, read by trace-cmd report")
class TraceDatTest {

    /** A line of /sys/kernel/tracing/trace: task-pid, [cpu], flags, seconds.micros, event, fields. */
    private static final Pattern FTRACE = Pattern.compile(
            "^\\s*(?<comm>.*)-(?<pid>\\d+)\\s+\\[(?<cpu>\\d+)\\] (?<flags>\\S{5})\\s+(?<ts>\\d+\\.\\d{6}): (?<event>\\w+): ?(?<fields>.*)$");
    /** trace-cmd report's default line: task-pid [cpu] seconds.micros: event: (padded) fields. */
    private static final Pattern REPORT = Pattern.compile(
            "^\\s*(?<comm>.*)-(?<pid>\\d+)\\s+\\[(?<cpu>\\d+)\\]\\s+(?<ts>\\d+\\.\\d{6}): (?<event>\\w+):\\s*(?<fields>.*)$");
    /** trace-cmd report -l: comm (cut to 8)-pid, then the CPU and the latency flags in one word. */
    private static final Pattern LATENCY = Pattern.compile(
            "^.*-(?<pid>\\d+)\\s+(?<cpu>\\d+)(?<flags>[.dX][.N][.hsH][.0-9a-f])\\S*\\s+(?<ts>\\d+\\.\\d{6}): (?<event>\\w+):.*$");

    record Event(String comm, int pid, int cpu, String flags, String ts, String event, String fields) {
        String where() {
            return ts + " [" + cpu + "] " + comm + "-" + pid + " " + event;
        }
    }

    @BeforeAll
    static void traceCmdInstalled() {
        assumeTrue(installed(), "trace-cmd is not installed (apt-get install trace-cmd): trace.dat is not checked");
    }

    static boolean installed() {
        try {
            // trace-cmd --version prints its version and exits with 255.
            Process p = new ProcessBuilder("trace-cmd", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && out.contains("trace-cmd version");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static List<Path> examples() throws IOException {
        return ExamplesTest.examples().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    @DisplayName("trace-cmd report prints the events of trace.txt")
    void reportMatchesTraceTxt(Path example, @TempDir Path out) throws IOException, InterruptedException {
        ExamplesTest.Result r = ExamplesTest.kctx("run", example.toString(), "--out", out.toString());
        assertTrue(r.code() == 0 || r.code() == 1, "kctx run " + example + ": " + r.err());
        Path dat = out.resolve("trace.dat");
        int n = compare(example.toString(), Files.readString(out.resolve("trace.txt"), StandardCharsets.UTF_8), dat);
        assertTrue(n > 0, example + " traces something");
        run(dat, "--check-events");
        // The kernel's events are stored in their own systems with the kernel's fields; only kctx's own are kctx's.
        for (String stored : run(dat, "-E")) {
            String[] se = stored.split(":");
            assertEquals(se[1].startsWith("kctx_"), se[0].equals("kctx"), example + ": " + stored
                    + " is in the kctx system exactly when it is kctx's own event");
        }
    }

    @Test
    @DisplayName("many pages, time extends, long records and every latency flag read back as written")
    void pagesTimeExtendsAndFlags(@TempDir Path out) throws IOException, InterruptedException {
        List<TraceRecord> records = new ArrayList<>();
        // CPU 0: enough system calls to fill many 4 KiB ring-buffer pages.
        for (int i = 0; i < 3000; i++) {
            long t = 1_000L * i + 250;
            records.add(new TraceRecord(t, 0, "caller", 4242, 0, i % 2 == 0 ? "sys_enter" : "sys_exit",
                    i % 2 == 0 ? "NR " + i + " (1, ff, 0, 0, 0, 7fff0000)" : "NR " + (i - 1) + " = " + -(i % 7), 0));
        }
        // CPU 1: gaps beyond time_delta's 27 bits (134 ms), a record longer than 112 bytes, each flag.
        long[] times = {5_000_000L, 1_005_000_000L, 1_005_000_000L, 4_000_000_001L, 4_000_000_999L, 9_000_000_500L};
        int[] flags = {
            TraceRecord.flags(true, false, false, true, false, 1),
            TraceRecord.flags(false, true, false, false, true, 2),
            TraceRecord.flags(true, true, true, false, false, 15),
            TraceRecord.flags(false, false, true, true, true, 3),
            TraceRecord.flags(false, false, false, false, false, 0),
            TraceRecord.flags(true, false, true, false, true, 9),
        };
        String[][] events = {
            {"irq_handler_entry", "irq=11 name=nic"},
            {"softirq_entry", "vec=3 [action=NET_RX]"},
            {"kctx_op", "spin_lock(" + "a_rather_long_lock_name_".repeat(20) + ")"},
            {"irq_handler_exit", "irq=11 ret=handled"},
            {"sched_switch", "prev_comm=kworker/1:0 prev_pid=31 prev_prio=120 prev_state=R+ ==> next_comm=swapper/1"
                    + " next_pid=0 next_prio=120"},
            {"sched_wakeup", "comm=caller pid=4242 prio=120 target_cpu=001"},
        };
        for (int i = 0; i < times.length; i++) {
            records.add(new TraceRecord(times[i], 1, i == 4 ? "kworker/1:0" : "caller", i == 4 ? 31 : 4242, flags[i],
                    events[i][0], events[i][1], 0));
        }
        Path dat = out.resolve("trace.dat");
        Files.write(dat, TraceDat.render(records, 2));
        assertTrue(Files.size(dat) > 20 * 4096, "CPU 0's records take many pages");
        assertEquals(records.size(), compare("synthetic", FtraceFormatter.format(records, 2), dat));
    }

    /** Compares trace-cmd's reading of {@code dat} with {@code traceTxt}, line by line; returns the events compared. */
    private static int compare(String label, String traceTxt, Path dat) throws IOException, InterruptedException {
        List<Event> expected = new ArrayList<>();
        for (String line : traceTxt.split("\n")) {
            if (!line.startsWith("#")) {
                expected.add(parse(FTRACE, line));
            }
        }
        // -N: no plugins, so that each event prints by the print format of its format file.
        List<Event> plain = report(dat, REPORT, "-N");
        List<Event> latency = report(dat, LATENCY, "-N", "-l");
        // With its plugins (the default), trace-cmd prints some fields its own way; events stay the same.
        List<Event> withPlugins = report(dat, REPORT);
        assertEquals(expected.size(), plain.size(), label + ": as many events in trace.dat as in trace.txt");
        assertEquals(expected.size(), latency.size(), label + ": as many events with -l");
        assertEquals(expected.size(), withPlugins.size(), label + ": as many events with plugins");
        for (int i = 0; i < expected.size(); i++) {
            Event e = expected.get(i);
            Event p = plain.get(i);
            String at = label + " event " + (i + 1) + " (" + e.where() + ")";
            assertEquals(e.where(), p.where(), at + ": same time, CPU, task and event");
            assertEquals(e.fields(), p.fields(), at + ": same fields");
            assertEquals(e.where(), withPlugins.get(i).where(), at + ": the same event with plugins");
            Event l = latency.get(i);
            assertEquals(e.pid() + " " + e.cpu() + " " + e.ts() + " " + e.event(),
                    l.pid() + " " + l.cpu() + " " + l.ts() + " " + l.event(), at + ": same event with -l");
            assertEquals(libtraceeventFlags(e.flags()), l.flags(), at + ": same latency flags");
        }
        return expected.size();
    }

    /**
     * The flags as libtraceevent prints them (data_latency_format in event-parse.c): it knows irqs-off,
     * need-resched, hardirq/softirq and the preempt depth, not TRACE_FLAG_BH_OFF, so the kernel's
     * 'b' (BH disabled) shows as '.' and 'D' (both) as 'd'; and no migrate-disable column.
     */
    static String libtraceeventFlags(String ftrace) {
        char irqs = ftrace.charAt(0) == 'D' ? 'd' : ftrace.charAt(0) == 'b' ? '.' : ftrace.charAt(0);
        return irqs + ftrace.substring(1, 4);
    }

    private static Event parse(Pattern p, String line) {
        Matcher m = p.matcher(line);
        assertTrue(m.matches(), "a trace line: " + line);
        String comm = p == LATENCY ? "" : m.group("comm");
        String flags = p == REPORT ? "" : m.group("flags");
        String fields = p == LATENCY ? "" : m.group("fields").stripTrailing();
        return new Event(comm, Integer.parseInt(m.group("pid")), Integer.parseInt(m.group("cpu")), flags, m.group("ts"),
                m.group("event"), fields);
    }

    private static List<Event> report(Path dat, Pattern p, String... options) throws IOException, InterruptedException {
        List<Event> events = new ArrayList<>();
        for (String line : run(dat, options)) {
            if (!line.startsWith("cpus=")) {
                events.add(parse(p, line));
            }
        }
        return events;
    }

    /** The non-empty lines {@code trace-cmd report OPTIONS -i dat} prints; it must succeed and print no error. */
    private static List<String> run(Path dat, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("trace-cmd", "report"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-i", dat.toString()));
        Path err = Files.createTempFile(dat.getParent(), "report", ".err");
        Process proc = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "trace-cmd report ends");
        String errors = Files.readString(err);
        assertEquals(0, proc.exitValue(), String.join(" ", cmd) + ": " + errors);
        assertEquals("", errors, String.join(" ", cmd) + " complains about nothing");
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }
}
