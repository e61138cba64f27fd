package dev.kctx.cli.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.actors.MachineSpec;
import dev.kctx.cli.Kctx;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.module.ParamType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("Modules and shell sessions in scenario files")
class ModulesScenarioTest {

    @TempDir
    static Path dir;

    static Modules modules(Scenario s) {
        for (MachineSpec.Boot<?> b : s.spec().boot()) {
            if (b.key() == Modules.class) {
                return (Modules) b.factory().get();
            }
        }
        return null;
    }

    static Kctx.Result run(String name, String yaml, String... more) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        List<String> args = new ArrayList<>(List.of("run", f.toString()));
        args.addAll(List.of(more));
        return Kctx.run(args.toArray(String[]::new));
    }

    @Test
    @DisplayName("a declared module becomes a .ko file with its parameters; built-ins bring their files and programs")
    void loadsModules() {
        Scenario s = ScenarioLoader.load("""
                modules:
                  - name: hello
                    params:
                      level: {type: int, perm: "0644", default: 3}
                      verbose: {type: bool}
                      who: {type: charp, perm: "0444", default: world}
                    printk: [hello]
                  - builtin: printvma
                  - builtin: cdev_ioctl
                processes: [{name: sh, body: [sh: "./ioctl_user /dev/cdev_ioctl"]}]
                """, "t");
        Modules m = modules(s);
        assertNotNull(m);
        ModuleDef hello = m.file("hello.ko");
        assertEquals(List.of("level", "verbose", "who"), hello.params().stream().map(p -> p.name()).toList());
        assertEquals(ParamType.INT, hello.params().get(0).type());
        assertEquals(0644, hello.params().get(0).perm());
        assertEquals(3L, hello.params().get(0).defaultValue());
        assertEquals(Boolean.FALSE, hello.params().get(1).defaultValue());
        assertEquals(0, hello.params().get(1).perm());
        assertEquals("world", hello.params().get(2).defaultValue());
        assertNotNull(m.file("0444/printvma.ko"), "every build of printvma");
        assertNotNull(m.file("cdev_ioctl.ko"));
        assertTrue(s.spec().boot().stream().anyMatch(b -> b.key() == Executables.class), "cdev_ioctl brings ioctl_user");
    }

    @Test
    @DisplayName("a scenario without modules or sh boots no module loader (traces of older scenarios stay the same)")
    void noModulesNoBoot() {
        assertNull(modules(ScenarioLoader.load("processes: [{name: p, body: [compute: 1us]}]\n", "t")));
        assertNotNull(modules(ScenarioLoader.load("processes: [{name: p, body: [sh: lsmod]}]\n", "t")));
    }

    @Test
    @DisplayName("sh runs in order with other user operations; run prints the console after the reports, json has it too")
    void consoleInReports() throws IOException {
        String yaml = """
                modules:
                  - name: hello
                    proc: [{name: hello, content: "hi from proc"}]
                processes:
                  - name: sh
                    body:
                      - compute: 10us
                      - sh: "insmod hello.ko"
                      - sh: "cat /proc/hello"
                      - nanosleep: 1ms
                      - sh: "rmmod hello"
                run: {until: 10ms}
                expect:
                  clean: true
                  console_contains: ["hi from proc"]
                """;
        Kctx.Result r = run("console", yaml);
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        int reports = out.indexOf("reports: none");
        int console = out.indexOf("\nconsole:\n# insmod hello.ko\n# cat /proc/hello\nhi from proc\n# rmmod hello\n");
        assertTrue(reports >= 0 && console > reports, out);
        assertTrue(out.indexOf("expect: all met") > console, out);
        assertTrue(out.contains("  ok    console contains \"hi from proc\""), out);

        Kctx.Result j = run("console-json", yaml, "--format", "json");
        JsonNode root = new ObjectMapper().readTree(j.out());
        List<String> lines = new ArrayList<>();
        root.get("console").forEach(n -> lines.add(n.asText()));
        assertEquals(List.of("# insmod hello.ko", "# cat /proc/hello", "hi from proc", "# rmmod hello"), lines);
    }

    @Test
    @DisplayName("console_contains fails the run when the text is missing")
    void consoleContainsFails() throws IOException {
        Kctx.Result r = run("console-missing", """
                processes: [{name: sh, body: [sh: "cat /proc/nothere"]}]
                expect: {console_contains: ["no such luck", "No such file or directory"]}
                """);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("  FAIL  console lacks \"no such luck\""), r.out());
        assertTrue(r.out().contains("  ok    console contains \"No such file or directory\""), r.out());
    }

    @Test
    @DisplayName("dmesg_contains checks the kernel log without its timestamps, across lines; a missing text fails the run")
    void dmesgContains() throws IOException {
        Kctx.Result r = run("dmesg-contains", """
                kthreads: [{name: k, body: [printk: "first", compute: 5us, printk: "second"]}]
                expect: {dmesg_contains: ["first\\nsecond", "third"]}
                """);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("  ok    kernel log contains \"first\\nsecond\""), r.out());
        assertTrue(r.out().contains("  FAIL  kernel log lacks \"third\""), r.out());
    }

    @Test
    @DisplayName("every declared mechanism works from the shell, and rmmod takes it all away")
    void everySection() throws IOException {
        Kctx.Result r = run("all", """
                modules:
                  - name: all
                    params: {n: {type: uint, perm: "0444", default: 7}}
                    printk: ["all: up"]
                    proc:
                      - {name: all_dir/simple, content: "simple text", mode: "0444"}
                      - {name: all_seq, seq_records: 2}
                    sysfs: {dir: all, attributes: [{name: rw, value: 1}, {name: wo, mode: "0200"}]}
                    debugfs: {dir: all, files: [{name: small, type: u8, value: 200}, {name: on, type: bool, value: true},
                                                {name: blob, type: blob, value: bytes}]}
                    configfs: {subsystem: all, attributes: [text]}
                    sysctl: [{path: all/name, type: string, value: x, maxlen: 4}]
                    chardev: {name: all, major: 61}
                processes:
                  - name: sh
                    body:
                      - sh: "insmod all.ko"
                      - sh: "cat /sys/module/all/parameters/n"
                      - sh: "cat /proc/all_dir/simple"
                      - sh: "cat /proc/all_seq"
                      - sh: "echo 5 > /sys/kernel/all/rw"
                      - sh: "cat /sys/kernel/all/rw"
                      - sh: "cat /sys/kernel/all/wo"
                      - sh: "cat /sys/kernel/debug/all/small"
                      - sh: "cat /sys/kernel/debug/all/on"
                      - sh: "cat /sys/kernel/debug/all/blob"
                      - sh: "mkdir /sys/kernel/config/all/one"
                      - sh: "echo configured > /sys/kernel/config/all/one/text"
                      - sh: "cat /sys/kernel/config/all/one/text"
                      - sh: "rmdir /sys/kernel/config/all/one"
                      - sh: "sysctl -w all.name=abcdef"
                      - sh: "mknod /dev/all c 61 0"
                      - sh: "echo through > /dev/all"
                      - sh: "cat /dev/all"
                      - sh: "rmmod all"
                      - sh: "ls /sys/kernel/all"
                      - sh: "cat /dev/all"
                      - sh: "dmesg"
                run: {until: 50ms}
                expect:
                  clean: true
                  console_contains: ["\\n7\\n", "simple text", "000 seq_file record\\n001 seq_file record", "# cat /sys/kernel/all/rw\\n5",
                    "cat: /sys/kernel/all/wo: Permission denied", "\\n200\\n", "\\nY\\n", "bytes", "\\nconfigured\\n",
                    "all.name = abc", "\\nthrough\\n", "ls: cannot access '/sys/kernel/all': No such file or directory",
                    "cat: /dev/all: No such device or address", "all: up"]
                """);
        assertEquals(0, r.code(), r.out() + r.err());
    }

    @Test
    @DisplayName("an undeclared module is fine when loading; insmod then fails with the real message")
    void undeclaredModule() throws IOException {
        Kctx.Result r = run("undeclared", """
                processes: [{name: sh, body: [sh: "insmod ghost.ko"]}]
                expect: {console_contains: ["insmod: ERROR: could not load module ghost.ko: No such file or directory"]}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
    }

    @Test
    @DisplayName("two modules registering the same proc entry: the second insmod fails at run time, as in the kernel")
    void conflictAtRunTime() throws IOException {
        Kctx.Result r = run("conflict", """
                modules:
                  - {name: a, proc: [{name: same, content: a}]}
                  - {name: b, proc: [{name: same, content: b}]}
                processes: [{name: sh, body: [sh: "insmod a.ko", sh: "insmod b.ko", sh: "lsmod", sh: dmesg]}]
                expect:
                  console_contains: ["insmod: ERROR: could not insert module b.ko: Cannot allocate memory",
                                     "proc_dir_entry '/proc/same' already registered"]
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.out().contains("\nb  "), r.out());
    }

    // ---- bad input: one located line, exit 2 ----

    static Stream<Arguments> bad() {
        return Stream.of(
                arguments("an unknown shell command", "processes: [{name: p, body: [sh: \"catt /proc/devices\"]}]\n", "1:34",
                        new String[] {"unknown shell command 'catt' (did you mean 'cat'?)", "expected one of cat, dd, dmesg, echo",
                                "sysctl, wc"}),
                arguments("a program no module brings", "processes: [{name: p, body: [sh: \"./ioctl_user /dev/x\"]}]\n", "1:34",
                        new String[] {"no program './ioctl_user' on this machine", "come with built-in modules: cdev_wait, cdev_ioctl, syscall_example, nlexample"}),
                arguments("a command this shell cannot run", "processes: [{name: p, body: [sh: insmod]}]\n", "1:34",
                        new String[] {"sh cannot run 'insmod': insmod needs a module file NAME.ko"}),
                arguments("an empty command line", "processes: [{name: p, body: [sh: \" \"]}]\n", "1:34",
                        new String[] {"sh has an empty command line"}),
                arguments("sh in a kernel thread", "kthreads: [{name: k, body: [sh: ls]}]\n", "1:29",
                        new String[] {"'sh' is made by user processes, not in a kernel thread"}),
                arguments("sh with a list", "processes: [{name: p, body: [sh: [ls]]}]\n", "1:34",
                        new String[] {"sh is a list", "expected a text value"}),
                arguments("modules as a mapping", "modules: {name: m}\n", "1:10", new String[] {"modules is a mapping"}),
                arguments("a built-in typo", "modules: [{builtin: cdev_exampel}]\n", "1:21",
                        new String[] {"unknown built-in module 'cdev_exampel' (did you mean 'cdev_example'?)", "cdev_wait, cdev_ioctl"}),
                arguments("a built-in with declarations", "modules: [{builtin: cdev_example, proc: []}]\n", "1:35",
                        new String[] {"unknown key 'proc' in a built-in module", "expected builtin"}),
                arguments("a module name with a dash", "modules: [{name: my-mod}]\n", "1:18",
                        new String[] {"module name 'my-mod' is not valid", "letters, digits and _"}),
                arguments("two modules with one name", "modules:\n  - {name: m}\n  - {name: m}\n", "3:12",
                        new String[] {"a second module named 'm'"}),
                arguments("an unknown module key", "modules: [{name: m, sysfss: {dir: d}}]\n", "1:21",
                        new String[] {"unknown key 'sysfss' in module (did you mean 'sysfs'?)", "expected one of name, params, proc"}),
                arguments("a parameter type typo", "modules:\n  - name: m\n    params:\n      p: {type: chrp}\n", "4:17",
                        new String[] {"unknown parameter type 'chrp' (did you mean 'charp'?)", "one of byte, short, ushort, int, uint"}),
                arguments("a world-writable parameter", "modules:\n  - name: m\n    params:\n      p: {type: int, perm: \"0666\"}\n", "4:28",
                        new String[] {"parameter p is world-writable (0666)", "without the others-write bit"}),
                arguments("a mode that is not octal", "modules:\n  - name: m\n    params:\n      p: {type: int, perm: \"644\"}\n", "4:28",
                        new String[] {"perm '644' is not an octal mode", "an octal string such as \"0644\""}),
                arguments("a default out of the type's range", "modules:\n  - name: m\n    params:\n      p: {type: ushort, default: 70000}\n",
                        "4:34", new String[] {"default '70000' is not a valid ushort"}),
                arguments("a proc entry without content", "modules:\n  - name: m\n    proc: [{name: x}]\n", "3:12",
                        new String[] {"proc entry 'x' has neither content nor seq_records"}),
                arguments("a proc entry outside /proc", "modules:\n  - name: m\n    proc: [{name: \"../etc\", content: x}]\n", "3:19",
                        new String[] {"proc entry name '../etc' is not valid", "a path under /proc"}),
                arguments("a world-writable sysfs attribute", "modules:\n  - name: m\n    sysfs: {dir: d, attributes: [{name: a, mode: \"0646\"}]}\n",
                        "3:50", new String[] {"sysfs attribute a is world-writable"}),
                arguments("a sysfs attribute key typo", "modules:\n  - name: m\n    sysfs: {dir: d, attributes: [{name: a, valu: 1}]}\n",
                        "3:44", new String[] {"unknown key 'valu' in sysfs attribute (did you mean 'value'?)", "one of name, mode, value"}),
                arguments("a debugfs type that does not exist", "modules:\n  - name: m\n    debugfs: {dir: d, files: [{name: f, type: u64}]}\n",
                        "3:47", new String[] {"unknown debugfs file type 'u64'", "expected one of u8, u32, x32, bool, blob"}),
                arguments("a writable debugfs blob", "modules:\n  - name: m\n    debugfs: {dir: d, files: [{name: f, type: blob, mode: \"0644\"}]}\n",
                        "3:59", new String[] {"a debugfs blob is read-only"}),
                arguments("a u8 that does not fit", "modules:\n  - name: m\n    debugfs: {dir: d, files: [{name: f, type: u8, value: 300}]}\n",
                        "3:58", new String[] {"u8 value is 300, out of range", "from 0 to 255"}),
                arguments("a configfs attribute twice", "modules:\n  - name: m\n    configfs: {subsystem: s, attributes: [a, a]}\n", "3:46",
                        new String[] {"a second configfs attribute named 'a'"}),
                arguments("a sysctl type typo", "modules:\n  - name: m\n    sysctl: [{path: a/b, type: intvec}]\n", "3:32",
                        new String[] {"unknown sysctl type 'intvec'", "expected one of int, int_minmax, string"}),
                arguments("a sysctl default outside its range", "modules:\n  - name: m\n    sysctl: [{path: a/b, type: int_minmax, min: 0, max: 10, value: 11}]\n",
                        "3:68", new String[] {"value is 11, out of range", "from 0 to 10"}),
                arguments("a sysctl without a directory", "modules:\n  - name: m\n    sysctl: [{path: b, type: int}]\n", "3:21",
                        new String[] {"sysctl path 'b' is not valid", "DIR/NAME"}),
                arguments("a range on a plain int", "modules:\n  - name: m\n    sysctl: [{path: a/b, type: int, min: 0}]\n", "3:37",
                        new String[] {"'min' applies only to type int_minmax"}),
                arguments("an executable sysctl", "modules:\n  - name: m\n    sysctl: [{path: a/b, type: int, mode: \"0755\"}]\n", "3:43",
                        new String[] {"sysctl mode 0755 has execute bits"}),
                arguments("a string sysctl longer than its buffer", "modules:\n  - name: m\n    sysctl: [{path: a/b, type: string, value: abcd, maxlen: 4}]\n",
                        "3:47", new String[] {"value is 4 characters and maxlen 4 leaves room for 3"}),
                arguments("a major beyond CHRDEV_MAJOR_MAX", "modules:\n  - name: m\n    chardev: {name: c, major: 512}\n", "3:31",
                        new String[] {"major is 512, out of range", "from 0 to 511"}),
                arguments("console_contains as one string", "expect: {console_contains: hello}\n", "1:28",
                        new String[] {"console_contains is a string 'hello'", "a list of texts"}),
                arguments("an empty console_contains text", "expect: {console_contains: [\"\"]}\n", "1:29",
                        new String[] {"a console_contains item is empty"}),
                arguments("a mapping in console_contains", "expect: {console_contains: [{a: b}]}\n", "1:29",
                        new String[] {"a console_contains item is a mapping", "expected a text"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    @DisplayName("is one located line, exit 2, saying what was expected")
    void badInput(String label, String yaml, String lineCol, String[] fragments) throws IOException {
        Path f = dir.resolve("bad-" + label.replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(f, yaml);
        Kctx.Result r = Kctx.run("check", f.toString());
        assertEquals(2, r.code(), "bad input exits 2; stderr: " + r.err() + r.out());
        String err = r.err();
        assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "exactly one line: " + err);
        assertTrue(err.startsWith(f + ":" + lineCol + ": "), "located at " + lineCol + ": " + err);
        assertTrue(err.contains("; expected "), "says what was expected: " + err);
        for (String frag : fragments) {
            assertTrue(err.contains(frag), "mentions '" + frag + "': " + err);
        }
    }
}
