package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.LoadWeight;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the scheduler on the running engine, over machines drawn from a seed. */
@DisplayName("scheduler properties")
class SchedulerPropertiesTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    private static final Pattern SWITCH = Pattern.compile(
            "prev_comm=(\\S+) prev_pid=(-?\\d+) prev_prio=(\\d+) prev_state=(\\S+) ==> next_comm=(\\S+) next_pid=(-?\\d+) next_prio=(\\d+)");

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** CPU time per comm, from the sched_switch events (interrupts included, as the kernel's task clock without IRQ accounting). */
    static Map<String, Long> runtimes(RunResult r) {
        Map<String, Long> out = new HashMap<>();
        Map<Integer, String> running = new HashMap<>();
        Map<Integer, Long> since = new HashMap<>();
        for (TraceRecord t : r.trace()) {
            if (!t.event().equals("sched_switch")) {
                continue;
            }
            Matcher m = SWITCH.matcher(t.args());
            assertTrue(m.find(), t.args());
            String prev = running.get(t.cpu());
            if (prev != null) {
                out.merge(prev, t.timeNs() - since.get(t.cpu()), Long::sum);
            }
            running.put(t.cpu(), m.group(5));
            since.put(t.cpu(), t.timeNs());
        }
        running.forEach((cpu, comm) -> out.merge(comm, r.endNs() - since.get(cpu), Long::sum));
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("always-runnable fair tasks share a CPU in proportion to their weights, within 2%, over 10 s")
    void shareByWeight(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 2 + rnd.nextInt(3);
        MachineSpec.Builder b = MachineSpec.builder().cpus(1).seed(seed);
        int[] nice = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            nice[i] = rnd.nextInt(-5, 6);
            total += LoadWeight.ofNice(nice[i]);
            b.process(new MachineSpec.Task("hog" + i, 0, 0, Program.builder().compute(ms(100)).forever().build(), 0,
                    SchedAttr.normal(nice[i]), List.of()));
        }
        RunResult r = Runs.run(testKit, b.build(), ms(10_000));
        Map<String, Long> rt = runtimes(r);
        for (int i = 0; i < n; i++) {
            double expected = LoadWeight.ofNice(nice[i]) / (double) total;
            double actual = rt.getOrDefault("hog" + i, 0L) / (double) ms(10_000);
            assertEquals(expected, actual, 0.02 * expected, "hog" + i + " at nice " + nice[i] + " of " + java.util.Arrays.toString(nice));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    @DisplayName("no fair task starves: across nice -20..19 every task runs, and none waits longer than EEVDF's lag bound,"
            + " 2 (tick + slice) W / w_i")
    void noStarvation(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 6;
        MachineSpec.Builder b = MachineSpec.builder().cpus(1).seed(seed);
        long[] weight = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            int nice = i == 0 ? -20 : i == 1 ? 19 : rnd.nextInt(-20, 20);
            weight[i] = LoadWeight.ofNice(nice);
            total += weight[i];
            Program body = rnd.nextBoolean() ? Program.builder().compute(ms(100)).forever().build()
                    : Program.builder().loop(-1, l -> l.compute(us(300)).nanosleep(us(700))).build();
            b.process(new MachineSpec.Task("t" + i, 0, 0, body, 0, SchedAttr.normal(nice), List.of()));
        }
        RunResult r = Runs.run(testKit, b.build(), ms(10_000));
        Map<String, Long> lastOff = new HashMap<>();
        Map<String, Long> worstWait = new HashMap<>();
        for (TraceRecord t : r.trace()) {
            if (t.event().equals("sched_switch")) {
                Matcher m = SWITCH.matcher(t.args());
                assertTrue(m.find());
                String prev = m.group(1);
                if (m.group(4).startsWith("R")) {
                    lastOff.put(prev, t.timeNs());
                } else {
                    lastOff.remove(prev);
                }
                Long off = lastOff.remove(m.group(5));
                if (off != null) {
                    worstWait.merge(m.group(5), t.timeNs() - off, Math::max);
                }
            }
        }
        Map<String, Long> rt = runtimes(r);
        MachineSpec spec = b.build();
        long request = spec.sched().tickNs() + spec.sched().baseSliceNs();
        for (int i = 0; i < n; i++) {
            assertTrue(rt.getOrDefault("t" + i, 0L) > 0, "t" + i + " ran");
            long bound = 2 * request * total / weight[i];
            assertTrue(worstWait.getOrDefault("t" + i, 0L) <= bound,
                    "t" + i + " (weight " + weight[i] + " of " + total + ") waited " + worstWait.get("t" + i) + "ns, bound " + bound);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23, 24})
    @DisplayName("a runnable RT task is never preempted by a fair one, on one CPU or several")
    void rtNeverPreemptedByFair(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int cpus = 1 + rnd.nextInt(3);
        MachineSpec.Builder b = MachineSpec.builder().cpus(cpus).seed(seed).preempt(MachineSpec.Preempt.FULL);
        for (int i = 0; i < 3; i++) {
            SchedAttr a = rnd.nextBoolean() ? SchedAttr.fifo(1 + rnd.nextInt(99)) : SchedAttr.rr(1 + rnd.nextInt(99));
            long run = us(50 + rnd.nextInt(2000));
            long sleep = us(100 + rnd.nextInt(3000));
            b.process(new MachineSpec.Task("rt" + i, -1, 0,
                    Program.builder().loop(-1, l -> l.compute(run).nanosleep(sleep)).build(), 0, a, List.of()));
        }
        for (int i = 0; i < 4; i++) {
            b.process(new MachineSpec.Task("fair" + i, -1, 0, Program.builder().loop(-1, l -> l.compute(us(900)).nanosleep(us(100))).build(),
                    0, SchedAttr.normal(rnd.nextInt(-20, 20)), List.of()));
        }
        b.kthread("kfair", -1, 0, Program.builder().loop(-1, l -> l.compute(us(500)).condResched()).build());
        RunResult r = Runs.run(testKit, b.build(), ms(2000));
        int switches = 0;
        for (TraceRecord t : r.trace()) {
            if (t.event().equals("sched_switch")) {
                Matcher m = SWITCH.matcher(t.args());
                assertTrue(m.find());
                int prevPrio = Integer.parseInt(m.group(3));
                int nextPrio = Integer.parseInt(m.group(7));
                if (prevPrio < 100 && m.group(4).equals("R+")) {
                    switches++;
                    assertTrue(nextPrio <= prevPrio, "an RT task left the CPU runnable only for one at least as important: " + t);
                }
            }
        }
        assertTrue(r.trace().stream().anyMatch(t -> t.event().equals("sched_switch") && t.args().contains("next_prio=1")),
                "fair tasks ran too");
    }
}
