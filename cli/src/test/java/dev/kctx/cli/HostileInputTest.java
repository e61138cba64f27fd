package dev.kctx.cli;

import dev.kctx.cli.scenario.ScenarioInput;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Hostile input (issue 21): what is not a scenario file is refused in one located line before it
 * can cost memory or time, and every message says what was wrong, where, and what is allowed.
 * The timeouts are a safety net against a hang, not performance assertions: the bounded reader is
 * checked by how much it read.
 */
@DisplayName("Hostile input")
class HostileInputTest {

    @TempDir
    static Path dir;

    /** An endless stream, like /dev/zero or `yes`, that counts what was read from it. */
    static final class Endless extends InputStream {
        long read;

        @Override
        public int read() {
            read++;
            return 'y';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = (byte) (i % 2 == 0 ? 'y' : '\n');
            }
            read += len;
            return len;
        }
    }

    static Kctx.Result withStdin(InputStream in, String... args) {
        InputStream old = System.in;
        System.setIn(in);
        try {
            return Kctx.run(args);
        } finally {
            System.setIn(old);
        }
    }

    static void oneLine(Kctx.Result r, String file, String fragment) {
        assertEquals(2, r.code(), "exit 2: " + r.err());
        assertTrue(r.err().matches("\\Q" + file + "\\E:\\d+:\\d+: [^\n]*; expected [^\n]*\n"), "one located line: " + r.err());
        assertTrue(r.err().contains(fragment), "says '" + fragment + "': " + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("IOException"), "no Java class names: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("kctx run /dev/zero and kctx check /dev/urandom are refused as devices, without reading them")
    void devices() {
        oneLine(Kctx.run("run", "/dev/zero"), "/dev/zero", "not a regular file");
        oneLine(Kctx.run("check", "/dev/urandom"), "/dev/urandom", "not a regular file");
        oneLine(Kctx.run("run", "/dev/null"), "/dev/null", "not a regular file");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("yes | kctx run -: standard input is read up to the limit and refused there")
    void endlessStdin() {
        Endless yes = new Endless();
        Kctx.Result r = withStdin(yes, "run", "-");
        oneLine(r, "-", "beyond the limit of " + ScenarioInput.MAX_BYTES + " bytes");
        assertTrue(yes.read > ScenarioInput.MAX_BYTES && yes.read <= 2L * ScenarioInput.MAX_BYTES,
                "the reader stopped right after the limit: read " + yes.read);
    }

    @Test
    @DisplayName("a scenario on standard input runs as a file does, named stdin")
    void stdinScenario() throws IOException {
        String yaml = "kthreads: [{name: w, body: [compute: 5us]}]\nrun: {until: 20us}\n";
        Kctx.Result r = withStdin(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "run", "-", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("scenario stdin (-)"), r.out());
        Path f = dir.resolve("same.yaml");
        Files.writeString(f, yaml);
        assertEquals(r.out().replace("scenario stdin (-)", ""), Kctx.run("run", f.toString(), "--no-progress").out()
                .replace("scenario same (" + f + ")", ""), "the same report as from a file");
    }

    @Test
    @DisplayName("a directory, a FIFO and a missing file are refused with what they are")
    void notFiles() throws Exception {
        oneLine(Kctx.run("run", dir.toString()), dir.toString(), "this is a directory");
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        oneLine(Kctx.run("check", fifo.toString()), fifo.toString(), "not a regular file (a device, FIFO or socket)");
        oneLine(Kctx.run("run", dir.resolve("nothere.yaml").toString()), dir.resolve("nothere.yaml").toString(), "no such file");
    }

    static Stream<Arguments> messages() {
        return Stream.of(
                arguments("a NUL byte", "name: x\ndescription: \"ab\u0000c\"\n", "2:17", "U+0000 is not allowed"),
                arguments("a C1 control (U+009B)", "name: x\ndescription: ab\u009Bc\n", "2:16", "U+009B is not allowed"),
                arguments("a complex key", "? [a, b]\n: 1\n", "1:", "a complex mapping key"),
                arguments("an anchor on a key", "&k name: x\n", "1:", "an anchor &k on the mapping key 'name'"),
                arguments("head -n beyond an int", "processes: [{name: p, body: [sh: \"head -n 99999999999 /proc/version\"]}]\n",
                        "1:", "head: number of lines '99999999999' is out of range: from 0 to 2147483647"),
                arguments("setuid beyond an int", "processes: [{name: p, body: [sh: \"setuid 4294967296\"]}]\n", "1:",
                        "setuid: uid '4294967296' is out of range: from 0 to 2147483647"),
                arguments("a period beyond the limit", "irqs: [{name: n, line: 1, arrivals: {every: 3000000000s}, handler: [compute: 1us]}]\n",
                        "1:45", "at most 2305843009s"),
                arguments("a run beyond the limit", "run: {until: 4611686017s}\n", "1:14", "at most 2305843009s"),
                arguments("a misspelt counter", "kthreads: [{name: w, body: [compute: 1us]}]\nexpect:\n  counters: {faults.irq_lots: 0}\n",
                        "3:14", "unknown counter 'faults.irq_lots' (did you mean 'faults.irq_lost'?)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    @DisplayName("says what is wrong, where, and what is allowed, with the limit's value")
    void messages(String label, String yaml, String at, String fragment) throws IOException {
        Path f = dir.resolve(label.replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(f, yaml, StandardCharsets.UTF_8);
        Kctx.Result r = Kctx.run("check", f.toString(), "--no-progress");
        oneLine(r, f.toString(), fragment);
        assertTrue(r.err().startsWith(f + ":" + at), "located at " + at + ": " + r.err());
        assertFalse(r.err().contains("For input string") || r.err().contains("snakeyaml") || r.err().contains("Event("),
                "no parser internals: " + r.err());
    }

    @Test
    @DisplayName("kctx NOSUCH --help and unknown options with --help are refused, not answered with the help")
    void unknownCommandWithHelp() {
        Cli.Result r = Cli.run("NOSUCH", "--help");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("kctx: unknown command 'NOSUCH'; expected one of demo, run, check"), r.err());
        assertEquals("", r.out(), "no help on stdout");
        Cli.Result opt = Cli.run("run", "--nosuch", "--help");
        assertEquals(2, opt.exit());
        assertTrue(opt.err().contains("Unknown option: '--nosuch'"), opt.err());
        assertEquals(0, Cli.run("run", "--help").exit(), "--help alone still works");
    }
}
