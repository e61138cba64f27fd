package dev.kctx.tests.fuzz;

import dev.kctx.tests.CommandLine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.tests.properties.Fuzz;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No way out of the model: scenarios that put paths, shell syntax, Java class names, YAML
 * constructor tags, environment-variable syntax and huge sizes into every string and number a
 * scenario has. Whatever the answer (a run, or a one-line refusal), nothing outside the model
 * happens: no file appears, changes or disappears outside the run's output directory, no process
 * is started, no file's content (canaries planted where the paths point) and no environment
 * variable's value reaches the outputs, and the outputs stay well-formed (no markup injected).
 */
@DisplayName("Hostile scenarios")
class HostileScenarioTest {

    @TempDir
    static Path world;

    static Path scenarios;
    static Path outputs;
    static Path pwned;
    static final String CANARY = "KCTX-CANARY-" + UUID.randomUUID();

    /** The strings a hostile scenario tries everywhere. */
    static List<String> hostile() {
        String p = pwned == null ? "/tmp/kctx-pwned" : pwned.toString();
        return List.of("/bin/sh", "../../etc/passwd", "../secret.txt", "/etc/passwd", "~/.ssh/id_rsa", "/proc/self/environ",
                "/dev/zero", "file:///etc/passwd", "http://127.0.0.1:9/x", "${HOME}", "${PATH}", "${env:PATH}", "$HOME",
                "%PATH%", "$(touch " + p + ")", "`touch " + p + "`", "; touch " + p, "| touch " + p, "&& touch " + p,
                "java.lang.Runtime", "javax.script.ScriptEngineManager", "java.lang.ProcessBuilder",
                "!!javax.script.ScriptEngineManager", "${jndi:ldap://127.0.0.1:1/a}", "#{T(java.lang.Runtime).exec('id')}",
                "{{7*7}}", "<script>alert(1)</script>", "</svg><script>x</script>", "\"},{\"injected\":1,\"x\":\"",
                "%s%s%n%x", "\u0000", "\u202Egnp.exe", "\u001B]0;pwned\u0007\u001B[2J", "a\u2028b", "CON", "..", "C:\\Windows\\system32\\cmd.exe", "A".repeat(70_000));
    }

    /** Where each string goes: a template's placeholder and what it stands for. */
    static final Map<String, String> FIELDS = new TreeMap<>(Map.ofEntries(
            Map.entry("NAME", "the scenario name"), Map.entry("DESC", "the description"),
            Map.entry("LOCK", "a lock name"), Map.entry("IRQ", "an IRQ name"), Map.entry("KT", "a kernel thread name"),
            Map.entry("PROC", "a process name"), Map.entry("SYSCALL", "a system call name"),
            Map.entry("TEXT", "a printk text"), Map.entry("LABEL", "a kfree/get_user label"),
            Map.entry("QUEUE", "a wait queue"), Map.entry("COMPL", "a completion"), Map.entry("VEC", "a soft IRQ vector"),
            Map.entry("OP", "an operation name"), Map.entry("PREEMPT", "the preemption model"),
            Map.entry("KIND", "an expected report kind")));

    static final String TEMPLATE = """
            name: {NAME}
            description: {DESC}
            machine: {cpus: 2, preempt: {PREEMPT}}
            locks:
              {LOCK}: spinlock
            irqs:
              - name: {IRQ}
                line: 11
                arrivals: {at: [10us, 60us]}
                handler:
                  - {OP}: 1us
                  - raise_softirq: {VEC}
                  - wake_up: {QUEUE}
                  - complete: {COMPL}
            softirqs:
              NET_RX:
                - compute: 2us
                - printk: {TEXT}
            kthreads:
              - name: {KT}
                body:
                  - spin_lock: {LOCK}
                  - compute: 3us
                  - spin_unlock: {LOCK}
                  - kfree: {LABEL}
                  - wait_event: {QUEUE}
                  - wait_for_completion: {COMPL}
            processes:
              - name: {PROC}
                body:
                  - syscall: {name: {SYSCALL}, body: [get_user: {LABEL}, compute: 2us]}
            run: {until: 200us}
            expect:
              reports: {{KIND}: 0}
            """;

