package dev.kctx.cli;

import dev.kctx.bench.Harness;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code kctx bench [--quick] [--engine inline|message]}: the standard workload on the engine and on the plain baseline, in this process. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the standard workload (4 CPUs, a NIC IRQ every 50 us raising NET_RX, netlink delivery from soft IRQ"
                + " to 16 blocked consumers, 16 CPU-bound processes, EEVDF with the default 2.25 ms base slice) on the engine (the path --engine selects) and on a plain"
                + " discrete-event baseline, alternately, and print the medians of the timed runs: events per second, the engine's cost"
                + " per event over the baseline's, virtual time over wall time, and the peak heap; and the slowest and"
                + " fastest timed run of each.",
                "The full JMH suite: see docs/performance.md."})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "A short check (200 ms of virtual time, one timed run each): a few seconds.")
    boolean quick;

    @Option(names = "--virtual", paramLabel = "TIME", description = "Virtual time per run, e.g. 10s (default 10s; --quick 200ms).")
    String virtual;

    @Option(names = "--runs", paramLabel = "N", description = "Timed runs of each, after the warm-up runs (default 5; --quick 1).")
    Integer runs;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed runs of each first, while the JIT compiles (default 2:"
            + " with 10 s runs the first two are still far below the speed of the later ones; --quick 1). Raise it with a short --virtual.")
    Integer warmup;

    @Option(names = "--threads", paramLabel = "N", description = "Run the engine's actors on Akka's default dispatcher with N"
            + " threads (default: one thread of the machine's own, see docs/performance.md).")
    Integer threads;

    @CommandLine.Mixin
    EngineOptions engine;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long virtualNs = virtual != null ? ScenarioRuns.parseDuration("--virtual", virtual, "2s") : quick ? 200_000_000L : 10_000_000_000L;
        int n = runs != null ? runs : quick ? 1 : 5;
        if (n < 1) {
            throw new KctxCommand.UsageError("--runs must be at least 1, not " + n);
        }
        int w = warmup != null ? warmup : quick ? 1 : 2;
        if (w < 0) {
            throw new KctxCommand.UsageError("--warmup must be at least 0, not " + w);
        }
        Params p = Params.standard();
        com.typesafe.config.Config config = engine.config(threads);
        Harness.Measurement m = Harness.measure(p, virtualNs, w, n, config);
        out.printf(Locale.ROOT, "workload: standard, %d CPUs, %d consumers, %d CPU-bound processes, IRQ every %d us, base slice %.2f ms%n",
                p.cpus(), p.consumers(), p.hogs(), p.irqPeriodNs() / 1000, p.sliceNs() / 1e6);
        out.printf(Locale.ROOT, "engine: %s%s%n", EngineOptions.label(config),
                threads == null ? ", on one thread of the machine's own" : ", on Akka's default dispatcher with " + threads
                        + (threads == 1 ? " thread" : " threads"));
        out.printf(Locale.ROOT, "virtual time per run: %.3f s; events per run: %d; warm-up runs: %d; timed runs: %d (medians below)%n",
                virtualNs / 1e9, m.events(), w, n);
        out.printf(Locale.ROOT, "engine events/s: %.0f (%.3f s wall per run)%n", m.engineEventsPerSecond(), m.engineWallNs() / 1e9);
        out.printf(Locale.ROOT, "baseline events/s: %.0f (%.3f s wall per run)%n", m.baselineEventsPerSecond(), m.baselineWallNs() / 1e9);
        out.printf(Locale.ROOT, "spread over the timed runs: engine %.0f-%.0f events/s, baseline %.0f-%.0f events/s%n",
                m.events() * 1e9 / m.engineSlowestNs(), m.events() * 1e9 / m.engineFastestNs(),
                m.events() * 1e9 / m.baselineSlowestNs(), m.events() * 1e9 / m.baselineFastestNs());
        out.printf(Locale.ROOT, "engine/baseline cost per event: %.2fx%n", m.costRatio());
        out.printf(Locale.ROOT, "simulated/wall time: %.2fx real time%n", m.realtimeFactor());
        out.printf(Locale.ROOT, "peak heap: %d MiB%n", m.peakHeapBytes() >> 20);
        return 0;
    }
}
