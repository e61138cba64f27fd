package dev.kctx.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.Engine;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.bench.StandardWorkload;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * The engine's speed on the standard workload as events per second of CPU time of the machine's
 * own thread, not of wall time: on a shared host, other processes that compete for the cores
 * stretch wall time far more than the thread's CPU time, so two builds can be compared there
 * (docs/performance-notes.md, section 8). The CPU time is read in the run's progress callback,
 * which runs on the machine's thread; the events between its first and last call are counted in
 * proportion to the virtual time between them. Needs {@code kctx.engine.dispatcher = machine}
 * (the default), where all of a machine's actors share that one thread.
 *
 * <p>{@code java -cp cli/target/kctx.jar dev.kctx.bench.MachineThreadCpu message|inline RUNS}
 * prints each run's rate (2 s of virtual time each) and the median of the second half of the runs
 * (the first half warms the JIT up).
 */
public final class MachineThreadCpu {
    private static final long VIRTUAL_NS = 2_000_000_000L;

    private MachineThreadCpu() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: MachineThreadCpu message|inline RUNS");
            System.exit(2);
        }
        Engine engine = Engine.valueOf(args[0].toUpperCase(Locale.ROOT));
        int runs = Integer.parseInt(args[1]);
        Quiet.logs();
        double[] rates = measure(engine.config(ConfigFactory.load()), runs);
        StringBuilder all = new StringBuilder();
        for (double r : rates) {
            all.append(String.format(Locale.ROOT, " %.0f", r / 1e3));
        }
        double[] tail = Arrays.copyOfRange(rates, runs / 2, runs);
        Arrays.sort(tail);
        System.out.printf(Locale.ROOT, "%s: %.0f k events per CPU-second of the machine's thread (median of the last %d runs; all:%s)%n",
                engine.label(), tail[tail.length / 2] / 1e3, tail.length, all);
        System.exit(0);
    }

    /** Events per CPU-second of the machine's thread, one per run. */
    static double[] measure(Config config, int runs) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] rates = new double[runs];
        for (int i = 0; i < runs; i++) {
            long[] first = {-1, 0};
            long[] last = {0, 0};
            RunResult r = Simulation.run(StandardWorkload.spec(StandardWorkload.Params.standard()), VIRTUAL_NS, false, config, vt -> {
                long cpu = threads.getCurrentThreadCpuTime();
                if (first[0] < 0) {
                    first[0] = vt;
                    first[1] = cpu;
                }
                last[0] = vt;
                last[1] = cpu;
            });
            double events = r.events() * (double) (last[0] - first[0]) / VIRTUAL_NS;
            rates[i] = events / ((last[1] - first[1]) / 1e9);
        }
        return rates;
    }
}
