package dev.kctx.tests;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** {@code kctx ARGS} in this JVM; a throwable that escapes the command line fails the test. */
    static Result kctx(String... args) {
        CommandLine.Result r = CommandLine.run(args);
        if (r.escaped() != null) {
            throw new AssertionError("kctx " + String.join(" ", args) + " threw", r.escaped());
        }
        return new Result(r.code(), r.out(), r.err());
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
        // blocking-call-in-atomic needs a Java handler: it cannot be written in a scenario file.
        for (String kind : List.of("sleep-in-atomic", "scheduling-while-atomic", "may-sleep-in-atomic", "recursive-locking", "circular-locking",
                "inconsistent-lock-state", "irq-lock-inversion", "irq-safe-to-unsafe", "bad-unlock-balance",
                "lock-held-returning-to-user", "locks-held-at-exit", "soft-lockup", "hard-lockup", "hung-task",
                "irq-handler-enabled-irqs", "bh-enable-irqs-disabled", "syscall-left-irqs-disabled", "suspicious-rcu-usage",
                "rcu-voluntary-context-switch")) {
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
    @DisplayName("cover every user/kernel mechanism, each checking what the programs print")
    void mechanisms() throws IOException {
        // mechanism -> the example and what in it makes the mechanism run
        Map<String, List<String>> cover = new java.util.LinkedHashMap<>();
        cover.put("procfs", List.of("module-procfs-sysfs.yaml", "proc:"));
        cover.put("sysfs", List.of("module-procfs-sysfs.yaml", "sysfs:"));
        cover.put("debugfs", List.of("module-configfs-debugfs.yaml", "debugfs:"));
        cover.put("configfs", List.of("module-configfs-debugfs.yaml", "configfs:"));
        cover.put("module params", List.of("mechanism-params.yaml", "builtin: printvma"));
        cover.put("sysctl", List.of("module-sysctl-range.yaml", "sysctl:"));
        cover.put("char device", List.of("module-chardev.yaml", "chardev:"));
        cover.put("ioctl", List.of("mechanism-ioctl.yaml", "builtin: cdev_ioctl"));
        cover.put("system call", List.of("mechanism-syscall.yaml", "builtin: syscall_example"));
        cover.put("netlink", List.of("mechanism-netlink.yaml", "builtin: nlexample"));
        cover.put("generic netlink", List.of("mechanism-genetlink.yaml", "builtin: gnkernel"));
        cover.put("udp", List.of("mechanism-udp.yaml", "builtin: kudp"));
        cover.put("signals", List.of("mechanism-signal.yaml", "builtin: signal_kernel"));
        cover.put("upcall", List.of("mechanism-upcall.yaml", "builtin: upcall_example"));
        cover.put("mmap", List.of("mechanism-mmap.yaml", "builtin: mmap_kernel"));
        for (var e : cover.entrySet()) {
            Path p = EXAMPLES.resolve(e.getValue().get(0));
            String text = Files.readString(p);
            assertTrue(text.contains(e.getValue().get(1)), e.getKey() + ": " + p + " uses " + e.getValue().get(1));
            assertTrue(text.contains("\n  console_contains:\n"), e.getKey() + ": " + p + " checks what the programs print");
        }
        for (String socket : List.of("mechanism-netlink.yaml", "mechanism-genetlink.yaml", "mechanism-udp.yaml")) {
            assertTrue(Files.readString(EXAMPLES.resolve(socket)).contains("\n  mechanisms:\n"), socket + " checks the counters");
        }
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
        assertTrue(r.out().contains("irq-aa-lockup.yaml: hard-lockup: watchdog: Watchdog detected hard LOCKUP on cpu 0"), r.out());
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
