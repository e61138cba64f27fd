package dev.kctx.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineDeterminismTest {

    /** A busy 2-CPU workload with cross-CPU locks, wake-ups, random costs and random IRQ arrivals. */
    static MachineSpec workload(long seed) {
        return MachineSpec.builder().cpus(2).seed(seed).baseSlice(ms(1))
                .irq("nic", 11, List.of(0, 1), new Arrivals.Rate(5000, -1, 0),
                        Program.builder().computeRandom(us(1), us(5)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .irq("timer", 0, List.of(1), new Arrivals.Every(us(250), -1, us(7)),
                        Program.builder().compute(us(2)).spinLock("stats").compute(us(1)).spinUnlock("stats").build())
                .softirq(SoftirqVector.NET_RX, Program.builder().computeRandom(us(5), us(40))
                        .spinLock("rxq_lock").compute(us(2)).spinUnlock("rxq_lock").wakeUp("rx").build())
                .kthread("rxworker", 0, 0, Program.builder().waitEvent("rx").computeRandom(us(10), us(80))
                        .spinLock("rxq_lock", dev.kctx.actors.program.Ops.SpinVariant.BH).compute(us(3))
                        .spinUnlock("rxq_lock", dev.kctx.actors.program.Ops.SpinVariant.BH).forever().build())
                .kthread("stats", 1, 0, Program.builder().msleep(us(300))
                        .spinLock("stats", dev.kctx.actors.program.Ops.SpinVariant.IRQSAVE).computeRandom(us(5), us(20))
                        .spinUnlock("stats", dev.kctx.actors.program.Ops.SpinVariant.IRQSAVE).forever().build())
                .process("a", 0, 0, Program.builder().computeRandom(us(100), ms(2)).nanosleep(us(50)).forever().build())
                .process("b", 0, 0, Program.builder().computeRandom(us(100), ms(2)).forever().build())
                .process("c", 1, 0, Program.builder().syscall("ioctl", x -> x.mutexLock("cfg").compute(us(30)).mutexUnlock("cfg"))
                        .computeRandom(us(200), ms(1)).forever().build())
                .process("d", 1, 0, Program.builder().syscall("ioctl", x -> x.mutexLock("cfg").compute(us(30)).mutexUnlock("cfg"))
                        .computeRandom(us(200), ms(1)).forever().build())
                .build();
    }

    /** The machine and its actors on Akka's default dispatcher with {@code n} threads (not the machine's own thread). */
    static Config threads(int n) {
        return ConfigFactory.parseString("kctx.engine.dispatcher = default\n"
                + "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = " + n + "\n"
                + "akka.actor.default-dispatcher.fork-join-executor.parallelism-max = " + n + "\n"
                + "akka.actor.default-dispatcher.throughput = " + (n == 1 ? 100 : 1)).withFallback(ConfigFactory.load());
    }

    static String fingerprint(RunResult r) {
        StringBuilder sb = new StringBuilder(r.traceText());
        r.reports().forEach(x -> sb.append(x.kernelText()));
        r.cpuStats().forEach(s -> sb.append(java.util.Arrays.toString(s.levelNs())).append(s.idleNs())
                .append(s.irqLatency().getTotalCount()).append(s.softirqWakeToRun().getMaxValue()));
        return sb.toString();
    }

    @Test
    @DisplayName("the same spec and seed give a byte-identical trace, reports and statistics with 1 and with 4 dispatcher threads")
    void identicalAcrossDispatcherSizes() {
        RunResult one = Simulation.run(workload(7), ms(30), true, threads(1));
        RunResult four = Simulation.run(workload(7), ms(30), true, threads(4));
        RunResult fourActors = Simulation.run(workload(7), ms(30), true,
                ConfigFactory.parseString("kctx.engine.inline-bursts = off").withFallback(threads(4)));
        assertEquals(fingerprint(one), fingerprint(fourActors), "with bursts sent to the context actors too");
        RunResult again = Simulation.run(workload(7), ms(30), true, threads(4));
        Runs.checkInvariants(one);
        assertTrue(one.trace().size() > 500, "the workload is busy enough to matter: " + one.trace().size() + " events");
        assertEquals(fingerprint(one), fingerprint(four), "1 thread and 4 threads give the same run");
        assertEquals(fingerprint(four), fingerprint(again), "two runs with 4 threads give the same run");
    }

    @Test
    @DisplayName("bursts run inline by the CPU and bursts sent to the context actors give the same run")
    void inlineAndActorBurstsAgree() {
        RunResult inline = Simulation.run(workload(11), ms(30), true, threads(2));
        RunResult actors = Simulation.run(workload(11), ms(30), true,
                ConfigFactory.parseString("kctx.engine.inline-bursts = off").withFallback(threads(2)));
        assertEquals(fingerprint(inline), fingerprint(actors), "the context actors' protocol and the inline path agree");
    }

    @Test
    @DisplayName("the machine running the CPUs itself and the CPUs as actors give the same run")
    void inlineAndActorCpusAgree() {
        RunResult inline = Simulation.run(workload(13), ms(30), true, threads(2));
        RunResult actors = Simulation.run(workload(13), ms(30), true,
                ConfigFactory.parseString("kctx.engine.inline-cpus = off").withFallback(threads(4)));
        assertTrue(inline.trace().size() > 500, "the workload is busy enough to matter: " + inline.trace().size() + " events");
        assertEquals(fingerprint(inline), fingerprint(actors), "the CPU actors' protocol and the inline CPUs agree");
    }

    @Test
    @DisplayName("the message path gives the same run on the machine's own thread as on 4 dispatcher threads and as the inline engine")
    void messagePathOnTheMachineThreadAgrees() {
        RunResult inline = Simulation.run(workload(17), ms(30), true, Engine.INLINE.config(ConfigFactory.load()));
        RunResult own = Simulation.run(workload(17), ms(30), true, Engine.MESSAGE.config(ConfigFactory.load()));
        RunResult four = Simulation.run(workload(17), ms(30), true, Engine.MESSAGE.config(threads(4)));
        assertTrue(inline.trace().size() > 500, "the workload is busy enough to matter: " + inline.trace().size() + " events");
        assertEquals(fingerprint(inline), fingerprint(own), "the message path on the machine thread agrees with the inline engine");
        assertEquals(fingerprint(four), fingerprint(own), "one thread of the machine's own and 4 default dispatcher threads agree");
    }

    @Test
    @DisplayName("a different seed gives a different run")
    void seedMatters() {
        RunResult a = Simulation.run(workload(7), ms(10), true, threads(2));
        RunResult b = Simulation.run(workload(8), ms(10), true, threads(2));
        assertNotEquals(fingerprint(a), fingerprint(b), "seeds 7 and 8 differ");
    }
}
