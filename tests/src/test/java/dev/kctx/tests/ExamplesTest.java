package dev.kctx.tests;

import dev.kctx.cli.Main;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every scenario under examples/ is a test: run through the command line, it must pass {@code kctx check}. */
@DisplayName("The example scenarios")
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    record Result(int code, String out, String err) {
    }

    static synchronized Result kctx(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    @DisplayName("passes kctx check and states its expectations")
    void passesCheck(Path example) throws IOException {
        assertTrue(Files.readString(example).contains("\nexpect:"), example + " has an expect block");
        Result r = kctx("check", example.toString());
        assertEquals(0, r.code(), "kctx check " + example + "\n" + r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(example + ": ok (")), r.out());
        assertEquals("", r.err());
    }

    @Test
    @DisplayName("cover every report kind the engine produces, each with a clean twin")
    void coverage() throws IOException {
        List<String> names = new ArrayList<>();
        examples().forEach(p -> names.add(p.getFileName().toString()));
        // blocking-call-in-atomic needs a Java handler and may-sleep-in-atomic a mechanism (netlink):
        // neither can be written in a scenario file.
        for (String kind : List.of("sleep-in-atomic", "scheduling-while-atomic", "recursive-locking", "circular-locking",
                "inconsistent-lock-state", "irq-lock-inversion", "irq-safe-to-unsafe", "bad-unlock-balance",
                "lock-held-returning-to-user", "lockup")) {
            boolean found = false;
            for (Path p : examples().toList()) {
                String text = Files.readString(p);
                if (text.matches("(?s).*reports: \\{[^}]*" + kind + ": [1-9].*")) {
                    found = true;
                    String twin = p.getFileName().toString().replace(".yaml", "-clean.yaml");
                    assertTrue(names.contains(twin), p + " has a clean twin " + twin);
                    Result r = kctx("check", EXAMPLES.resolve(twin).toString());
                    assertEquals(0, r.code(), r.out());
                    assertTrue(Files.readString(EXAMPLES.resolve(twin)).contains("clean: true"), twin + " expects no report");
                }
            }
            assertTrue(found, "an example expects " + kind);
        }
        assertTrue(names.contains("preemption.yaml"), "the preemption demo is a scenario");
    }

    @Test
    @DisplayName("all pass in one kctx check, which prints one line per distinct report")
    void allAtOnce() throws IOException {
        List<String> args = new ArrayList<>(List.of("check"));
        examples().forEach(p -> args.add(p.toString()));
        Result r = kctx(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("softirq-mutex.yaml: sleep-in-atomic: BUG: sleeping function called from invalid"
                + " context at kernel/locking/mutex.c (cpu 0, "), r.out());
        assertTrue(r.out().contains("softirq-msleep.yaml: scheduling-while-atomic: BUG: scheduling while atomic"), r.out());
        assertTrue(r.out().contains("abba-two-cpus.yaml: circular-locking: WARNING: possible circular locking dependency"
                + " detected (cpu 1, 105us, kthread tx_worker, spin_lock(dev_lock))"), r.out());
        assertTrue(r.out().contains("irq-aa-lockup.yaml: lockup: watchdog: Watchdog detected hard LOCKUP on cpu 0"), r.out());
    }

    @Test
    @DisplayName("the preemption scenario matches the built-in demo's trace")
    void preemptionMatchesDemo() {
        Result scenario = kctx("run", EXAMPLES.resolve("preemption.yaml").toString(), "--format", "json");
        Result demo = kctx("demo", "preemption", "--seed", "1", "--cpus", "2", "--until", "12ms");
        assertEquals(0, demo.code());
        String trace = demo.out().substring(0, demo.out().indexOf("# summary"));
        String sha = dev.kctx.cli.output.RunReport.sha256(trace);
        assertTrue(scenario.out().contains("\"trace_sha256\": \"" + sha + "\""),
                "the same machine gives the same trace as kctx demo preemption");
    }
}
