package dev.kctx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.cli.output.RunReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("kctx run --out")
class RunOutputsTest {
    static final List<String> FILES = List.of("report.json", "report.txt", "trace.txt", "trace.json", "timeline.svg",
            "trace.dat", "report.html");
    static final ObjectMapper JSON = new ObjectMapper();

    /** Two CPUs, IRQs preempting a soft IRQ preempting a syscall, a kthread, and a bug to report. */
    static final String SCENARIO = """
            name: outputs
            machine: {cpus: 2, seed: 3}
            locks: {L: spinlock, M: mutex}
            irqs:
              - name: nic
                line: 11
                cpus: [0, 1]
                arrivals: {every: 150us, start: 20us}
                handler:
                  - compute: 5us
                  - raise_softirq: NET_RX
              - name: timer
                line: 0
                arrivals: {rate: 20000}
                handler: [compute: 1us]
            softirqs:
              NET_RX:
                - compute: {min: 10us, max: 40us}
                - mutex_lock: M
                - mutex_unlock: M
                - wake_up: rx
            kthreads:
              - {name: rxworker, cpu: 1, repeat: forever, body: [wait_event: rx, {compute: 20us}]}
            processes:
              - name: app
                cpu: 0
                repeat: forever
                body:
                  - compute: 50us
                  - syscall: {name: ioctl, body: [spin_lock: L, compute: 30us, spin_unlock: L, compute: 40us]}
              - {name: other, cpu: 0, repeat: forever, body: [compute: 300us, nanosleep: 50us]}
            run: {until: 2ms}
            """;

    @TempDir
    static Path dir;
    static Path file;
    static Kctx.Result first;

    @BeforeAll
    static void runTwice() throws IOException {
        file = dir.resolve("outputs.yaml");
        Files.writeString(file, SCENARIO);
        first = Kctx.run("run", file.toString(), "--out", dir.resolve("a").toString());
        Kctx.run("run", file.toString(), "--out", dir.resolve("b").toString());
    }

    @Test
    @DisplayName("reports a bug with exit code 1 and prints the report")
    void exitAndText() {
        assertEquals(1, first.code(), first.err());
        assertTrue(first.out().contains("sleep-in-atomic"), first.out());
        assertTrue(first.out().contains("BUG: sleeping function called from invalid context"), first.out());
        assertTrue(first.out().contains("irq_to_softirq"), "latencies are printed");
        assertEquals("", first.err());
    }

    @Test
    @DisplayName("writes the same files byte for byte when run twice")
    void deterministic() throws IOException {
        for (String f : FILES) {
            byte[] a = Files.readAllBytes(dir.resolve("a").resolve(f));
            byte[] b = Files.readAllBytes(dir.resolve("b").resolve(f));
            assertTrue(a.length > 0, f + " is not empty");
            assertArrayEquals(a, b, f + " is identical in both runs");
        }
        JsonNode ra = JSON.readTree(dir.resolve("a/report.json").toFile());
        JsonNode rb = JSON.readTree(dir.resolve("b/report.json").toFile());
        assertEquals(ra.get("trace_sha256"), rb.get("trace_sha256"));
        assertEquals(RunReport.sha256(Files.readString(dir.resolve("a/trace.txt"))), ra.get("trace_sha256").asText(),
                "trace_sha256 is the SHA-256 of trace.txt");
    }

    @Test
    @DisplayName("gives another trace for another seed")
    void seedMatters() throws IOException {
        Kctx.Result r = Kctx.run("run", file.toString(), "--seed", "4", "--out", dir.resolve("c").toString());
        assertEquals(1, r.code());
        JsonNode rc = JSON.readTree(dir.resolve("c/report.json").toFile());
        assertEquals(4, rc.get("seed").asLong());
        assertNotEquals(JSON.readTree(dir.resolve("a/report.json").toFile()).get("trace_sha256"), rc.get("trace_sha256"));
    }

