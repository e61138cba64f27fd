package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Tasklets in scenario files")
class TaskletScenarioTest {

    @TempDir
    static Path dir;

    private static final Pattern EVENT = Pattern.compile("\\[(\\d{3})] \\S+ +(\\d+\\.\\d{6}): tasklet_(entry|exit): tasklet=(\\w+)");

    /** One tasklet_entry or tasklet_exit line of trace.txt. */
    record Event(int cpu, long us, boolean entry, String tasklet) {
    }

    static List<Event> events(Path trace) throws IOException {
        List<Event> out = new ArrayList<>();
        for (String line : Files.readAllLines(trace)) {
            Matcher m = EVENT.matcher(line);
            if (m.find()) {
                long us = Math.round(Double.parseDouble(m.group(2)) * 1_000_000);
                out.add(new Event(Integer.parseInt(m.group(1)), us, m.group(3).equals("entry"), m.group(4)));
            }
        }
        return out;
    }

    @Test
    @DisplayName("a tasklet scheduled on two CPUs at once runs in soft IRQ context one run after the other, never twice at a time")
    void neverConcurrent() throws IOException {
        Path f = dir.resolve("two-cpus.yaml");
        Files.writeString(f, """
                machine: {cpus: 2}
                irqs:
                  - {name: a, line: 10, cpus: [0], arrivals: {at: [10us]}, handler: [compute: 1us, tasklet_schedule: work]}
                  - {name: b, line: 11, cpus: [1], arrivals: {at: [10us]}, handler: [compute: 1us, tasklet_schedule: work]}
                tasklets:
                  work: [compute: 30us, tasklet_schedule: other]
                  other: [compute: 5us]
                run: {until: 1ms}
                expect: {clean: true}
                """);
        Kctx.Result r = Kctx.run("run", f.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<Event> work = events(dir.resolve("out/trace.txt")).stream().filter(e -> e.tasklet().equals("work")).toList();
        assertEquals(4, work.size(), "two runs of work, one per scheduling CPU: " + work);
        // entry, exit, entry, exit: the second run starts when the first has ended, on the other CPU
        assertTrue(work.get(0).entry() && !work.get(1).entry() && work.get(2).entry() && !work.get(3).entry(), work.toString());
        assertEquals(work.get(0).cpu(), work.get(1).cpu());
        assertEquals(work.get(2).cpu(), work.get(3).cpu());
        assertTrue(work.get(0).cpu() != work.get(2).cpu(), "each CPU ran the run it scheduled: " + work);
        assertEquals(11, work.get(0).us());
        assertEquals(41, work.get(1).us(), "30us of work");
        assertTrue(work.get(2).us() >= work.get(1).us(), "not before the first run ended: " + work);
        long others = events(dir.resolve("out/trace.txt")).stream().filter(e -> e.tasklet().equals("other") && e.entry()).count();
        assertEquals(2, others, "a tasklet schedules another");
        assertTrue(Files.readString(dir.resolve("out/trace.txt")).contains("softirq_entry: vec=6 [action=TASKLET]"));
    }
}
