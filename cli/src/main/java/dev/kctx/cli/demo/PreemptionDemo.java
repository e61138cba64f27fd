package dev.kctx.cli.demo;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.CpuStats;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.TimeFormat;
import org.HdrHistogram.Histogram;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * The first demo: user processes computing, a periodic NIC interrupt on CPU 0 whose handler
 * raises NET_RX, and a kernel thread that the soft IRQ wakes, on a small SMP machine.
 */
public final class PreemptionDemo {
    public static final long DEFAULT_UNTIL = ms(12);

    private PreemptionDemo() {
    }

    public static MachineSpec spec(long seed, int cpus) {
        MachineSpec.Builder b = MachineSpec.builder().name("preemption").cpus(cpus).seed(seed)
                .irq("nic", 11, List.of(0), new Arrivals.Every(us(1000), -1, us(300)),
                        Program.builder().compute(us(4)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().computeRandom(us(10), us(30)).wakeUp("rxq").build())
                .kthread("rxworker", 0, 0, Program.builder().waitEvent("rxq").computeRandom(us(20), us(60)).forever().build());
        for (int c = 0; c < cpus; c++) {
            for (int i = 0; i < 2; i++) {
                b.process("cruncher" + c + i, c, us(10L * i), Program.builder()
                        .computeRandom(us(700), ms(3))
                        .nanosleep(us(200))
                        .forever().build());
            }
        }
        return b.build();
    }

    /** The summary: per CPU, time in each level, preemptions, and the latencies of the NIC path. */
    public static String summary(RunResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# summary: ").append(r.name()).append(", ").append(r.cpus()).append(" CPUs, seed ").append(r.seed())
                .append(", ").append(TimeFormat.format(r.endNs())).append(" of virtual time, ").append(r.events())
                .append(" events\n");
        sb.append(String.format("%-5s %10s %10s %10s %10s %10s %8s %8s%n", "cpu", "hardirq", "softirq", "kernel", "user",
                "idle", "preempt", "irqs"));
        for (CpuStats s : r.cpuStats()) {
            sb.append(String.format("%-5d %10s %10s %10s %10s %10s %8d %8d%n", s.cpu(),
                    TimeFormat.format(s.timeAt(ContextLevel.HARDIRQ)), TimeFormat.format(s.timeAt(ContextLevel.SOFTIRQ)),
                    TimeFormat.format(s.timeAt(ContextLevel.KERNEL)), TimeFormat.format(s.timeAt(ContextLevel.USER)),
                    TimeFormat.format(s.idleNs()), s.irqPreemptions() + s.schedPreemptions(), s.irqsHandled()));
        }
        sb.append(latency("irq -> softirq (hard IRQ arrival to its NET_RX entry)", r.merged(CpuStats::irqToSoftirq)));
        sb.append(latency("softirq wake_up -> kthread running", r.merged(CpuStats::softirqWakeToRun)));
        sb.append("reports: ").append(r.reports().size()).append('\n');
        return sb.toString();
    }

    static String latency(String what, Histogram h) {
        if (h.getTotalCount() == 0) {
            return String.format("%-56s n=0%n", what);
        }
        return String.format("%-56s n=%d median=%s max=%s%n", what, h.getTotalCount(),
                TimeFormat.format(h.getValueAtPercentile(50)), TimeFormat.format(h.getMaxValue()));
    }
}
