package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workqueues (kernel/workqueue.c, Linux 6.6) in scenario files: {@code works:} and the four operations. */
@DisplayName("Workqueues in scenario files")
class WorkqueueScenarioTest {

    @TempDir
    static Path dir;

    private static Kctx.Result run(String name, String yaml, String... extra) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        List<String> args = new java.util.ArrayList<>(List.of("run", f.toString(), "--out", dir.resolve(name).toString()));
        args.addAll(List.of(extra));
        return Kctx.run(args.toArray(String[]::new));
    }

    private static Kctx.Result check(String name, String yaml) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return Kctx.run("check", f.toString());
    }

    private static List<String> trace(String name, String event) throws IOException {
        return Files.readAllLines(dir.resolve(name + "/trace.txt")).stream().filter(l -> l.contains(event)).toList();
    }

    private static final String LOCK_AND_WORK = """
            machine: {cpus: 2}
            locks:
              m: mutex
            works:
              w:
                - mutex_lock: m
                - msleep: 1ms
                - mutex_unlock: m
            """;

    @Test
    @DisplayName("queue_work on a pending item queues nothing; cancel_work_sync drops a pending item; flush_work waits for the run, which may sleep")
    void pendingCancelFlush() throws IOException {
        Kctx.Result r = run("pcf", LOCK_AND_WORK + """
                kthreads:
                  - name: a
                    cpu: 0
                    body:
                      - queue_work: w
                      - queue_work: w
                      - cancel_work_sync: w
                      - queue_work: w
                      - flush_work: w
                      - compute: 3us
                run: {until: 5ms}
                expect: {clean: true}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, trace("pcf", "pending: not queued").size(), "the second queue_work found it pending");
        assertEquals(1, trace("pcf", "workqueue_cancel: work=w was pending").size());
        List<String> starts = trace("pcf", "workqueue_execute_start: work=w");
        assertEquals(1, starts.size(), "the cancelled instance never ran, the requeued one did once: " + starts);
        assertTrue(starts.get(0).contains("kworker/0:1-"), "run by the kworker: " + starts);
        List<String> exit = trace("pcf", "prev_comm=a prev_pid=13 prev_prio=120 prev_state=X");
        assertEquals(1, exit.size());
        assertTrue(exit.get(0).contains("0.001003:"), "flush_work returned when the 1ms work ended: " + exit);
    }

    @Test
    @DisplayName("queueing from hard IRQ and soft IRQ context is legal; the work's function sleeps in process context")
    void queueFromAnyContext() throws IOException {
        Kctx.Result r = check("any", LOCK_AND_WORK + """
                irqs:
                  - {name: nic, line: 11, cpus: [1], arrivals: {at: [10us]}, handler: [schedule_work: w, raise_softirq: NET_RX]}
                softirqs:
                  NET_RX: [queue_work: w]
                run: {until: 3ms}
                expect: {clean: true}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
    }

    @Test
    @DisplayName("flush_work and cancel_work_sync from a soft IRQ: might_sleep in start_flush_work reports, naming kernel/workqueue.c")
    void flushFromSoftirq() throws IOException {
        for (String op : List.of("flush_work", "cancel_work_sync")) {
            Kctx.Result r = run("soft-" + op, LOCK_AND_WORK + """
                    irqs:
                      - {name: nic, line: 11, cpus: [1], arrivals: {at: [10us]}, handler: [raise_softirq: NET_RX]}
                    softirqs:
                      NET_RX: [OP: w]
                    run: {until: 3ms}
                    """.replace("OP", op));
            assertTrue(r.out().contains("BUG: sleeping function called from invalid context at kernel/workqueue.c"), op + ": " + r.out());
            assertTrue(r.out().contains("op: " + op + "(w)"), r.out());
            assertTrue(!r.out().contains("circular"), "no lock held: " + r.out());
        }
    }

    @Test
    @DisplayName("cancel_work_sync under a lock the work takes is lockdep's circular dependency too (6.6 __flush_work from cancel); after the unlock it is not")
    void cancelUnderLock() throws IOException {
        String body = """
                kthreads:
                  - name: a
                    cpu: 1
                    body: [queue_work: w, msleep: 2ms, BODY]
                run: {until: 5ms}
                """;
        Kctx.Result bad = check("cancel-bad", LOCK_AND_WORK + body.replace("BODY", "mutex_lock: m, cancel_work_sync: w, mutex_unlock: m"));
        assertTrue(bad.out().contains("circular-locking: WARNING: possible circular locking dependency detected"), bad.out());
        assertTrue(bad.out().contains("cancel_work_sync(w)"), bad.out());
        Kctx.Result good = check("cancel-good", LOCK_AND_WORK + body.replace("BODY", "mutex_lock: m, mutex_unlock: m, cancel_work_sync: w")
                + "expect: {clean: true}\n");
        assertEquals(0, good.code(), good.out() + good.err());
    }

    @Test
    @DisplayName("flush_work under the lock while the work is still queued: the report, and the real deadlock it warns of")
    void flushUnderLockDeadlocks() throws IOException {
        Kctx.Result r = run("dead", LOCK_AND_WORK + """
                kthreads:
                  - name: a
                    cpu: 1
                    body: [mutex_lock: m, queue_work: w, flush_work: w, mutex_unlock: m]
                run: {until: 5ms}
                """);
        assertTrue(r.out().contains("WARNING: possible circular locking dependency detected"), r.out());
        assertTrue(r.out().matches("(?s).*kworker/0:1 +kthread D.*"), "the worker waits for m: " + r.out());
        assertTrue(r.out().matches("(?s).*\\ba +kthread D.*"), "the flusher waits for the work: " + r.out());
    }

    @Test
    @DisplayName("an idle kworker sleeps in TASK_IDLE (I), which khungtaskd ignores: no hung task after 241 s idle")
    void idleWorkerIsNotHung() throws IOException {
        Kctx.Result r = run("idle", LOCK_AND_WORK + """
                kthreads:
                  - name: a
                    cpu: 1
                    body: [queue_work: w]
                run: {until: 241s}
                expect: {clean: true}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*kworker/0:1 +kthread I.*"), "the worker idles in I: " + r.out());
        List<String> out = trace("idle", "prev_comm=kworker/0:1");
        assertEquals(List.of("I", "D", "I"), out.stream().map(l -> l.replaceAll(".*prev_state=(\\S+) .*", "$1")).toList(),
                "idle at boot (TASK_IDLE), msleep in the work (D), idle again after it: " + out);
    }

    private static List<String> times(String name, String event) throws IOException {
        return trace(name, event).stream().map(l -> l.replaceAll(".* (\\d+\\.\\d{6}): .*", "$1")).toList();
    }

    @Test
    @DisplayName("delayed works: the timer queues the work at its jiffy; pending ignores a second queue; mod replaces the delay;"
            + " cancel takes the timer back; flush runs it now and waits")
    void delayedWork() throws IOException {
        Kctx.Result r = run("delayed", """
                machine: {cpus: 2}
                works:
                  d: [compute: 10us]
                kthreads:
                  - name: a
                    cpu: 1
                    body:
                      - queue_delayed_work: {work: d, delay: 3ms}
                      - schedule_delayed_work: {work: d, delay: 1ms}
                      - mod_delayed_work: {work: d, delay: 2ms}
                      - msleep: 4ms
                      - queue_delayed_work: {work: d, delay: 5ms}
                      - cancel_delayed_work: d
                      - queue_delayed_work: {work: d, delay: 5ms}
                      - flush_delayed_work: d
                      - compute: 1us
                run: {until: 12ms}
                expect: {clean: true}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, trace("delayed", "pending: not queued").size(), "schedule_delayed_work found it pending");
        assertEquals(1, trace("delayed", "was pending: delay replaced").size(), "mod_delayed_work took it back");
        assertEquals(List.of("0.002000"), times("delayed", "timer_expire_entry"), "the 2 ms timer fired once, in TIMER_SOFTIRQ");
        assertTrue(trace("delayed", "timer_expire_entry").get(0).contains("[001]"), "on the CPU that armed it");
        List<String> starts = times("delayed", "workqueue_execute_start: work=d");
        assertEquals(2, starts.size(), "run at 2 ms, then by flush_delayed_work; the cancelled timer never fired: " + starts);
        assertEquals("0.002000", starts.get(0));
        assertTrue(starts.get(1).startsWith("0.004"), "flush_delayed_work queued it at once: " + starts);
    }

    @Test
    @DisplayName("queue_delayed_work and cancel_delayed_work are legal in any context; flush_delayed_work and"
            + " cancel_delayed_work_sync from a soft IRQ are the kernel's BUG")
    void delayedWorkContexts() throws IOException {
        String base = """
                machine: {cpus: 2}
                works:
                  d: [msleep: 1ms]
                irqs:
                  - {name: nic, line: 11, cpus: [1], arrivals: {at: [10us]}, handler: [queue_delayed_work: {work: d, delay: 1ms}, raise_softirq: NET_RX]}
                run: {until: 5ms}
                """;
        Kctx.Result clean = check("dctx", base + """
                softirqs:
                  NET_RX: [cancel_delayed_work: d, schedule_delayed_work: {work: d, delay: 2ms}]
                expect: {clean: true}
                """);
        assertEquals(0, clean.code(), clean.out() + clean.err());
        for (String op : List.of("flush_delayed_work", "cancel_delayed_work_sync")) {
            Kctx.Result bad = run("dbad-" + op, base + "softirqs:\n  NET_RX: [" + op + ": d]\n");
            assertTrue(bad.out().contains("BUG: sleeping function called from invalid context"), op + ": " + bad.out());
            assertTrue(bad.out().contains(op + "(d)"), bad.out());
        }
    }

    @Test
    @DisplayName("an undeclared work is an error naming the declared ones")
    void unknownWork() {
        ScenarioError e = assertThrows(ScenarioError.class, () -> ScenarioLoader.load(LOCK_AND_WORK + """
                kthreads: [{name: a, body: [flush_work: v]}]
                """, "t"));
        assertTrue(e.getMessage().contains("'works:'"), e.getMessage());
        ScenarioError none = assertThrows(ScenarioError.class, () -> ScenarioLoader.load("""
                kthreads: [{name: a, body: [queue_work: v]}]
                """, "t"));
        assertTrue(none.getMessage().contains("works:"), none.getMessage());
    }
}
