package dev.kctx.cli.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The sigaction operation: a handler, SIG_IGN, SIG_DFL, and what the kernel refuses")
class SigactionOpTest {
    @TempDir
    static Path dir;

    private static String console(JsonNode r) {
        StringBuilder b = new StringBuilder();
        r.get("console").forEach(l -> b.append(l.asText()).append('\n'));
        return b.toString();
    }

    private static JsonNode task(JsonNode r, int pid) {
        for (JsonNode t : r.get("tasks")) {
            if (t.get("pid").asInt() == pid) {
                return t;
            }
        }
        throw new AssertionError("no task " + pid + " in " + r.get("tasks"));
    }

    @Test
    @DisplayName("a handled signal runs the handler and the process goes on; SIG_IGN discards it; back to SIG_DFL it kills")
    void handlerIgnoreDefault() throws IOException {
        JsonNode r = HoldScenarioTest.run(dir, "sigaction", """
                processes:
                  - name: p
                    pid: 4300
                    body:
                      - sigaction: {signal: SIGUSR1, handler: [sh: "echo handled"]}
                      - kill: {pid: 4300, signal: SIGUSR1}
                      - sigaction: {signal: USR1, action: ignore}
                      - kill: {pid: 4300, signal: SIGUSR1}
                      - sh: "echo still here"
                      - sigaction: {signal: 10, action: default}
                      - kill: {pid: 4300, signal: SIGUSR1}
                      - sh: "echo not reached"
                run: {until: 10ms}
                """);
        String console = console(r);
        assertTrue(console.contains("handled\n"), console);
        assertEquals(1, console.split("\nhandled\n", -1).length - 1, "the handler ran once (the ignored signal was discarded): " + console);
        assertTrue(console.contains("still here"), console);
        assertFalse(console.contains("not reached"), "SIG_DFL of SIGUSR1 terminates: " + console);
        assertEquals("SIGUSR1", task(r, 4300).get("signal").asText(), "killed by SIGUSR1: " + task(r, 4300));
    }

    @Test
    @DisplayName("SIGKILL and SIGSTOP cannot be caught: rt_sigaction answers EINVAL and perror says so")
    void uncatchable() throws IOException {
        JsonNode r = HoldScenarioTest.run(dir, "uncatchable", """
                processes:
                  - name: p
                    body:
                      - sigaction: {signal: SIGKILL, handler: [compute: 1us]}
                      - sigaction: {signal: SIGSTOP, action: ignore}
                      - sigaction: {signal: SIGTERM, action: ignore}
                run: {until: 1ms}
                """);
        assertEquals("sigaction: Invalid argument\nsigaction: Invalid argument\n", console(r), "two refusals, SIGTERM accepted");
    }
}