    @Test
    @DisplayName("writes report.json in the documented schema")
    void reportJson() throws IOException {
        JsonNode r = JSON.readTree(dir.resolve("a/report.json").toFile());
        for (String k : List.of("schema", "scenario", "file", "seed", "cpus", "untilNs", "endNs", "events", "failure",
                "passed", "reports", "expect", "cpuStats", "latency", "mechanisms", "dmesg", "trace_sha256")) {
            assertTrue(r.has(k), "report.json has " + k);
        }
        assertEquals("kctx-report/1", r.get("schema").asText());
        assertEquals("outputs", r.get("scenario").asText());
        assertEquals(3, r.get("seed").asLong());
        assertEquals(2_000_000, r.get("untilNs").asLong());
        JsonNode rep = r.get("reports").get(0);
        for (String k : List.of("kind", "title", "cpu", "timeNs", "context", "task", "pid", "op", "locksHeld",
                "preemptCount", "details", "count")) {
            assertTrue(rep.has(k), "a report has " + k);
        }
        assertEquals("sleep-in-atomic", rep.get("kind").asText());
        assertEquals("mutex_lock(M)", rep.get("op").asText());
        assertTrue(rep.get("count").asInt() > 1, "repeated reports are counted");
        JsonNode cpu0 = r.get("cpuStats").get(0);
        long sum = 0;
        for (String l : List.of("hardirq", "softirq", "kernel", "user", "idle")) {
            sum += cpu0.get("timeNs").get(l).asLong();
        }
        assertEquals(r.get("endNs").asLong(), sum, "the level times of a CPU add up to the run's length");
        JsonNode lat = r.get("latency").get("irq_to_softirq");
        assertTrue(lat.get("count").asLong() > 0 && lat.get("p50Ns").asLong() <= lat.get("maxNs").asLong());
        assertTrue(r.get("mechanisms").isObject() && r.get("mechanisms").isEmpty());
    }

    @Test
    @DisplayName("writes trace.json as Chrome trace events with valid fields, tracks and non-overlapping slices")
    void traceJson() throws IOException {
        JsonNode root = JSON.readTree(dir.resolve("a/trace.json").toFile());
        JsonNode events = root.get("traceEvents");
        assertTrue(events.isArray() && events.size() > 50, "there are events");
        Map<String, Long> trackEnd = new HashMap<>();
        Set<Integer> namedPids = new HashSet<>();
        Set<Integer> namedTids = new HashSet<>();
        Set<String> levels = new HashSet<>();
        int slices = 0;
        int instants = 0;
        for (JsonNode e : events) {
            for (String k : List.of("ph", "ts", "pid", "tid", "name", "args")) {
                assertTrue(e.has(k), "event has '" + k + "': " + e);
            }
            String ph = e.get("ph").asText();
            assertTrue(Set.of("M", "X", "i").contains(ph), "known phase: " + e);
            assertTrue(e.get("pid").isInt() && e.get("pid").asInt() >= 1, "pid is a positive integer: " + e);
            assertTrue(e.get("tid").isInt() && e.get("tid").asInt() >= 0, "tid is an integer: " + e);
            assertTrue(e.get("ts").isNumber() && e.get("ts").asDouble() >= 0, "ts is a non-negative number: " + e);
            assertFalse(e.get("name").asText().isEmpty(), "name is set: " + e);
            assertTrue(e.get("args").isObject(), "args is an object: " + e);
            switch (ph) {
                case "M" -> {
                    if (e.get("name").asText().equals("process_name")) {
                        namedPids.add(e.get("pid").asInt());
                    }
                    if (e.get("name").asText().equals("thread_name")) {
                        namedTids.add(e.get("tid").asInt());
                    }
                }
                case "X" -> {
                    slices++;
                    assertTrue(e.get("dur").isNumber() && e.get("dur").asDouble() >= 0, "dur >= 0: " + e);
                    long start = Math.round(e.get("ts").asDouble() * 1000);
                    long end = start + Math.round(e.get("dur").asDouble() * 1000);
                    assertTrue(end <= 2_000_000, "slices end by the end of the run: " + e);
                    String track = e.get("pid") + "/" + e.get("tid");
                    long prev = trackEnd.getOrDefault(track, 0L);
                    assertTrue(start >= prev, "slices on one track do not overlap: " + e);
                    trackEnd.put(track, end);
                    assertTrue(namedPids.contains(e.get("pid").asInt()) && namedTids.contains(e.get("tid").asInt()),
                            "the slice's process and thread are named first: " + e);
                    levels.add(e.get("cat").asText());
                    assertTrue(e.get("args").has("context") && e.get("args").has("ended_by"), e.toString());
                }
                default -> {
                    instants++;
                    assertEquals("t", e.get("s").asText(), "reports are thread-scoped instants");
                    assertEquals("report", e.get("cat").asText());
                }
            }
        }
        assertEquals(Set.of(1, 2), namedPids, "one process per CPU");
        assertEquals(Set.of(11, 12, 13, 14, 21, 22, 23, 24), namedTids, "one thread per context level per CPU");
        assertEquals(Set.of("hardirq", "softirq", "kernel", "user"), levels, "all four levels ran");
        assertTrue(slices > 20 && instants > 0, slices + " slices, " + instants + " reports");
        String text = Files.readString(dir.resolve("a/trace.json"));
        assertTrue(text.contains("preempted by hardirq 11 nic"), "preemption is visible as split slices");
    }

