package dev.kctx.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.Engine;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.bench.StandardWorkload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two builds (or two sets of JVM flags) compared on the standard workload's wall time per event,
 * in a way this project's noisy 2-core host can resolve: one run differs from the next by up to
 * 20 % there, and one JVM from another running the same jar by several percent (each JIT decides
 * for itself), so neither one JVM's runs nor runs of one build after the other's can show a
 * change of a few percent (docs/performance-notes.md, section 11).
 *
 * <p>For each of {@code --jvms} pairs, it starts one JVM per side, warms each with 12 runs, then
 * alternates {@code --runs} runs between the two (which side goes first alternates as well) and
 * takes each pair of runs' ratio of wall times, B over A. Adjacent runs see the same host, and
 * many JVM pairs average out the JITs. It prints each JVM pair's median ratio and the median over
 * the JVM pairs: below 1, B takes less time per event. The same classpath on both sides gave
 * 1.000 (0.949-1.043 over 8 JVM pairs) on this host.
 *
 * <pre>
 * java -cp cli/target/kctx.jar dev.kctx.bench.PairedJvms OLD_CLASSPATH NEW_CLASSPATH
 *     [--jvms 8] [--runs 30] [--virtual-ms 3000] [--engine inline|message] [--flags-a "..."] [--flags-b "..."]
 * </pre>
 *
 * Each side's JVM gets {@code -XX:+UseParallelGC} (the launcher's collector), then its flags, and
 * the side's classpath followed by this class's own location, so that an older build without this
 * class can be measured too. Every run checks that both sides took the same events.
 */
public final class PairedJvms {
    private static final int WARMUP_RUNS = 12;
    private static final String RESULT = "RESULT ";

    private PairedJvms() {
    }

