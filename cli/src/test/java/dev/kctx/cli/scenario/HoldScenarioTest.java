package dev.kctx.cli.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("hold and rcvbuf on the netlink operation: a consumer that stops reading")
class HoldScenarioTest {

    @TempDir
    static Path dir;

    static JsonNode run(String name, String yaml) throws IOException {
        return run(dir, name, yaml);
    }

    /** Runs the scenario text from a file in {@code in} and answers its report.json. */
    static JsonNode run(Path in, String name, String yaml) throws IOException {
        Path f = in.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        Kctx.Result r = Kctx.run("run", f.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err() + r.out());
        return new ObjectMapper().readTree(r.out());
    }

    static JsonNode socket(JsonNode mechanism, String name) {
        for (JsonNode s : mechanism.get("sockets")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no socket " + name + " in " + mechanism);
    }

    @Test
    @DisplayName("the kernel's reply fills a small receive buffer; its ACK, sent with MSG_DONTWAIT, gets EAGAIN and is dropped (ENOBUFS), and the held reader's first recvmsg says ENOBUFS")
    void unicastToAFullReader() throws IOException {
        String text = "x".repeat(3000);
        JsonNode r = run("unicast", """
                modules:
                  - name: m
                    netlink:
                      - unit: 25
                        input: {reply: "you said: {text}"}
                processes:
                  - name: sh
                    pid: 4242
                    body:
                      - sh: "insmod m.ko"
                      - netlink: {unit: 25, send: "%s", ack: true, rcvbuf: 1, hold: 1ms, recv: 2}
                run: {until: 10ms}
                """.formatted(text));
        JsonNode nl = r.at("/mechanisms/netlink");
        assertEquals(1, socket(nl, "netlink 25 port 0").at("/errors/EAGAIN").asLong(), "netlink_ack's unicast: -EAGAIN: " + nl);
        JsonNode reader = socket(nl, "netlink 25 port 4242");
        assertEquals(1, reader.get("delivered").asLong(), "the reply was queued: " + reader);
        assertEquals(1, reader.at("/dropped/ENOBUFS").asLong(), "the ACK was dropped: " + reader);
        assertTrue(nl.get("conserved").asBoolean());
        assertEquals("recvmsg: No buffer space available", r.at("/console/2").asText(), r.get("console").toString());
        assertTrue(r.at("/console/3").asText().startsWith("kernel says: you said: xxx"), r.get("console").toString());
    }

    @Test
    @DisplayName("recv: 0 with a hold past the end: the subscriber is still asleep with its socket open and bound when the run ends")
    void neverReads() throws IOException {
        JsonNode r = run("never", """
                modules: [{builtin: nlexample}]
                processes:
                  - name: sub
                    pid: 4243
                    body:
                      - nanosleep: 1ms
                      - netlink: {unit: 31, groups: 1, recv: 0, hold: 1s}
                  - name: sh
                    pid: 4242
                    body: [sh: "insmod nlexample.ko"]
                run: {until: 10ms}
                """);
        JsonNode sub = socket(r.at("/mechanisms/netlink"), "netlink 31 port 4243");
        assertTrue(sub.get("open").asBoolean(), "held open: " + sub);
        for (JsonNode t : r.get("tasks")) {
            if (t.get("pid").asInt() == 4243) {
                assertEquals("S", t.get("state").asText(), "asleep in the hold's nanosleep");
                return;
            }
        }
        throw new AssertionError("no task 4243");
    }
}
