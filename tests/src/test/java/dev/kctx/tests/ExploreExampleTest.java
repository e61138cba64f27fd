package dev.kctx.tests;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example made for {@code kctx explore} (docs/explore.md): a bug that shows only when the IRQ
 * arrives inside a 3 us window. Its default run is clean; explore finds it within its default
 * budget and writes a replay that {@code kctx run} reproduces byte for byte; the fixed twin,
 * explored the same way, gives nothing.
 */
@DisplayName("kctx explore on irq-trylock-fallback.yaml and its fixed twin")
class ExploreExampleTest {
    static final Path BUGGY = ExamplesTest.EXAMPLES.resolve("irq-trylock-fallback.yaml");
    static final Path FIXED = ExamplesTest.EXAMPLES.resolve("irq-trylock-fallback-clean.yaml");

    @Test
    @DisplayName("finds the window within the default budget, and kctx run of the replay shows the report, byte for byte")
    void findsAndReplays(@TempDir Path out) throws IOException {
        ExamplesTest.Result plain = ExamplesTest.kctx("run", "--no-progress", BUGGY.toString());
        assertEquals(0, plain.code(), "the default run is clean:\n" + plain.out());
        assertTrue(plain.out().contains("reports: none"), plain.out());

        ExamplesTest.Result r = ExamplesTest.kctx("explore", "--no-progress", "--out=" + out, BUGGY.toString());
        assertEquals(1, r.code(), "a finding is exit 1:\n" + r.out() + r.err());
        assertTrue(r.out().contains(": 200 runs, strategy random"), "the default budget:\n" + r.out());
        assertTrue(r.out().contains("found 1 site the default run does not show:\n[1] sleep-in-atomic: BUG: sleeping function"
                + " called from invalid context at include/linux/sched/mm.h (cpu 0, "), r.out());
        assertTrue(r.out().contains("hardirq 11 nic, kmalloc(64, GFP_KERNEL))"), r.out());
        Path replay = out.resolve("finding-1.yaml");
        String text = Files.readString(replay);
        assertTrue(text.startsWith(Files.readString(BUGGY)), "the replay is the original scenario, then the pinned choices");
        assertTrue(text.contains("\nperturb:\n  irqs: {nic: "), "the replay moves the NIC's arrival:\n" + text);

        ExamplesTest.Result replayed = ExamplesTest.kctx("run", "--no-progress", replay.toString());
        assertEquals(1, replayed.code(), "the replay breaks 'expect: clean: true'");
        assertEquals(Files.readString(out.resolve("finding-1.txt")), replayed.out(), "kctx run prints what explore wrote");
        assertTrue(replayed.out().contains("[1] sleep-in-atomic\n    BUG: sleeping function called from invalid context"),
                replayed.out());
        assertEquals(r.out(), Files.readString(out.resolve("summary.txt")), "summary.txt is the summary");
        String doc = Files.readString(Path.of("..", "docs", "explore.md"));
        for (String line : r.out().lines().toList()) {
            if (line.startsWith("[1] ") || line.contains("first in run") || line.contains("coverage:") || line.contains("varied:")) {
                assertTrue(doc.contains(line + "\n"), "docs/explore.md's worked example shows the real output: " + line);
            }
        }
    }

    @Test
    @DisplayName("finds nothing in the fixed twin with the same budget")
    void fixedTwinIsClean() {
        ExamplesTest.Result r = ExamplesTest.kctx("explore", "--no-progress", FIXED.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains(": 200 runs, strategy random"), r.out());
        assertTrue(r.out().contains("\nfound nothing the default run does not show\n"), r.out());
        assertFalse(r.out().contains("replay"), r.out());
    }
}