    /** What to compare and how long: the options above. */
    record Plan(String classpathA, String classpathB, int jvms, int runs, long virtualMs, Engine engine,
                List<String> flagsA, List<String> flagsB) {
        Plan {
            if (jvms < 1 || runs < 1 || virtualMs < 1) {
                throw new IllegalArgumentException("--jvms, --runs and --virtual-ms must be at least 1");
            }
            flagsA = List.copyOf(flagsA);
            flagsB = List.copyOf(flagsB);
        }

        static Plan parse(String[] args) {
            List<String> positional = new ArrayList<>();
            int jvms = 8;
            int runs = 30;
            long virtualMs = 3000;
            Engine engine = Engine.INLINE;
            List<String> flagsA = List.of();
            List<String> flagsB = List.of();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    positional.add(a);
                    continue;
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--jvms" -> jvms = Integer.parseInt(v);
                    case "--runs" -> runs = Integer.parseInt(v);
                    case "--virtual-ms" -> virtualMs = Long.parseLong(v);
                    case "--engine" -> engine = Engine.valueOf(v.toUpperCase(Locale.ROOT));
                    case "--flags-a" -> flagsA = words(v);
                    case "--flags-b" -> flagsB = words(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (positional.size() != 2) {
                throw new IllegalArgumentException("two classpaths, A and B, not " + positional.size() + " arguments");
            }
            return new Plan(positional.get(0), positional.get(1), jvms, runs, virtualMs, engine, flagsA, flagsB);
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
        }
    }

    /** The comparison's outcome: per JVM pair the median ratio of B's wall time to A's, and the rates. */
    record Outcome(double[] perJvmPair, double[] allPairs, double medianRateA, double medianRateB) {
        double median() {
            return Harness.medianOf(perJvmPair);
        }

        long bFaster() {
            return Arrays.stream(perJvmPair).filter(r -> r < 1).count();
        }
    }

    public static void main(String[] args) {
        if (args.length >= 1 && args[0].equals("--worker")) {
            worker(Long.parseLong(args[1]), Engine.valueOf(args[2]));
            return;
        }
        Plan plan;
        try {
            plan = Plan.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("PairedJvms: " + e.getMessage());
            System.err.println("usage: PairedJvms CLASSPATH_A CLASSPATH_B [--jvms 8] [--runs 30] [--virtual-ms 3000]"
                    + " [--engine inline|message] [--flags-a \"...\"] [--flags-b \"...\"]");
            System.exit(2);
            return;
        }
        Outcome o = compare(plan, System.out);
        System.out.printf(Locale.ROOT, "B/A wall time per event: median over %d JVM pairs %.3f (%.3f-%.3f), B faster in %d;"
                        + " over all %d pairs of runs %.3f; median events/s A %.0f, B %.0f%n",
                o.perJvmPair().length, o.median(), min(o.perJvmPair()), max(o.perJvmPair()), o.bFaster(),
                o.allPairs().length, Harness.medianOf(o.allPairs()), o.medianRateA(), o.medianRateB());
        System.exit(0);
    }

    /** Runs the comparison, printing a line per JVM pair to {@code out}. */
    static Outcome compare(Plan plan, PrintStream out) {
        double[] perJvm = new double[plan.jvms()];
        double[] all = new double[plan.jvms() * plan.runs()];
        double[] rateA = new double[all.length];
        double[] rateB = new double[all.length];
        int k = 0;
        for (int j = 0; j < plan.jvms(); j++) {
            try (Side a = new Side(plan.classpathA(), plan.flagsA(), plan); Side b = new Side(plan.classpathB(), plan.flagsB(), plan)) {
                for (int i = 0; i < WARMUP_RUNS; i++) {
                    a.run();
                    b.run();
                }
                double[] ratios = new double[plan.runs()];
                for (int i = 0; i < plan.runs(); i++) {
                    long[] ra;
                    long[] rb;
                    if ((i + j) % 2 == 0) {
                        ra = a.run();
                        rb = b.run();
                    } else {
                        rb = b.run();
                        ra = a.run();
                    }
                    if (ra[1] != rb[1]) {
                        throw new IllegalStateException("the two sides took different events: " + ra[1] + " and " + rb[1]);
                    }
                    ratios[i] = (double) rb[0] / ra[0];
                    all[k] = ratios[i];
                    rateA[k] = ra[1] * 1e9 / ra[0];
                    rateB[k] = rb[1] * 1e9 / rb[0];
                    k++;
                }
                perJvm[j] = Harness.medianOf(ratios);
                out.printf(Locale.ROOT, "JVM pair %d: median B/A %.3f%n", j, perJvm[j]);
            }
        }
        return new Outcome(perJvm, all, Harness.medianOf(rateA), Harness.medianOf(rateB));
    }

    /** One side's JVM, running one standard workload per line it reads. */
    private static final class Side implements AutoCloseable {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;

        Side(String classpath, List<String> flags, Plan plan) {
            String self = Path.of(codeSource()).toString();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-XX:+UseParallelGC");
            cmd.addAll(flags);
            cmd.addAll(List.of("-cp", classpath + java.io.File.pathSeparator + self, PairedJvms.class.getName(), "--worker",
                    Long.toString(plan.virtualMs()), plan.engine().name()));
            try {
                process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** One run: its wall time in ns and its events. */
        long[] run() {
            in.println("run");
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith(RESULT)) {
                        String[] f = line.substring(RESULT.length()).split(" ");
                        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("the JVM of one side ended without a result (exit " + exitCode() + ")");
        }

        private String exitCode() {
            return process.isAlive() ? "none yet" : Integer.toString(process.exitValue());
        }

        @Override
        public void close() {
            in.close();
            try {
                if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static java.net.URI codeSource() {
        try {
            return PairedJvms.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The worker: a run of {@code virtualMs} per line on standard input, its wall time and events on standard output. */
    private static void worker(long virtualMs, Engine engine) {
        Quiet.logs();
        Config config = engine.config(ConfigFactory.load());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long t0 = System.nanoTime();
                RunResult r = Simulation.run(StandardWorkload.spec(StandardWorkload.Params.standard()), virtualMs * 1_000_000L,
                        false, config);
                long t1 = System.nanoTime();
                System.out.println(RESULT + (t1 - t0) + " " + r.events());
                System.out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.exit(0);
    }

    private static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    private static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(Double.NaN);
    }
}
