package dev.kctx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("report.json's mechanisms: the socket mechanisms' counters when the run ended")
class MechanismCountersTest {

    @TempDir
    static Path dir;

    /**
     * Known traffic: a netlink flood of 10 at a reader whose receive buffer holds 3 (the kernel's
     * 7 further sends fail with EAGAIN, the reader's socket drops 7 with ENOBUFS), and a UDP flood
     * of 20 at a receiver that holds 3 (17 dropped, ENOMEM), next to one echo each way.
     */
    static final String TRAFFIC = """
            modules:
              - builtin: nlexample
              - builtin: kudp
            processes:
              - name: sh
                pid: 4242
                body:
                  - sh: "insmod nlexample.ko"
                  - sh: "./nlflood 10"
                  - sh: "insmod kudp.ko"
                  - sh: "./udpecho hello"
                  - sh: "./udpsink 20"
            run: {until: 20ms}
            """;

    static Path write(String name, String yaml) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    @DisplayName("counts sent, delivered, dropped by errno, in flight and errors by errno, per mechanism and per socket")
    void json() throws IOException {
        Kctx.Result r = Kctx.run("run", write("traffic", TRAFFIC).toString(), "--format", "json");
        assertEquals(0, r.code(), r.err() + r.out());
        JsonNode m = new ObjectMapper().readTree(r.out()).get("mechanisms");
        JsonNode nl = m.get("netlink");
        assertEquals(11, nl.get("sent").asLong(), nl.toString());
        assertEquals(4, nl.get("delivered").asLong(), nl.toString());
        assertEquals(7, nl.get("droppedTotal").asLong());
        assertEquals("{\"ENOBUFS\":7}", nl.get("dropped").toString());
        assertEquals(0, nl.get("inFlight").asLong());
        assertEquals(8, nl.at("/errors/EAGAIN").asLong(), nl.toString());
        assertEquals(1, nl.at("/errors/ENOBUFS").asLong(), nl.toString());
        assertTrue(nl.get("conserved").asBoolean());
        JsonNode reader = socket(nl, "netlink 31 port 4243");
        assertEquals(4243, reader.get("owner").asInt());
        assertFalse(reader.get("open").asBoolean(), "the program exited, which closed it");
        assertEquals(3, reader.get("delivered").asLong());
        assertEquals(7, reader.at("/dropped/ENOBUFS").asLong());
        assertEquals(0, reader.get("queued").asLong());
        JsonNode kernel = socket(nl, "netlink 31 port 0");
        assertEquals(0, kernel.get("owner").asInt(), "the kernel's socket");
        assertEquals(7, kernel.at("/errors/EAGAIN").asLong());

        JsonNode udp = m.get("udp");
        assertEquals(23, udp.get("sent").asLong(), udp.toString());
        assertEquals(6, udp.get("delivered").asLong());
        assertEquals("{\"ENOMEM\":17}", udp.get("dropped").toString());
        assertTrue(udp.get("conserved").asBoolean());
        assertEquals(17, socket(udp, "udp 127.0.0.1:6000").at("/dropped/ENOMEM").asLong());
        // sent = delivered + dropped + in flight, for every mechanism
        m.fields().forEachRemaining(e -> assertEquals(e.getValue().get("sent").asLong(), e.getValue().get("delivered").asLong()
                + e.getValue().get("droppedTotal").asLong() + e.getValue().get("inFlight").asLong(), e.getKey()));
    }

    private static JsonNode socket(JsonNode mechanism, String name) {
        for (JsonNode s : mechanism.get("sockets")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no socket " + name + " in " + mechanism);
    }

    @Test
    @DisplayName("run twice with --out, a scenario with socket traffic writes the same files byte for byte")
    void deterministic() throws IOException {
        Path f = write("traffic-twice", TRAFFIC);
        for (String out : List.of("a", "b")) {
            Kctx.Result r = Kctx.run("run", f.toString(), "--out", dir.resolve(out).toString());
            assertEquals(0, r.code(), r.err() + r.out());
        }
        for (String file : List.of("report.json", "report.txt", "trace.txt", "trace.json", "timeline.svg")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)), Files.readAllBytes(dir.resolve("b").resolve(file)), file);
        }
        assertTrue(Files.readString(dir.resolve("a/report.txt")).contains("\nmechanisms:\n"));
    }

    @Test
    @DisplayName("report.txt prints a line per mechanism and per socket")
    void text() throws IOException {
        Kctx.Result r = Kctx.run("run", write("traffic-text", TRAFFIC).toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("\nmechanisms:\n"), r.out());
        assertTrue(r.out().contains("\nnetlink: sent 11 delivered 4 dropped 7 (ENOBUFS 7) in-flight 0 errors (EAGAIN 8, ENOBUFS 1)\n"), r.out());
        assertTrue(r.out().contains("\nudp: sent 23 delivered 6 dropped 17 (ENOMEM 17) in-flight 0 errors (EAGAIN 1)\n"), r.out());
        assertTrue(r.out().contains("\n  udp 127.0.0.1:6000 pid 4245 (closed): sent 1 delivered 3 dropped 17 (ENOMEM 17) queued 0"), r.out());
    }

    @Test
    @DisplayName("a run that used no socket has an empty mechanisms object and no mechanisms lines")
    void none() throws IOException {
        Path f = write("quiet", "kthreads: [{name: k, body: [compute: 5us]}]\n");
        Kctx.Result r = Kctx.run("run", f.toString(), "--format", "json");
        assertEquals("{}", new ObjectMapper().readTree(r.out()).get("mechanisms").toString());
        assertFalse(Kctx.run("run", f.toString()).out().contains("mechanisms:"));
    }

    @Test
    @DisplayName("expect: mechanisms checks the counters; a wrong count fails the run")
    void expectCounts() throws IOException {
        Kctx.Result ok = Kctx.run("check", write("counts-ok", TRAFFIC + """
                expect:
                  mechanisms:
                    netlink: {sent: 11, dropped: {ENOBUFS: 7}, errors: {min: 9}}
                    udp: {dropped: 17, in_flight: 0}
                    genetlink: {sent: 0}
                """).toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        Kctx.Result bad = Kctx.run("run", write("counts-bad", TRAFFIC + """
                expect:
                  mechanisms:
                    netlink: {dropped: {ENOBUFS: 6, EAGAIN: 0}}
                    udp: {delivered: {min: 7}}
                """).toString());
        assertEquals(1, bad.code(), bad.out());
        assertTrue(bad.out().contains("  FAIL  mechanisms: netlink dropped ENOBUFS: 7 (expected 6)"), bad.out());
        assertTrue(bad.out().contains("  ok    mechanisms: netlink dropped EAGAIN: 0 (expected 0)"), bad.out());
        assertTrue(bad.out().contains("  FAIL  mechanisms: udp delivered: 6 (expected at least 7)"), bad.out());
        Kctx.Result unused = Kctx.run("run", write("counts-unused", "kthreads: [{name: k, body: [compute: 5us]}]\n"
                + "expect: {mechanisms: {udp: {sent: 1}}}\n").toString());
        assertEquals(1, unused.code(), unused.out());
        assertTrue(unused.out().contains("  FAIL  mechanisms: udp sent: 0 (not used) (expected 1)"), unused.out());
    }
}
