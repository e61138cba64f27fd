package dev.kctx.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@DisplayName("kctx completion and kctx man")
class CompletionAndManTest {

    /** Runs {@code script} in bash; null where bash is absent. */
    static String bash(String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", script);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bash ends");
        return out;
    }

    /** What bash completes for the words {@code line} (the last one being completed). */
    static String complete(Path script, String... words) throws IOException, InterruptedException {
        StringBuilder w = new StringBuilder();
        for (String x : words) {
            w.append(" '").append(x).append('\'');
        }
        String line = String.join(" ", words);
        return bash("source '" + script + "'; COMP_WORDS=(" + w + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length() + "; _complete_kctx; printf '%s\\n' \"${COMPREPLY[@]}\"");
    }

    @Test
    @DisplayName("the completion script completes commands, options and option values in bash")
    void completion(@TempDir Path dir) throws IOException, InterruptedException {
        Kctx.Result r = Kctx.run("completion");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -F _complete_kctx"), "a bash completion script");
        Path script = dir.resolve("kctx.bash");
        Files.writeString(script, r.out());
        assumeTrue(bash("true") != null, "bash is not installed: the script is not tried");
        assertEquals("", bash("bash -n '" + script + "' 2>&1"), "the script is valid bash");
        assertEquals(List.of("run"), complete(script, "kctx", "ru").lines().toList(), "kctx ru<TAB>");
        assertEquals(List.of("--format"), complete(script, "kctx", "run", "--fo").lines().toList(), "kctx run --fo<TAB>");
        assertEquals(List.of("text", "json"), complete(script, "kctx", "run", "--format", "").lines().toList(),
                "kctx run --format <TAB> offers the enum's values");
        assertEquals(List.of("inline", "message"), complete(script, "kctx", "check", "--engine", "").lines().toList(),
                "kctx check --engine <TAB> offers the two engine paths");
        assertTrue(complete(script, "kctx", "").lines().toList().containsAll(List.of("demo", "run", "check", "experiment",
                "explore", "worker", "bench", "completion", "man")), "kctx <TAB> offers every command");
        assertEquals(List.of("random", "pct"), complete(script, "kctx", "explore", "--strategy", "").lines().toList(),
                "kctx explore --strategy <TAB> offers the strategies");
        assertEquals(List.of("--cluster"), complete(script, "kctx", "explore", "--clu").lines().toList(), "kctx explore --clu<TAB>");
        assertEquals(List.of("--join"), complete(script, "kctx", "worker", "--joi").lines().toList(), "kctx worker --joi<TAB>");
    }

    @Test
    @DisplayName("man writes a page per command with every option of that command, and man(1) formats it cleanly")
    void manPages(@TempDir Path dir) throws IOException, InterruptedException {
        Kctx.Result r = Kctx.run("man", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        CommandLine root = KctxCommand.commandLine();
        List<String> expected = new ArrayList<>();
        for (CommandLine.Model.CommandSpec c : ManPage.all(root.getCommandSpec())) {
            String page = Files.readString(dir.resolve(ManPage.fileName(c)));
            expected.add(ManPage.fileName(c));
            assertTrue(page.startsWith(".TH \"" + ManPage.esc(c.qualifiedName("-").toUpperCase(java.util.Locale.ROOT)) + "\" 1 "),
                    c.qualifiedName() + ": a section 1 page");
            for (String section : List.of(".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH SEE ALSO")) {
                assertTrue(page.contains(section + "\n"), c.qualifiedName() + " has " + section);
            }
            for (CommandLine.Model.OptionSpec o : c.options()) {
                if (o.hidden()) {
                    // A test hook (kctx worker --hold-first-unit) is not the user's: the page leaves it out.
                    assertTrue(!page.contains(ManPage.esc(o.longestName())), c.qualifiedName() + "'s page hides " + o.longestName());
                    continue;
                }
                assertTrue(page.contains("\\fB" + ManPage.esc(o.longestName()).replace("\\-\\-", o.negatable()
                        ? "\\-\\-[no\\-]" : "\\-\\-")), c.qualifiedName() + "'s page has " + o.longestName());
            }
        }
        assertTrue(expected.containsAll(List.of("kctx.1", "kctx-run.1", "kctx-check.1", "kctx-demo.1", "kctx-man.1",
                "kctx-explore.1")));
        try (var files = Files.list(dir)) {
            assertEquals(expected.size(), files.count(), "one page per command, nothing else");
        }
        assumeTrue(bash("true") != null && !bash("command -v man").isBlank(), "man is not installed: pages not formatted");
        for (String f : expected) {
            String warnings = bash("MANWIDTH=80 man --warnings -l '" + dir.resolve(f) + "' 2>&1 >/dev/null");
            assertEquals("", warnings, "man formats " + f + " without a warning");
        }
        String text = bash("MANWIDTH=80 man -l '" + dir.resolve("kctx-run.1") + "' 2>/dev/null | col -b");
        assertTrue(text.contains("--until=TIME"), "the formatted page lists --until:\n" + text);
    }
}
