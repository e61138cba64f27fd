package dev.kctx.cli;

import dev.kctx.cli.output.OutputDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safe outputs (issue 21): --out is checked before the run, files are written under a temporary
 * name and renamed into place (a planted symbolic link is replaced, its target untouched), and a
 * second run into the same directory refuses while the first holds its lock.
 */
@DisplayName("Safe outputs")
class HostileOutputTest {

    @TempDir
    static Path dir;
    static Path scenario;

    @BeforeAll
    static void write() throws IOException {
        scenario = dir.resolve("s.yaml");
        Files.writeString(scenario, "kthreads: [{name: w, body: [compute: 5us]}]\nrun: {until: 20us}\n");
    }

    static void refusedBeforeTheRun(Kctx.Result r, String fragment) {
        assertEquals(2, r.code(), "a bad --out is bad input: " + r.err());
        assertEquals("", r.out(), "refused before the run: nothing printed");
        assertTrue(r.err().startsWith("kctx: --out ") && r.err().contains(fragment), "says why: " + r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    @DisplayName("a file, a device, /proc, an over-long name and an empty name are refused before the run, with the reason")
    void badOut() throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "keep");
        refusedBeforeTheRun(Kctx.run("run", scenario.toString(), "--out", file.toString()), "is a file, not a directory");
        assertEquals("keep", Files.readString(file), "the file is untouched");
        refusedBeforeTheRun(Kctx.run("run", scenario.toString(), "--out", "/dev/null"), "is a device, FIFO or socket");
        refusedBeforeTheRun(Kctx.run("run", scenario.toString(), "--out", "/proc/kctx-out"), "cannot create the directory");
        refusedBeforeTheRun(Kctx.run("run", scenario.toString(), "--out", dir.resolve("x".repeat(300)).toString()),
                "file name too long");
        refusedBeforeTheRun(Kctx.run("run", scenario.toString(), "--out", ""), "an empty directory name");
        Cli.Result exp = Cli.run("experiment", "irqsave-hold", "--out", file.toString());
        assertEquals(2, exp.exit(), "experiment --out FILE is bad input too: " + exp.err());
        assertTrue(exp.err().contains("is a file, not a directory"), exp.err());
        assertEquals("", exp.out(), "refused before the sweep");
    }

    @Test
    @DisplayName("a symbolic link planted at an output's name is replaced, and its target is unchanged")
    void plantedLink() throws IOException {
        Path out = Files.createDirectories(dir.resolve("linked"));
        Path target = Files.writeString(dir.resolve("precious.txt"), "precious");
        Files.createSymbolicLink(out.resolve("report.json"), target);
        Files.createSymbolicLink(out.resolve("trace.txt"), dir.resolve("dangling"));
        Kctx.Result r = Kctx.run("run", scenario.toString(), "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals("precious", Files.readString(target), "the link's target is unchanged");
        assertFalse(Files.exists(dir.resolve("dangling")), "nothing created where a dangling link pointed");
        assertTrue(Files.isRegularFile(out.resolve("report.json"), LinkOption.NOFOLLOW_LINKS), "the link was replaced by the file");
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"schema\""));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(OutputDir.LOCK, "report.html", "report.json", "report.txt", "timeline.svg", "trace.dat", "trace.json", "trace.txt"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left, the empty lock file kept");
        }
    }

    @Test
    @DisplayName("a link planted at the lock's name is refused, not followed")
    void plantedLockLink() throws IOException {
        Path out = Files.createDirectories(dir.resolve("locklink"));
        Path target = Files.writeString(dir.resolve("lock-target.txt"), "mine");
        Files.createSymbolicLink(out.resolve(OutputDir.LOCK), target);
        Kctx.Result r = Kctx.run("run", scenario.toString(), "--out", out.toString(), "--no-progress");
        refusedBeforeTheRun(r, "cannot write in the directory");
        assertEquals("mine", Files.readString(target), "its target is unchanged");
    }

    @Test
    @DisplayName("a second run into a directory another run in this JVM holds is refused clearly; after it, runs go on")
    void lockedInThisJvm() throws Exception {
        Path out = dir.resolve("busy");
        try (OutputDir held = OutputDir.open(out)) {
            Kctx.Result r = Kctx.run("run", scenario.toString(), "--out", out.toString(), "--no-progress");
            refusedBeforeTheRun(r, "another kctx run is writing there");
            assertTrue(r.err().contains("choose another --out"), r.err());
        }
        assertEquals(0, Kctx.run("run", scenario.toString(), "--out", out.toString(), "--no-progress").code());
        assertEquals(0, Files.size(out.resolve(OutputDir.LOCK)), "the lock file stays, empty, and the next run locks it again");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("a run refuses a directory another process holds, and no file of it is written there")
    void lockedByAnotherProcess() throws Exception {
        Path out = dir.resolve("other");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), out.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(lines.readLine().startsWith("locked "), "the other process holds the lock");
            Kctx.Result r = Kctx.run("run", scenario.toString(), "--out", out.toString(), "--no-progress");
            refusedBeforeTheRun(r, "another kctx run is writing there");
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of(OutputDir.LOCK), s.map(p -> p.getFileName().toString()).toList(), "nothing written");
            }
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS), "the holder ends");
        }
        assertEquals(0, Kctx.run("run", scenario.toString(), "--out", out.toString(), "--no-progress").code(),
                "once it let go, the directory is free");
    }
}