    @Test
    @DisplayName("draws timeline.svg as well-formed SVG with lanes, axis, legend and report markers")
    void svg() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var doc = f.newDocumentBuilder().parse(dir.resolve("a/timeline.svg").toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        String svg = Files.readString(dir.resolve("a/timeline.svg"));
        for (String s : List.of("CPU 0", "CPU 1", "hardirq running", "preempted", "class=\"report\"", ">1ms<",
                "[1] sleep-in-atomic")) {
            assertTrue(svg.contains(s), "the picture shows " + s);
        }
    }

    @Test
    @DisplayName("prints report.json on stdout with --format json, and honours --until")
    void jsonFormat() throws IOException {
        Kctx.Result r = Kctx.run("run", file.toString(), "--format", "json", "--until", "500us");
        JsonNode j = JSON.readTree(r.out());
        assertEquals(500_000, j.get("untilNs").asLong());
        assertFalse(j.get("passed").asBoolean());
    }

    @Test
    @DisplayName("exits 0 for a clean run, and 2 for bad options")
    void exitCodes() throws IOException {
        Path clean = dir.resolve("clean.yaml");
        Files.writeString(clean, "kthreads: [{name: k, body: [compute: 10us, msleep: 10us]}]\nrun: {until: 100us}\n");
        assertEquals(0, Kctx.run("run", clean.toString()).code());
        assertEquals(0, Kctx.run("check", clean.toString()).code());
        Kctx.Result bad = Kctx.run("run", clean.toString(), "--until", "soon");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("kctx: --until: bad duration 'soon'"), bad.err());
        assertEquals(2, Kctx.run("run", clean.toString(), "--format", "xml").code());
        Kctx.Result missing = Kctx.run("check", dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.yaml:1:1: no such file"), missing.err());
    }

    @Test
    @DisplayName("check prints one linter line per distinct report and the worst exit code")
    void check() throws IOException {
        Path clean = dir.resolve("ok.yaml");
        Files.writeString(clean, "kthreads: [{name: k, body: [compute: 10us]}]\nrun: {until: 100us}\n");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "kthreads: [{name: k, body: [bogus: 1]}]\n");
        Kctx.Result r = Kctx.run("check", file.toString(), clean.toString(), broken.toString());
        assertEquals(2, r.code(), "bad input in any file wins");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("\\Q" + file + "\\E: sleep-in-atomic: BUG: sleeping function called from invalid"
                + " context at kernel/locking/mutex.c \\(cpu \\d, [0-9.]+us, softirq NET_RX, mutex_lock\\(M\\)\\)"
                + " \\[\\d+ times]"), lines.get(0));
        assertTrue(lines.contains(clean + ": ok"), r.out());
        assertTrue(r.err().startsWith(broken + ":1:29: unknown operation 'bogus'"), r.err());
        assertEquals(1, Kctx.run("check", file.toString(), clean.toString()).code(), "reports give 1");
    }
}
