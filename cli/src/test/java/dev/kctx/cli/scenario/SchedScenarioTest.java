package dev.kctx.cli.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.actors.sched.Policy;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Scheduling in scenarios: machine keys, task attributes, count, and the scheduling calls")
class SchedScenarioTest {
    @TempDir
    static Path dir;

    private static Scenario load(String yaml) {
        return ScenarioLoader.load(yaml, "sched");
    }

    private static RunResult run(String yaml) {
        Scenario s = load(yaml);
        RunResult r = Simulation.run(s.spec(), s.untilNs());
        assertTrue(r.failure().isEmpty(), "the run went through: " + r.failure());
        return r;
    }

    private static MachineSpec.Task process(MachineSpec spec, String name) {
        return spec.processes().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static MachineSpec.Task kthread(MachineSpec spec, String name) {
        return spec.kthreads().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** The prio sched_switch shows for {@code comm} when it leaves the CPU last before {@code beforeNs}. */
    private static int prioOf(RunResult r, String comm, long beforeNs) {
        int prio = -1;
        for (TraceRecord t : r.trace()) {
            if (t.timeNs() <= beforeNs && t.event().equals("sched_switch") && t.args().startsWith("prev_comm=" + comm + " ")) {
                String a = t.args();
                int i = a.indexOf("prev_prio=") + "prev_prio=".length();
                prio = Integer.parseInt(a.substring(i, a.indexOf(' ', i)));
            }
        }
        return prio;
    }

    private static long exitTime(RunResult r, String comm) {
        return r.trace().stream().filter(t -> t.event().equals("sched_process_exit") && t.args().startsWith("comm=" + comm + " "))
                .mapToLong(TraceRecord::timeNs).findFirst().orElse(-1);
    }

    private static String console(JsonNode r) {
        StringBuilder b = new StringBuilder();
        r.get("console").forEach(l -> b.append(l.asText()).append('\n'));
        return b.toString();
    }

    @Test
    @DisplayName("machine keys set the preemption model, HZ, the base slice (time_slice its old name) and RT throttling")
    void machineKeys() {
        MachineSpec m = load("machine: {cpus: 2, preempt: voluntary, hz: 1000, base_slice: 3ms, rt_runtime: -1, rt_period: 500ms}\n").spec();
        assertEquals(MachineSpec.Preempt.VOLUNTARY, m.preempt());
        assertEquals(1000, m.sched().hz());
        assertEquals(ms(3), m.sched().baseSliceNs());
        assertEquals(-1, m.sched().rtRuntimeNs(), "rt_runtime -1 is RUNTIME_INF");
        assertEquals(ms(500), m.sched().rtPeriodNs());
        assertFalse(m.sched().rtThrottling(), "no RT throttling");
        assertEquals(ms(2), load("machine: {time_slice: 2ms}\n").spec().sched().baseSliceNs(), "time_slice is base_slice's old name");
        MachineSpec d = load("machine: {cpus: 4, rt_runtime: 400ms, rt_period: 500ms}\n").spec();
        assertEquals(250, d.sched().hz(), "CONFIG_HZ=250 by default");
        assertEquals(us(2250), d.sched().baseSliceNs(), "0.75 ms * (1 + ilog2(4)) by default");
        assertEquals(ms(400), d.sched().rtRuntimeNs());
        assertTrue(d.sched().rtThrottling());
    }

    @Test
    @DisplayName("policy, priority, nice and cpus become the tasks' scheduling attributes and cpus_allowed")
    void taskAttributes() {
        MachineSpec m = load("""
                machine: {cpus: 4}
                kthreads:
                  - {name: irqthread, policy: SCHED_FIFO, priority: 50, cpus: "0-1,3", body: [compute: 1us]}
                  - {name: bound, cpu: 2, body: [compute: 1us]}
                processes:
                  - {name: batchy, policy: Batch, nice: 5, cpus: [2], body: [compute: 1us]}
                  - {name: rr, policy: rr, priority: 1, nice: -3, cpu: 3, cpus: 3, body: [compute: 1us]}
                  - {name: other, policy: other, priority: 0, body: [compute: 1us]}
                  - {name: idler, policy: sched_idle, body: [compute: 1us]}
                """).spec();
        assertEquals(SchedAttr.fifo(50), kthread(m, "irqthread").attr());
        assertEquals(List.of(0, 1, 3), kthread(m, "irqthread").allowed(), "a cpulist");
        assertEquals(List.of(), kthread(m, "bound").allowed(), "cpu alone: bound there (kthread_bind)");
        assertEquals(new SchedAttr(Policy.BATCH, 0, 5), process(m, "batchy").attr());
        assertEquals(List.of(2), process(m, "batchy").allowed());
        assertEquals(new SchedAttr(Policy.RR, 1, -3), process(m, "rr").attr(), "an RT task keeps its nice for later");
        assertEquals(3, process(m, "rr").cpu());
        assertEquals(SchedAttr.DEFAULT, process(m, "other").attr(), "other is SCHED_NORMAL; priority 0 is what it takes");
        assertEquals(new SchedAttr(Policy.IDLE, 0, 0), process(m, "idler").attr());
    }

    @Test
    @DisplayName("count makes NAME-0 .. NAME-(N-1) of one body, with consecutive pids from the one given")
    void count() {
        MachineSpec m = load("""
                machine: {cpus: 2}
                kthreads:
                  - {name: kw, count: 3, body: [compute: 1us]}
                processes:
                  - {name: w, count: 5, pid: 6000, cpus: "0-1", policy: fifo, priority: 10, body: [compute: 1us]}
                  - {name: solo, body: [compute: 1us]}
                """).spec();
        List<MachineSpec.Task> ws = m.processes().stream().filter(t -> t.name().startsWith("w-")).toList();
        assertEquals(List.of("w-0", "w-1", "w-2", "w-3", "w-4"), ws.stream().map(MachineSpec.Task::name).toList());
        assertEquals(List.of(6000, 6001, 6002, 6003, 6004), ws.stream().map(MachineSpec.Task::pid).toList());
        for (MachineSpec.Task t : ws) {
            assertEquals(-1, t.cpu(), "not pinned: spread over the CPUs");
            assertEquals(SchedAttr.fifo(10), t.attr());
            assertEquals(List.of(0, 1), t.allowed());
            assertSame(ws.get(0).body(), t.body(), "one body, shared");
        }
        assertEquals(0, process(m, "solo").pid(), "the engine numbers the others");
        assertTrue(m.kthreads().stream().map(MachineSpec.Task::name).toList().containsAll(List.of("kw-0", "kw-1", "kw-2")));
    }

    @Test
    @DisplayName("a 10,000-process machine is a short file: it loads, its processes spread over the CPUs, and it runs")
    void tenThousandProcesses() {
        String yaml = """
                machine: {cpus: 4}
                processes:
                  - name: w
                    count: 10000
                    body: [compute: 10ms]
                run: {until: 1ms}
                """;
        Scenario s = load(yaml);
        assertEquals(10_000, s.spec().processes().size());
        RunResult r = run(yaml);
        Map<Integer, Long> started = r.trace().stream()
                .filter(t -> t.event().equals("sched_wakeup_new") && t.args().startsWith("comm=w-"))
                .collect(Collectors.groupingBy(t -> Integer.parseInt(t.args().substring(t.args().indexOf("target_cpu=") + 11).trim()),
                        TreeMap::new, Collectors.counting()));
        assertEquals(10_000L, started.values().stream().mapToLong(Long::longValue).sum(), "all started");
        assertTrue(started.size() == 4 && started.values().stream().allMatch(n -> n >= 2490 && n <= 2510),
                "spread over the 4 CPUs: " + started);
        assertTrue(r.trace().stream().anyMatch(t -> t.event().equals("sched_switch") && t.args().contains("next_comm=w-")),
                "they run");
    }

    private static final String HOGS = """
              - name: hog
                count: 4
                cpu: 0
                repeat: forever
                body: [compute: 100ms]
            run: {until: 30ms}
            """;

    @Test
    @DisplayName("a process that raises itself to SCHED_FIFO is no longer preempted by CPU-bound fair processes")
    void fifoIsNotPreempted() {
        String fifo = """
                machine: {cpus: 1}
                processes:
                  - name: rt
                    cpu: 0
                    body:
                      - sched_setscheduler: {pid: 0, policy: fifo, priority: 50}
                      - compute: 20ms
                """ + HOGS;
        RunResult r = run(fifo);
        long exit = exitTime(r, "rt");
        assertTrue(exit >= ms(20) && exit <= ms(20) + us(10), "20 ms of work done in 20 ms: exit at " + exit);
        assertEquals(49, prioOf(r, "rt", ms(30)), "prio 99 - 50 in the trace");
        long preempted = r.trace().stream().filter(t -> t.event().equals("sched_switch") && t.args().startsWith("prev_comm=rt ")
                && t.args().contains("prev_state=R")).count();
        assertTrue(preempted <= 1, "at most the switch of the call itself, never by a hog: " + preempted);

        RunResult fair = run(fifo.replace("- sched_setscheduler: {pid: 0, policy: fifo, priority: 50}", "- compute: 1us"));
        assertEquals(-1, exitTime(fair, "rt"), "at SCHED_OTHER it shares the CPU with the four hogs and is not done by 30 ms");
    }

    @Test
    @DisplayName("a kernel thread that calls sched_set_fifo keeps the CPU from fair processes; sched_set_fifo_low and sched_set_normal set 1 and a nice")
    void kthreadSetFifo() {
        RunResult r = run("""
                machine: {cpus: 1}
                kthreads:
                  - name: kt
                    cpu: 0
                    body: [sched_set_fifo, compute: 10ms, msleep: 100us, sched_set_fifo_low, compute: 1ms, msleep: 100us,
                           {sched_set_normal: 5}, msleep: 100us, compute: 1ms]
                processes:
                """ + HOGS);
        assertTrue(r.trace().stream().noneMatch(t -> t.timeNs() > 0 && t.timeNs() < ms(10) && t.event().equals("sched_switch")
                && t.args().startsWith("prev_comm=kt ")), "not switched out while FIFO and busy");
        assertEquals(49, prioOf(r, "kt", ms(10)), "SCHED_FIFO 50 (MAX_RT_PRIO / 2) when it sleeps at 10 ms");
        assertEquals(98, prioOf(r, "kt", ms(11) + us(100)), "sched_set_fifo_low: SCHED_FIFO 1");
        assertEquals(125, prioOf(r, "kt", ms(11) + us(200)), "sched_set_normal(current, 5)");
        assertTrue(r.reports().isEmpty(), "legal in a kernel thread: " + r.reports());
    }

    @Test
    @DisplayName("sched_set_fifo takes a mutex (cpuset_lock): in a soft IRQ or under a spin lock it is a sleeping call in atomic context")
    void setFifoInAtomicContext() {
        RunResult r = run("""
                locks: {L: spinlock}
                irqs: [{name: nic, line: 11, arrivals: {at: [100us]}, handler: [raise_softirq: NET_RX]}]
                softirqs: {NET_RX: [sched_set_fifo]}
                kthreads: [{name: kt, start: 500us, body: [spin_lock: L, sched_set_fifo_low, spin_unlock: L]}]
                run: {until: 1ms}
                """);
        List<String> ops = r.reportsOf(ReportKind.SLEEP_IN_ATOMIC).stream().map(x -> x.where().op()).toList();
        assertEquals(List.of("sched_set_fifo(current)", "sched_set_fifo_low(current)"), ops);
        assertTrue(r.reportsOf(ReportKind.SLEEP_IN_ATOMIC).get(0).title().endsWith("at kernel/locking/mutex.c"),
                "cpuset_lock is mutex_lock(&cpuset_mutex)");
    }

    @Test
    @DisplayName("the calls answer as the kernel does: EPERM without CAP_SYS_NICE, EINVAL, ESRCH, each with perror's line")
    void errnos() throws IOException {
        JsonNode r = HoldScenarioTest.run(dir, "errnos", """
                machine: {cpus: 2}
                processes:
                  - name: root
                    pid: 4000
                    cpu: 0
                    body:
                      - sched_setscheduler: {pid: 0, policy: fifo, priority: 100}
                      - sched_setscheduler: {pid: 0, policy: 4}
                      - sched_setscheduler: {pid: 0, policy: normal, priority: 5}
                      - sched_setscheduler: {pid: -1, policy: fifo, priority: 5}
                      - sched_setscheduler: {pid: 99999, policy: fifo, priority: 5}
                      - sched_setaffinity: {pid: -1, cpus: [0]}
                      - sched_setaffinity: {pid: 0, cpus: []}
                      - sched_setaffinity: {pid: 0, cpus: [64]}
                      - sched_setaffinity: {pid: 10, cpus: [1]}
                      - sched_setscheduler: {pid: 10, policy: fifo, priority: 1}
                      - sched_setaffinity: {pid: 0, cpus: "0-1,64"}
                      - nanosleep: 5ms
                  - name: user
                    pid: 4001
                    cpu: 1
                    body:
                      - sh: setuid 1000
                      - sched_setscheduler: {pid: 0, policy: fifo, priority: 50}
                      - sched_setattr: {pid: 0, policy: normal, nice: -1}
                      - nice: -1
                      - sched_setscheduler: {pid: 4000, policy: batch}
                      - sched_setaffinity: {pid: 4000, cpus: [1]}
                      - sched_setaffinity: {pid: 10, cpus: [0]}
                      - nice: 3
                      - sched_setscheduler: {pid: 0, policy: batch}
                      - sched_setattr: {pid: 0, policy: idle}
                      - sched_setattr: {pid: 0, policy: normal, nice: 10}
                run: {until: 10ms}
                """);
        assertEquals("""
                sched_setscheduler: Invalid argument
                sched_setscheduler: Invalid argument
                sched_setscheduler: Invalid argument
                sched_setscheduler: Invalid argument
                sched_setscheduler: No such process
                sched_setaffinity: No such process
                sched_setaffinity: Invalid argument
                sched_setaffinity: Invalid argument
                sched_setaffinity: Invalid argument
                $ setuid 1000
                sched_setscheduler: Operation not permitted
                sched_setattr: Operation not permitted
                nice: Operation not permitted
                sched_setscheduler: Operation not permitted
                sched_setaffinity: Operation not permitted
                sched_setaffinity: Invalid argument
                sched_setattr: Operation not permitted
                """, console(r).replaceAll("(?m)^# setuid 1000$", "\\$ setuid 1000"),
                "priority 100, policy 4, a priority for SCHED_OTHER, pid -1: EINVAL; an unknown pid: ESRCH (for sched_setaffinity"
                        + " a negative one too); an empty mask, a mask of CPUs the machine lacks, ksoftirqd/0's affinity: EINVAL; "
                        + "root may make ksoftirqd SCHED_FIFO and give a mask with an extra CPU. After setuid: an RT policy, a lower"
                        + " nice, another user's task: EPERM, but ksoftirqd's affinity EINVAL (PF_NO_SETAFFINITY comes first); a higher nice, SCHED_BATCH and SCHED_IDLE are allowed; leaving"
                        + " SCHED_IDLE is not (RLIMIT_NICE is 0)");
    }

    @Test
    @DisplayName("nice and sched_setattr clamp the nice value to -20..19; an RT task keeps its policy when reniced")
    void niceClamps() {
        RunResult r = run("""
                machine: {cpus: 1}
                processes:
                  - name: p
                    body:
                      - nice: 100
                      - nanosleep: 1ms
                      - nice: -100
                      - nanosleep: 1ms
                      - sched_setattr: {pid: 0, policy: batch, nice: 25}
                      - nanosleep: 1ms
                      - sched_setattr: {pid: 0, policy: rr, priority: 7, nice: -25}
                      - nanosleep: 1ms
                      - nice: 4
                      - nanosleep: 1ms
                run: {until: 10ms}
                """);
        assertEquals(139, prioOf(r, "p", us(500)), "nice 19");
        assertEquals(100, prioOf(r, "p", us(1500)), "nice -20");
        assertEquals(139, prioOf(r, "p", us(2500)), "SCHED_BATCH, nice 19");
        assertEquals(92, prioOf(r, "p", us(3500)), "SCHED_RR 7 ignores sched_nice");
        assertEquals(92, prioOf(r, "p", us(4500)), "setpriority stores the nice of an RT task, which stays RT");
    }

    private static final String MOVE = """
            machine: {cpus: 2}
            processes:
              - name: p
                cpu: 0
                body:
                  - compute: 100us
                  - sched_setaffinity: {pid: 0, cpus: [1]}
                  - compute: 1ms
            run: {until: 2ms}
            """;

    private static void assertMoved(RunResult r) {
        assertTrue(r.trace().stream().anyMatch(t -> t.cpu() == 0 && t.comm().equals("p") && t.event().equals("sys_enter")),
                "enters sched_setaffinity on CPU 0");
        assertTrue(r.trace().stream().anyMatch(t -> t.cpu() == 1 && t.comm().equals("p") && t.event().equals("sched_process_exit")),
                "ends on CPU 1");
    }

    @Test
    @DisplayName("sched_setaffinity moves the caller to an allowed CPU")
    void setaffinityMoves() {
        assertMoved(run(MOVE.replace("run:", "  - {name: q, cpu: 0, start: 50us, body: [compute: 5ms]}\nrun:")));
    }

    @Test
    @DisplayName("sched_setaffinity moves the caller even when nothing else is runnable on its CPU")
    void setaffinityMovesFromAnOtherwiseIdleCpu() {
        assertMoved(run(MOVE));
    }

    @Test
    @DisplayName("sched_yield hands the CPU to the next SCHED_FIFO task of the same priority")
    void yieldRoundRobin() {
        RunResult r = run("""
                machine: {cpus: 1}
                processes:
                  - {name: a, cpu: 0, policy: fifo, priority: 10, body: [{loop: {count: 3, body: [compute: 100us, sched_yield]}}]}
                  - {name: b, cpu: 0, policy: fifo, priority: 10, body: [{loop: {count: 3, body: [compute: 100us, sched_yield]}}]}
                run: {until: 2ms}
                """);
        String order = r.trace().stream().filter(t -> t.event().equals("sched_switch"))
                .map(t -> t.args().substring(t.args().indexOf("next_comm=") + 10, t.args().indexOf(' ', t.args().indexOf("next_comm="))))
                .filter(c -> c.equals("a") || c.equals("b")).collect(Collectors.joining());
        assertTrue(order.startsWith("abababa") || order.startsWith("bababab"), "they alternate: " + order);
    }
}
