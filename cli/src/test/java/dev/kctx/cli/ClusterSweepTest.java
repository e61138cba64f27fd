package dev.kctx.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kctx experiment --cluster and kctx explore --cluster with a coordinator and two workers, each a JVM of its own on
 * 127.0.0.1 (kctx's own JVMs, started from this module's classpath), against the same sweep run
 * locally. The waits have generous limits only as a safety net: nothing asserts a duration.
 */
@DisplayName("kctx experiment --cluster and kctx explore --cluster with kctx worker")
class ClusterSweepTest {
    /** A small sweep: 6 cells x 2 seeds = 12 runs of 50 ms of virtual time. */
    static final List<String> SWEEP = List.of("irqsave-hold", "--quick", "--seeds", "2", "--no-progress");
    static final long LIMIT_S = 300;
    /** The scenario explored in both places (a path relative to this module, as the summary names it). */
    static final String EXPLORE_FILE = Path.of("..", "examples", "irq-trylock-fallback.yaml").toString();

    @TempDir
    static Path shared;
    static Path local;
    final List<Process> started = new ArrayList<>();

    /** The same sweep, run locally in a kctx JVM of its own like the others. */
    @BeforeAll
    static void localSweep() throws IOException, InterruptedException {
        local = shared.resolve("local");
        List<String> err = new ArrayList<>();
        List<Process> one = new ArrayList<>();
        try {
            List<String> args = new ArrayList<>(List.of("experiment"));
            args.addAll(SWEEP);
            args.addAll(List.of("--out", local.toString()));
            Process p = kctx(one, err, null, args.toArray(String[]::new));
            assertEquals(0, exit(p, err), () -> "the local sweep succeeds; stderr: " + err);
        } finally {
            one.forEach(Process::destroyForcibly);
        }
    }

    @AfterEach
    void killAll() {
        started.forEach(Process::destroyForcibly);
    }

    /** A kctx JVM with {@code args}; its stderr lines are collected in {@code err}. */
    private Process kctx(List<String> err, CompletableFuture<Void> onHold, String... args) throws IOException {
        return kctx(started, err, onHold, args);
    }

    /**
     * A kctx JVM (listed in {@code started}, to be killed after the test). The engine's actor systems
     * get the cluster node's 30 s to start their logger: Akka's 5 s is short on a loaded CI machine.
     */
    private static Process kctx(List<Process> started, List<String> err, CompletableFuture<Void> onHold, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Dakka.logger-startup-timeout=30s", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (err) {
                        err.add(line);
                    }
                    if (onHold != null && line.contains("holding unit")) {
                        onHold.complete(null);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "kctx-stderr");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process coordinator(Path out, int port, List<String> err) throws IOException {
        List<String> args = new ArrayList<>(List.of("experiment"));
        args.addAll(SWEEP);
        args.addAll(List.of("--out", out.toString(), "--cluster", "127.0.0.1:" + port, "--min-workers", "2"));
        return kctx(err, null, args.toArray(String[]::new));
    }

