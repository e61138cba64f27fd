package dev.kctx.tests;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/experiments.md shows real output: its relay-vs-netlink table and verdicts are rerun and compared. */
class ExperimentsDocTest {

    @Test
    @DisplayName("the relay-vs-netlink table and verdicts in docs/experiments.md are what the experiment prints")
    void relayTableIsReal(@TempDir Path out) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "experiments.md"));
        String printed = ReadmeExampleTest.runMain("experiment", "relay-vs-netlink", "--no-progress", "--out", out.toString());
        List<String> lines = printed.lines().filter(l -> l.startsWith("|") || l.startsWith("- ")).toList();
        assertTrue(lines.size() > 24, "the experiment printed its table and verdicts:\n" + printed);
        String block = String.join("\n", lines.stream().filter(l -> l.startsWith("|")).toList());
        assertTrue(doc.contains(block), "docs/experiments.md holds the table a fresh run prints (regenerate it with"
                + " kctx experiment relay-vs-netlink):\n" + block);
        for (String verdict : lines.stream().filter(l -> l.startsWith("- ")).toList()) {
            assertTrue(doc.contains(verdict), "docs/experiments.md states: " + verdict);
        }
    }
}
