package dev.kctx.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The whole suite in one JMH run, then a summary of medians over the measured iterations and the
 * ratios the targets are about. Extra arguments are JMH's own (e.g. a benchmark regex);
 * the JSON of every iteration goes to {@code bench/target/jmh-result.json} unless {@code -rff}
 * says otherwise.
 */
public final class Suite {
    private Suite() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options cli = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cli)
                .resultFormat(ResultFormatType.JSON)
                .result(cli.getResult().orElse("bench/target/jmh-result.json"))
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        summarise(results, System.out);
    }

    static double median(List<Double> xs) {
        return Harness.medianOf(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median over measured iterations of what {@code which} takes from each, for one benchmark and params. */
    static double median(Collection<RunResult> results, String benchmark, String params, Function<IterationResult, Result> which) {
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String p = String.join(",", r.getParams().getParamsKeys().stream().map(k -> r.getParams().getParam(k)).toList());
            if (name.endsWith("." + benchmark) && p.equals(params)) {
                List<Double> xs = new ArrayList<>();
                for (BenchmarkResult b : r.getBenchmarkResults()) {
                    for (IterationResult it : b.getIterationResults()) {
                        Result res = which.apply(it);
                        if (res != null) {
                            xs.add(res.getScore());
                        }
                    }
                }
                return median(xs);
            }
        }
        return Double.NaN;
    }

    static double score(Collection<RunResult> rs, String benchmark, String params) {
        return median(rs, benchmark, params, IterationResult::getPrimaryResult);
    }

    static double events(Collection<RunResult> rs, String benchmark, String params) {
        return median(rs, benchmark, params, it -> it.getSecondaryResults().get("events"));
    }

    static void summarise(Collection<RunResult> rs, PrintStream out) {
        out.println();
        out.println("== summary: medians over measured iterations ==");
        for (String v : List.of("200", "2000")) {
            double e = events(rs, "engine", v);
            double b = events(rs, "baseline", v);
            double f = events(rs, "engineDefaultMailbox", v);
            double runsPerS = score(rs, "engine", v);
            if (Double.isNaN(e)) {
                continue;
            }
            out.printf(Locale.ROOT, "standard workload, %s ms virtual per run: engine %.0f events/s, baseline %.0f events/s,"
                    + " engine/baseline cost %.2fx, %.2fx real time; engine with Akka's default mailbox %.0f events/s%n",
                    v, e, b, b / e, Long.parseLong(v) / 1000.0 * runsPerS, f);
        }
        for (String order : List.of("calendar", "mixed")) {
            double prio = score(rs, "perMessage", "priority," + order);
            double dflt = score(rs, "perMessage", "default," + order);
            if (!Double.isNaN(prio)) {
                out.printf(Locale.ROOT, "mailbox per message, %s order: priority %.1f ns, default %.1f ns, ratio %.2fx%n",
                        order, prio, dflt, prio / dflt);
            }
        }
        for (String m : List.of("genetlinkRequestAck", "chardevRead")) {
            double full = score(rs, m, "20000");
            double fixed = score(rs, m, "0");
            if (!Double.isNaN(full)) {
                out.printf(Locale.ROOT, "%s: %.0f ns wall per simulated operation (run of 20000: %.0f ms, of 0: %.0f ms)%n",
                        m, (full - fixed) * 1e6 / 20000, full, fixed);
            }
        }
        for (String shape : List.of("1x32", "2x32", "4x32", "16x32", "64x32", "4x10", "4x1000", "4x10000", "4x100000")) {
            double ms = score(rs, "run", shape);
            if (!Double.isNaN(ms)) {
                double events = events(rs, "run", shape);
                out.printf(Locale.ROOT, "scaling %s (CPUs x processes): %.0f ms per run, %.0f events per run, %.0f events/s%n",
                        shape, ms, events, events / ms * 1000);
            }
        }
    }
}