    private static void assertSameFiles(Path cluster) throws IOException {
        for (String f : List.of("results.csv", "results.md")) {
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(cluster.resolve(f)),
                    f + " on the cluster is the local one, byte for byte");
        }
    }

    private static int exit(Process p, List<String> err) throws InterruptedException {
        assertTrue(p.waitFor(LIMIT_S, TimeUnit.SECONDS), () -> "the process ends; stderr: " + err);
        return p.exitValue();
    }

    @Test
    @DisplayName("a sweep, then an exploration, made by the same two worker JVMs give the local results.csv and"
            + " results.md, and the local summary and findings")
    void sameAsLocal(@TempDir Path dir) throws IOException, InterruptedException {
        int port = freePort();
        List<String> cErr = new ArrayList<>();
        List<String> w1Err = new ArrayList<>();
        List<String> w2Err = new ArrayList<>();
        Process c = coordinator(dir.resolve("cluster"), port, cErr);
        // Without --once: when the sweep's coordinator is gone the workers join again and serve the next one.
        Process w1 = kctx(w1Err, null, "worker", "--join", "127.0.0.1:" + port, "--jobs", "1");
        Process w2 = kctx(w2Err, null, "worker", "--join", "127.0.0.1:" + port, "--jobs", "1");
        assertEquals(0, exit(c, cErr), () -> "the coordinator succeeds; stderr: " + cErr);
        assertSameFiles(dir.resolve("cluster"));
        assertTrue(cErr.contains("kctx: 12 units made on the cluster; 0 handed out again"), () -> "12 runs, none redone: " + cErr);

        Path localOut = dir.resolve("explore-local");
        Path clusterOut = dir.resolve("explore-cluster");
        List<String> explore = List.of("explore", EXPLORE_FILE, "--runs", "40", "--no-progress");
        List<String> localArgs = new ArrayList<>(explore);
        localArgs.addAll(List.of("--out", localOut.toString()));
        Kctx.Result localRun = Kctx.run(localArgs.toArray(String[]::new));
        assertEquals(1, localRun.code(), () -> "the local exploration finds the window:\n" + localRun.out() + localRun.err());
        List<String> eErr = new ArrayList<>();
        List<String> clusterArgs = new ArrayList<>(explore);
        clusterArgs.addAll(List.of("--out", clusterOut.toString(), "--cluster", "127.0.0.1:" + port, "--min-workers", "2"));
        Process e = kctx(eErr, null, clusterArgs.toArray(String[]::new));
        assertEquals(1, exit(e, eErr), () -> "the exploration on the cluster finds it too; stderr: " + eErr);
        assertTrue(eErr.stream().anyMatch(l -> l.matches("kctx: \\d+ units made on the cluster; 0 handed out again")),
                () -> "the runs were made on the cluster: " + eErr);
        List<String> files;
        try (var list = Files.list(localOut)) {
            files = list.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertTrue(files.containsAll(List.of("finding-1.txt", "finding-1.yaml", "summary.txt")), files::toString);
        for (String f : files) {
            byte[] mine = Files.readAllBytes(localOut.resolve(f));
            byte[] theirs = Files.readAllBytes(clusterOut.resolve(f));
            if (f.endsWith(".yaml")) {
                assertArrayEquals(mine, theirs, f + " (a replay) on the cluster is the local one, byte for byte");
            } else {
                // the summary and reports name the replay's path: the output directories differ
                assertEquals(new String(mine, StandardCharsets.UTF_8).replace(localOut.toString(), "DIR"),
                        new String(theirs, StandardCharsets.UTF_8).replace(clusterOut.toString(), "DIR"),
                        f + " on the cluster is the local one, but for the output directory");
            }
        }
        assertTrue(w1.isAlive() && w2.isAlive(), "workers without --once wait for the next coordinator");
    }

    @Test
    @DisplayName("a worker killed (kill -9) while it holds a run changes nothing in the results: the run is made elsewhere")
    void workerKilledMidSweep(@TempDir Path dir) throws IOException, InterruptedException {
        int port = freePort();
        List<String> cErr = new ArrayList<>();
        List<String> victimErr = new ArrayList<>();
        CompletableFuture<Void> holding = new CompletableFuture<>();
        Process c = coordinator(dir.resolve("cluster"), port, cErr);
        Process victim = kctx(victimErr, holding, "worker", "--join", "127.0.0.1:" + port, "--jobs", "1", "--once",
                "--hold-first-unit");
        List<String> otherErr = new ArrayList<>();
        Process other = kctx(otherErr, null, "worker", "--join", "127.0.0.1:" + port, "--jobs", "1", "--once");
        // --min-workers 2: both workers have asked before the first run goes out, so the victim gets one.
        holding.orTimeout(LIMIT_S, TimeUnit.SECONDS).join();
        victim.destroyForcibly();
        assertEquals(0, exit(c, cErr), () -> "the coordinator succeeds; stderr: " + cErr);
        assertSameFiles(dir.resolve("cluster"));
        assertTrue(cErr.stream().anyMatch(l -> l.endsWith("is unreachable or gone; 1 unit it held handed out again")),
                () -> "the killed worker's run was handed out again: " + cErr);
        assertTrue(cErr.contains("kctx: 12 units made on the cluster; 1 handed out again"), () -> "12 runs counted once: " + cErr);
        assertEquals(0, exit(other, otherErr), () -> "a --once worker ends with its coordinator: " + otherErr);
    }

    @Test
    @DisplayName("kctx explore and kctx experiment check the cluster options alike: --jobs is the workers', --bind needs --cluster")
    void clusterOptionsChecked() {
        for (String[] command : List.of(new String[] {"explore", EXPLORE_FILE}, new String[] {"experiment", "irqsave-hold"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--cluster", "127.0.0.1:1", "--jobs", "2"));
            Kctx.Result jobs = Kctx.run(args.toArray(String[]::new));
            assertEquals(2, jobs.code(), jobs.err());
            assertTrue(jobs.err().contains("--jobs is a worker's option with --cluster: give it to kctx worker"), jobs.err());
            args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--bind", "0.0.0.0"));
            Kctx.Result bind = Kctx.run(args.toArray(String[]::new));
            assertEquals(2, bind.code(), bind.err());
            assertTrue(bind.err().contains("--bind needs --cluster"), bind.err());
        }
    }
}
