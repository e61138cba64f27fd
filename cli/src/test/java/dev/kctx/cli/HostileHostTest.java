package dev.kctx.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing on the host outside --out (issue 21), checked in JVMs of their own, where the first use
 * of fonts or of NIO happens: an experiment draws its PNG without writing the JDK's font cache
 * into $HOME; kctx check opens no NIO channel, whose native library probes the network with
 * sockets; and the launcher refuses a malformed KCTX_JAVA_OPTS in one line.
 */
@DisplayName("No host side effects")
class HostileHostTest {

    record Ran(int code, String out, String err) {
    }

    static Ran java(Path cwd, List<String> jvm, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return run(new ProcessBuilder(cmd).directory(cwd.toFile()), cwd.getParent());
    }

    static Ran run(ProcessBuilder pb, Path scratch) throws Exception {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(170, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish");
        }
        Ran r = new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).filter(p -> !p.isEmpty()).sorted().toList();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("kctx experiment draws its PNG headless and leaves $HOME untouched (no ~/.java/fonts)")
    void homeUntouched(@TempDir Path tmp) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        Ran r = java(cwd, List.of("-Duser.home=" + home), List.of("experiment", "irqsave-hold", "--quick", "--seeds", "1",
                "--jobs", "2", "--out", "out", "--no-progress"));
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), tree(home), "nothing written in $HOME (the JDK caches fontconfig's answer in ~/.java/fonts)");
        assertTrue(Files.size(cwd.resolve("out/latency.png")) > 1000, "the PNG was drawn");
        assertTrue(tree(cwd).stream().allMatch(p -> p.equals("out") || p.startsWith("out/")), "only out/ in the working directory: "
                + tree(cwd));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("kctx check reads its files without a NIO channel, whose native library opens AF_INET/AF_INET6 probe sockets")
    void noSocketsForCheck(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("s.yaml"), "kthreads: [{name: w, body: [compute: 5us]}]\nrun: {until: 20us}\n");
        Path log = tmp.resolve("classes.log");
        Ran r = java(Files.createDirectories(tmp.resolve("cwd")), List.of("-Xlog:class+load=info:file=" + log), List.of("check", f.toString(), "--no-progress"));
        assertEquals(0, r.code(), r.err());
        String loaded = Files.readString(log);
        assertTrue(loaded.contains("dev.kctx.cli.scenario.ScenarioInput"), "the log lists the classes loaded");
        // sun.nio.ch.IOUtil loads libnet, whose JNI_OnLoad creates sockets to probe for IPv4, IPv6 and SO_REUSEPORT.
        assertFalse(loaded.contains("sun.nio.ch.IOUtil "), "no NIO channel was opened, so libnet's probes never ran");
        assertFalse(loaded.contains("java.net.Socket ") || loaded.contains("sun.nio.ch.Net "), "no socket class either");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("the launcher refuses a malformed KCTX_JAVA_OPTS in one line, before it builds or starts anything")
    void javaOpts(@TempDir Path tmp) throws Exception {
        Path launcher = standInLauncher(tmp);
        Files.writeString(tmp.resolve("cli/target/kctx.jar"), "not a jar");
        for (String[] c : new String[][] {{"Xmx1g", "'Xmx1g' is not a JVM option"}, {"-cp /tmp", "'-cp' is not allowed"},
                {"-Xmx1q", "is refused by the JVM: Invalid maximum heap size"},
                {"-XX:+NoSuchFlag", "is refused by the JVM: Unrecognized VM option 'NoSuchFlag'"}}) {
            ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "--version");
            pb.environment().putAll(Map.of("KCTX_JAVA_OPTS", c[0]));
            Ran r = run(pb, tmp);
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
            assertTrue(r.err().startsWith("kctx: KCTX_JAVA_OPTS") && r.err().contains(c[1]), r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("Caused by"), r.err());
        }
        ProcessBuilder ok = new ProcessBuilder("bash", launcher.toString(), "--version");
        ok.environment().put("KCTX_JAVA_OPTS", "-Xmx256m -Dkctx.x=1");
        Ran r = run(ok, tmp);
        assertTrue(r.err().contains("kctx.jar"), "good options reach the JVM, which opens the (stand-in) jar: " + r.err());
    }

    /**
     * A copy of the launcher in {@code tmp}, with {@code cli/target} made for the stand-in jar the
     * caller writes there: newer than any source, so that the launcher never builds.
     */
    private static Path standInLauncher(Path tmp) throws IOException {
        Path launcher = Files.copy(Path.of("..", "kctx"), tmp.resolve("kctx"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tmp.resolve("cli/target"));
        return launcher;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("the launcher runs the parallel collector unless KCTX_JAVA_OPTS picks a collector, which then wins alone")
    void collector(@TempDir Path tmp) throws Exception {
        Path launcher = standInLauncher(tmp);
        // a stand-in jar whose main class does not exist: the JVM starts (and logs its collector), then stops
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "NoSuchMain");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(tmp.resolve("cli/target/kctx.jar")), manifest)) {
            jar.flush();
        }
        for (String[] c : new String[][] {{"-Xlog:gc:stderr", "Using Parallel"},
                {"-XX:+UseSerialGC -Xlog:gc:stderr", "Using Serial"}, {"-XX:+UseG1GC -Xlog:gc:stderr", "Using G1"}}) {
            ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "--version");
            pb.environment().put("KCTX_JAVA_OPTS", c[0]);
            Ran r = run(pb, tmp);
            // the JVM logs its collector when it starts, then finds no main class in the stand-in jar
            assertTrue(r.err().contains(c[1]), c[0] + " gives '" + c[1] + "': " + r.err());
            assertFalse(r.err().contains("Conflicting collector") || r.err().contains("multiple"), c[0] + ": " + r.err());
        }
    }
}
