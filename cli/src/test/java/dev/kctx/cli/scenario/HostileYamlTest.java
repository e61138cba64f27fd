package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Input written to hurt: each must be refused with exit code 2 and one located line, at once
 * (the timeout is a safety net against a hang, not a performance assertion).
 */
@DisplayName("Hostile YAML")
class HostileYamlTest {

    @TempDir
    static Path dir;

    static Stream<Arguments> cases() {
        StringBuilder laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char p = (char) (c - 1);
            laughs.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                laughs.append(i == 0 ? "" : ",").append('*').append(p);
            }
            laughs.append("]\n");
        }
        StringBuilder manyAliases = new StringBuilder("x: &x 1\ny: [");
        for (int i = 0; i < 500; i++) {
            manyAliases.append(i == 0 ? "" : ",").append("*x");
        }
        manyAliases.append("]\n");
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            block.append("  ".repeat(i)).append("k").append(i).append(":\n");
        }
        return Stream.of(
                arguments("a billion laughs alias bomb", laughs.toString(), "alias bomb"),
                arguments("hundreds of aliases", manyAliases.toString(), "more than 100 aliases"),
                arguments("deep flow nesting", "a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n", "nesting deeper than 40"),
                arguments("deep block nesting", block.toString(), "nesting deeper than 40"),
                arguments("a Java class tag", "machine: !!java.lang.Runtime {cpus: 1}\n", "YAML tag '!!java.lang.Runtime' is not allowed"),
                arguments("a constructor tag on the root", "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]\n",
                        "is not allowed"),
                arguments("a local tag", "machine: {cpus: !cpus 1}\n", "YAML tag '!cpus' is not allowed"),
                arguments("a tag on a key", "machine: {!!str cpus: 1}\n", "is not allowed"),
                arguments("a huge integer", "machine: {cpus: 123456789012345678901234567890123456789012345678901234567890}\n",
                        "out of range"),
                arguments("a 10000-digit integer", "machine: {seed: " + "9".repeat(10_000) + "}\n", "out of range"),
                arguments("a huge float rate", "irqs: [{name: n, line: 1, arrivals: {rate: 1e99999}, handler: [compute: 1us]}]\n",
                        "out of range"),
                arguments("a huge duration", "run: {until: 99999999999999999999s}\n", "too large"),
                arguments("a recursive alias", "a: &a [*a]\n", "names no complete anchor"),
                arguments("a file over 1 MiB", "description: \"" + "x".repeat(1_100_000) + "\"\n", "more than the limit"),
                arguments("a long string", "description: \"" + "x".repeat(70_000) + "\"\n", "characters"),
                arguments("an alias as a key", "a: &k x\nb: {*k : 1}\n", "alias"),
                arguments("a merge key", "machine: &b {cpus: 1}\nrun: {<<: *b}\n", "unknown key '<<'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    @DisplayName("is refused with exit code 2 and one located line")
    void refused(String label, String yaml, String fragment) throws IOException {
        Path f = dir.resolve(label.replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(f, yaml);
        Kctx.Result r = Kctx.run("check", f.toString());
        assertEquals(2, r.code(), "exit 2; stderr: " + clip(r.err()));
        assertTrue(r.err().matches("(?s)\\Q" + f + "\\E:\\d+:\\d+: [^\n]*; expected [^\n]*\n"),
                "one located line: " + clip(r.err()));
        assertTrue(r.err().contains(fragment), "mentions '" + fragment + "': " + clip(r.err()));
        assertFalse(r.err().contains("Exception"), "no exception text: " + clip(r.err()));
    }

    private static String clip(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