    static final Map<String, String> DEFAULTS = Map.ofEntries(Map.entry("NAME", "hostile"), Map.entry("DESC", "x"),
            Map.entry("LOCK", "L"), Map.entry("IRQ", "nic"), Map.entry("KT", "worker"), Map.entry("PROC", "app"),
            Map.entry("SYSCALL", "ioctl"), Map.entry("TEXT", "hello"), Map.entry("LABEL", "buf"), Map.entry("QUEUE", "q"),
            Map.entry("COMPL", "done"), Map.entry("VEC", "NET_RX"), Map.entry("OP", "compute"),
            Map.entry("PREEMPT", "none"), Map.entry("KIND", "soft-lockup"));

    /** A hostile scenario: what went where, and the file's text. */
    record Case(String label, String yaml) {
        @Override
        public String toString() {
            return label;
        }
    }

    static String quoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(Character.isISOControl(c) || c == '\u2028' || c == '\u202E'
                        ? String.format("\\u%04X", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    static String fill(Map<String, String> values) {
        String y = TEMPLATE;
        for (var e : values.entrySet()) {
            y = y.replace("{" + e.getKey() + "}", e.getValue());
        }
        return y;
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        List<String> strings = hostile();
        int f = 0;
        for (String field : FIELDS.keySet()) {
            f++;
            for (int i = 0; i < strings.size(); i++) {
                if (!Fuzz.on() && (i + f) % 3 != 0) {
                    continue; // every string in a third of the fields by default, in all of them under -Pfuzz
                }
                String s = strings.get(i);
                Map<String, String> v = new TreeMap<>(DEFAULTS);
                // as a quoted string, and (where it is one token) bare, so tags and ${...} reach the parser as written
                v.put(field, quoted(s));
                out.add(new Case(field.toLowerCase() + " = " + label(s), fill(v)));
                if (s.startsWith("!!") || s.startsWith("$") && !s.contains(" ")) {
                    v.put(field, s);
                    out.add(new Case(field.toLowerCase() + " = " + label(s) + " (bare)", fill(v)));
                }
            }
        }
        // Constructor tags on whole nodes, and sizes far beyond anything real.
        String[][] raw = {
                {"a tag on the machine", "machine: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:9/\"]]]]\n"},
                {"a tag on a body", "kthreads: [{name: w, body: !!java.lang.ProcessBuilder [[\"/bin/sh\", \"-c\", \"touch " + pwnedPath() + "\"]]}]\n"},
                {"a tag on a key", "!!java.lang.Runtime machine: {cpus: 1}\n"},
                {"kmalloc of 2^62 bytes", "kthreads: [{name: w, body: [kmalloc: {size: 4611686018427387904, flags: GFP_KERNEL}]}]\n"},
                {"copy_to_user of 10^18 bytes", "processes: [{name: p, body: [syscall: {name: read, body: [copy_to_user: 1000000000000000000]}]}]\n"},
                {"vmalloc of 1e30", "kthreads: [{name: w, body: [vmalloc: 1e30]}]\n"},
                {"256 CPUs", "machine: {cpus: 256}\nkthreads: [{name: w, body: [compute: 1us]}]\n"},
                {"a semaphore of 2^31-1", "locks: {s: {semaphore: 2147483647}}\nkthreads: [{name: w, body: [down: s, up: s]}]\n"},
                {"a loop of 10^18", "kthreads: [{name: w, body: [loop: {count: 1000000000000000000, body: [compute: 1ns]}]}]\n"},
                {"a rate of 10^8 per second", "irqs: [{name: n, line: 1, arrivals: {rate: 100000000}, handler: [compute: 1ns]}]\n"},
                {"the largest pid", "processes: [{name: p, pid: 4194304, body: [compute: 1us]}]\n"},
                {"a 10^12 s run", "run: {until: 1000000000000s}\nkthreads: [{name: w, body: [compute: 1us]}]\n"},
                // issue 21's shapes: loops in zero time, a run that would last for hours, mechanisms without their files
                {"two threads completing each other in zero time", "kthreads: [{name: a, body: [loop: {count: forever, body:"
                        + " [complete: c1, wait_for_completion: c2]}]}, {name: b, body: [loop: {count: forever, body:"
                        + " [wait_for_completion: c1, complete: c2]}]}]\n"},
                {"a soft IRQ raising itself", "softirqs: {NET_RX: [raise_softirq: NET_RX]}\n"
                        + "irqs: [{name: n, line: 1, arrivals: {at: [1us]}, handler: [raise_softirq: NET_RX]}]\n"},
                {"a 1 ns loop for 100 s", "run: {until: 100s}\nkthreads: [{name: w, body: [loop: {count: forever, body: [compute: 1ns]}]}]\n"},
                {"an IRQ every 100 ns", "irqs: [{name: n, line: 1, arrivals: {every: 100ns}, handler: [compute: 1ns]}]\n"},
                {"a helper logging into a missing directory", "modules: [{name: m, helpers: [{path: /sbin/h, log: /no/dir/h.log}]}]\n"
                        + "kthreads: [{name: w, body: [call_usermodehelper: {path: /sbin/h}]}]\n"},
                {"programs without their module", "modules: [{builtin: nlexample}, {builtin: mmap_kernel}]\n"
                        + "processes: [{name: sh, body: [sh: ./nlmcast hi, sh: ./nlflood 3, sh: ./mmap_user]}]\n"},
                {"a raw NUL byte", "name: x\ndescription: a\u0000b\n"},
                {"a misspelt counter", "kthreads: [{name: w, body: [compute: 1us]}]\nexpect: {counters: {faults.irq_lots: 0}}\n"},
                {"a complex key", "? [machine, cpus]\n: 1\n"},
        };
        for (String[] r : raw) {
            out.add(new Case(r[0], r[1]));
        }
        return out.stream();
    }

    static String pwnedPath() {
        return pwned == null ? "/tmp/kctx-pwned" : pwned.toString();
    }

    static String label(String s) {
        String l = s.length() > 30 ? s.substring(0, 12) + "...(" + s.length() + " chars)" : s;
        StringBuilder sb = new StringBuilder();
        for (char ch : l.toCharArray()) {
            sb.append(Character.isISOControl(ch) || ch == '\u202E' || ch == '\u2028' ? String.format("\\u%04X", (int) ch) : String.valueOf(ch));
        }
        return sb.toString();
    }

    @BeforeAll
    static void plant() throws IOException {
        scenarios = Files.createDirectories(world.resolve("a/b/scenarios"));
        outputs = Files.createDirectories(world.resolve("out"));
        pwned = world.resolve("pwned");
        // Canaries where the relative paths point, from the scenario's directory and from the world root.
        for (String p : List.of("a/etc/passwd", "etc/passwd", "a/b/secret.txt", "secret.txt", "a/b/scenarios/..", "home/.ssh/id_rsa")) {
            Path f = world.resolve(p);
            if (!Files.isDirectory(f)) {
                Files.createDirectories(f.getParent());
                Files.writeString(f, CANARY + "\n");
            }
        }
    }

    /** Every file and directory under {@code root} with its size and modification time, skipping {@code skip}. */
    static Map<String, String> snapshot(Path root, Set<String> skip) throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(root)) {
            return m;
        }
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                String rel = root.relativize(d).toString();
                if (skip.contains(rel)) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                if (!rel.isEmpty()) {
                    m.put(rel, "dir");
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                m.put(root.relativize(f).toString(), a.size() + "@" + a.lastModifiedTime().toMillis());
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return m;
    }

    static Set<Long> children() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> homeNames() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("user.home")))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    static int n;
    static final int[] EXITS = new int[3];

    /** Writes how the cases ended, for docs/reliability.md. */
    @org.junit.jupiter.api.AfterAll
    static void tally() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "reliability"));
        Files.writeString(dir.resolve("hostile.txt"), n + " hostile scenarios: " + EXITS[0] + " ran clean (exit 0), " + EXITS[1]
                + " ran with reports (exit 1), " + EXITS[2] + " refused (exit 2)\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("runs or is refused in one line, and nothing outside the model happens")
    void nothingOutsideTheModel(Case c) throws IOException {
        Path file = scenarios.resolve("case-" + (++n) + ".yaml");
        Files.writeString(file, c.yaml(), StandardCharsets.UTF_8);
        Path out = outputs.resolve("case-" + n);
        Path cwd = Path.of("").toAbsolutePath();
        Map<String, String> worldBefore = snapshot(world, Set.of("out"));
        Map<String, String> cwdBefore = snapshot(cwd, Set.of("target"));
        Set<String> homeBefore = homeNames();
        Set<Long> childrenBefore = children();

        CommandLine.Result r = CommandLine.run("run", file.toString(), "--out", out.toString(), "--until", "200us",
                "--no-progress");

        if (r.code() >= 0 && r.code() <= 2) {
            EXITS[r.code()]++;
        }
        assertNull(InProcess.verdict(file.toString(), r), () -> c + ": " + InProcess.verdict(file.toString(), r));
        assertEquals(childrenBefore, children(), c + ": no process was started");
        assertEquals(worldBefore, snapshot(world, Set.of("out")), c + ": no file outside the output directory changed");
        assertEquals(cwdBefore, snapshot(cwd, Set.of("target")), c + ": nothing was written to the working directory");
        assertEquals(homeBefore, homeNames(), c + ": nothing was created in the home directory");
        assertFalse(Files.exists(pwned), c + ": no command ran");
        Set<String> written = new TreeSet<>();
        try (Stream<Path> s = Files.exists(out) ? Files.list(out) : Stream.empty()) {
            s.forEach(p -> written.add(p.getFileName().toString()));
        }
        if (r.code() == 2) {
            assertTrue(written.isEmpty(), c + ": a refused scenario writes no output: " + written);
        } else {
            assertEquals(Set.of("report.html", "report.json", "report.txt", "trace.dat", "trace.json", "trace.txt",
                    "timeline.svg", ".kctx.lock"), written, c + ": the run writes its seven outputs, and the empty lock file,"
                    + " and nothing else");
        }
        List<String> texts = new ArrayList<>(List.of(r.out(), r.err()));
        for (String w : written) {
            // trace.dat is binary: its strings are searched byte for byte.
            texts.add(w.endsWith(".dat") ? new String(Files.readAllBytes(out.resolve(w)), StandardCharsets.ISO_8859_1)
                    : Files.readString(out.resolve(w)));
        }
        String path = System.getenv("PATH");
        String home = System.getProperty("user.home");
        for (String t : texts) {
            assertFalse(t.contains(CANARY), c + ": the content of a file outside the model reached the output");
            assertFalse(t.contains("root:x:0:0"), c + ": /etc/passwd reached the output");
            if (path != null && path.length() > 10) {
                assertFalse(t.contains(path), c + ": the value of $PATH reached the output");
            }
            assertFalse(t.contains("\"" + home + "\"") || t.contains(" " + home + " "), c + ": the value of $HOME reached the output");
        }
        if (r.code() != 2) {
            ObjectMapper json = new ObjectMapper();
            json.readTree(out.resolve("report.json").toFile());
            json.readTree(out.resolve("trace.json").toFile());
            String svg = Files.readString(out.resolve("timeline.svg"));
            assertFalse(svg.contains("<script"), c + ": no markup injected into timeline.svg");
            String html = Files.readString(out.resolve("report.html"));
            assertEquals(2, html.split("<script", -1).length - 1, c + ": report.html has its own two scripts, nothing injected");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("a separate kctx process in a fresh working directory writes only where --out points, and check writes nothing")
    void freshWorkingDirectory(@TempDir Path fresh) throws Exception {
        Path files = Files.createDirectories(world.resolve("separate"));
        List<String> args = new ArrayList<>(List.of("check", "--until", "200us", "--no-progress"));
        List<Case> all = cases().toList();
        for (int i = 0; i < all.size(); i += 7) {
            Path f = files.resolve("c" + i + ".yaml");
            Files.writeString(f, all.get(i).yaml());
            args.add(f.toString());
        }
        Map<String, String> worldBefore = snapshot(world, Set.of("out", "separate"));
        ProcessResult check = java(fresh, args);
        assertTrue(check.code() == 0 || check.code() == 1 || check.code() == 2, "kctx check: exit " + check.code() + "\n" + check.err());
        assertFalse(check.err().contains("\tat ") || check.err().contains("Exception"), "no stack trace:\n" + check.err());
        assertEquals(Map.of(), snapshot(fresh, Set.of()), "kctx check wrote nothing in its working directory");

        ProcessResult run = java(fresh, List.of("run", files.resolve("c0.yaml").toString(), "--out", "out", "--until", "200us",
                "--no-progress"));
        assertTrue(run.code() <= 2, run.err());
        Set<String> created = snapshot(fresh, Set.of()).keySet();
        assertTrue(created.stream().allMatch(p -> p.equals("out") || p.startsWith("out/")),
                "kctx run wrote only under --out: " + created);
        assertEquals(worldBefore, snapshot(world, Set.of("out", "separate")), "nothing else changed");
        assertFalse(Files.exists(pwned), "no command ran");
    }

    record ProcessResult(int code, String out, String err) {
    }

    /** Runs the command line in a JVM of its own, in {@code cwd}, with this test's class path. */
    static ProcessResult java(Path cwd, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.kctx.cli.Main"));
        cmd.addAll(args);
        Path out = Files.createTempFile("kctx-out", ".txt");
        Path err = Files.createTempFile("kctx-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(100, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kctx did not finish");
            }
            return new ProcessResult(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
