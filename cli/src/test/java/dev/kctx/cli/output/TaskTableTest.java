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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The task table: report.json's tasks, report.txt's table, and expect: tasks")
class TaskTableTest {

    @TempDir
    static Path dir;

    /**
     * Four processes ending four ways: killed by SIGKILL in nanosleep, exit(0) at the end of its
     * program, asleep in nanosleep (S) and in an uninterruptible msleep inside a system call (D)
     * when the run ends.
     */
    static final String TASKS = """
            processes:
              - name: victim
                pid: 4243
                body: [nanosleep: 1s]
              - name: napper
                pid: 4244
                body: [nanosleep: 1s]
              - name: stuck
                pid: 4245
                body: [syscall: {name: read, body: [msleep: 1s]}]
              - name: killer
                pid: 4242
                body:
                  - nanosleep: 1ms
                  - kill: {pid: 4243, signal: SIGKILL}
            run: {until: 10ms}
            """;

    static Path write(String name, String yaml) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    static JsonNode task(JsonNode tasks, int pid) {
        for (JsonNode t : tasks) {
            if (t.get("pid").asInt() == pid) {
                return t;
            }
        }
        throw new AssertionError("no task " + pid + " in " + tasks);
    }

    @Test
    @DisplayName("report.json lists every task with its comm, kind, final state, exit code or killing signal")
    void json() throws IOException {
        Kctx.Result r = Kctx.run("run", write("tasks", TASKS).toString(), "--format", "json");
        assertEquals(0, r.code(), r.err() + r.out());
        JsonNode tasks = new ObjectMapper().readTree(r.out()).get("tasks");
        JsonNode victim = task(tasks, 4243);
        assertEquals("victim", victim.get("comm").asText());
        assertEquals("process", victim.get("kind").asText());
        assertEquals("X", victim.get("state").asText());
        assertEquals("SIGKILL", victim.get("signal").asText());
        assertTrue(victim.get("exit").isNull(), "killed, so no exit code: " + victim);
        JsonNode killer = task(tasks, 4242);
        assertEquals("X", killer.get("state").asText());
        assertEquals(0, killer.get("exit").asInt());
        assertTrue(killer.get("signal").isNull(), killer.toString());
        assertEquals("S", task(tasks, 4244).get("state").asText(), "asleep in nanosleep");
        assertEquals("D", task(tasks, 4245).get("state").asText(), "asleep in msleep");
        assertEquals("kthread", task(tasks, 10).get("kind").asText(), "ksoftirqd/0 is a task too");
    }

    @Test
    @DisplayName("report.txt prints the table, one line per task")
    void text() throws IOException {
        Kctx.Result r = Kctx.run("run", write("tasks-text", TASKS).toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("4243     victim           process X     killed by SIGKILL\n"), r.out());
        assertTrue(r.out().contains("4242     killer           process X     exit 0\n"), r.out());
        assertTrue(r.out().contains("4245     stuck            process D     -\n"), r.out());
    }

    @Test
    @DisplayName("expect: tasks passes when each task ended as expected and fails, naming how it did end, when not")
    void expect() throws IOException {
        Kctx.Result met = Kctx.run("check", write("met", TASKS + """
                expect:
                  tasks:
                    4243: {signal: SIGKILL}
                    4242: {exit: 0}
                    4244: {state: S}
                    4245: {state: D}
                """).toString());
        assertEquals(0, met.code(), met.err() + met.out());
        Kctx.Result unmet = Kctx.run("run", write("unmet", TASKS + """
                expect:
                  tasks:
                    4243: {exit: 0}
                    4242: {signal: SIGKILL}
                    4244: {state: R}
                    4245: {state: X}
                """).toString());
        assertEquals(1, unmet.code(), unmet.err() + unmet.out());
        assertTrue(unmet.out().contains("FAIL  tasks: 4243 (victim): killed by SIGKILL (expected exit 0)"), unmet.out());
        assertTrue(unmet.out().contains("FAIL  tasks: 4242 (killer): exit 0 (expected killed by SIGKILL)"), unmet.out());
        assertTrue(unmet.out().contains("FAIL  tasks: 4244 (napper): state S (expected state R)"), unmet.out());
        assertTrue(unmet.out().contains("FAIL  tasks: 4245 (stuck): state D (expected state X)"), unmet.out());
    }
}
