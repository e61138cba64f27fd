package dev.kctx.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.kctx.contexts.Durations.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@DisplayName("The progress bar")
class ProgressBarTest {
    static final String SCENARIO = """
            machine: {cpus: 1}
            kthreads: [{name: k, repeat: forever, body: [compute: 10us, msleep: 10us]}]
            run: {until: 5ms}
            """;

    @TempDir
    static Path dir;

    /** The delay the build sets (kctx.progress.after in the parent pom), put back after each test. */
    static final String BUILD_DELAY = System.getProperty(ProgressBar.AFTER_PROPERTY);

    @AfterEach
    void resetDelay() {
        restoreDelay();
    }

    static void restoreDelay() {
        if (BUILD_DELAY == null) {
            System.clearProperty(ProgressBar.AFTER_PROPERTY);
        } else {
            System.setProperty(ProgressBar.AFTER_PROPERTY, BUILD_DELAY);
        }
    }

    @Test
    @DisplayName("counting runs, it shows the runs finished out of all instead of virtual time")
    void countsRuns() {
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), "relay-vs-netlink", 144, "runs");
        bar.accept(36);
        assertEquals("relay-vs-netlink [######..................]  25%  36 / 144 runs, 7s", bar.line(7));
    }

    @Test
    @DisplayName("draws virtual time simulated out of the time asked for, in place, and erases itself")
    void drawsInPlaceAndErases() {
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), "x.yaml", ms(10));
        bar.accept(ms(5) / 2);
        assertEquals("x.yaml [######..................]  25%  2.5ms / 10ms virtual, 3s", bar.line(3),
                "a quarter of the bar for a quarter of the virtual time, and the wall time so far");
        bar.draw();
        bar.accept(ms(10));
        bar.draw();
        bar.close();
        String s = out.toString();
        assertTrue(s.startsWith("\rx.yaml [######"), "redrawn from the start of the line: " + s);
        assertTrue(s.contains("\rx.yaml [########################] 100%  10.0ms / 10ms virtual"), s);
        assertFalse(s.contains("\n"), "never a new line: the bar stays on one line");
        String[] parts = s.split("\r", -1);
        int width = Math.max(parts[1].length(), parts[2].length());
        assertEquals(" ".repeat(width), parts[3], "the line is blanked over its widest drawing");
        assertEquals("", parts[4], "and the cursor put back at its start");
        bar.draw();
        assertEquals(s, out.toString(), "nothing is drawn after close");
    }

    @Test
    @DisplayName("prints nothing when closed before it was drawn (a short run)")
    void shortRunPrintsNothing() {
        System.clearProperty(ProgressBar.AFTER_PROPERTY);
        StringWriter out = new StringWriter();
        try (ProgressBar bar = ProgressBar.start(new PrintWriter(out), "x.yaml", ms(10))) {
            bar.accept(ms(10));
        }
        assertEquals("", out.toString(), "closed before its default delay of 2 s: nothing on stderr");
    }

    @Test
    @DisplayName("is on unless --no-progress, whether or not stderr is a terminal")
    void wanted() {
        assertTrue(ProgressBar.wanted(null), "no option: a bar for long runs, terminal or not");
        assertTrue(ProgressBar.wanted(true), "--progress");
        assertFalse(ProgressBar.wanted(false), "--no-progress");
    }

    @Test
    @DisplayName("off a terminal, writes whole lines to stderr and leaves stdout byte-identical; --no-progress writes none")
    void linesOffTerminal() throws IOException {
        assumeTrue(System.console() == null, "tests run without a terminal");
        Path f = dir.resolve("long.yaml");
        Files.writeString(f, SCENARIO);
        Kctx.Result plain = Kctx.run("run", f.toString(), "--no-progress");
        System.setProperty(ProgressBar.AFTER_PROPERTY, "0");
        for (String[] args : new String[][] {{"run", f.toString()}, {"run", f.toString(), "--progress"},
                {"check", f.toString()}}) {
            Kctx.Result r = Kctx.run(args);
            assertTrue(r.err().contains("long.yaml [") && r.err().contains(" / 5ms virtual"),
                    "the bar was written for " + String.join(" ", args) + ": " + r.err());
            assertFalse(r.err().contains("\r"), "as lines, never redrawn in place");
            assertTrue(r.err().endsWith("\n"), "each line ended");
            if (args[0].equals("run")) {
                assertEquals(plain.out(), r.out(), "stdout unchanged");
            } else {
                assertEquals(f + ": ok\n", r.out(), "check's verdicts are unchanged");
            }
        }
        for (String[] args : new String[][] {{"run", f.toString(), "--no-progress"}, {"check", f.toString(), "--no-progress"}}) {
            assertEquals("", Kctx.run(args).err(), "nothing on stderr for " + String.join(" ", args));
        }
    }

    @Test
    @DisplayName("on a terminal, draws in place and erases itself at the end")
    void inPlaceOnTerminal() {
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), "x.yaml", ms(10), null, true);
        bar.draw();
        bar.close();
        assertTrue(out.toString().startsWith("\rx.yaml [") && out.toString().endsWith("\r"), out.toString());
        StringWriter lines = new StringWriter();
        ProgressBar off = new ProgressBar(new PrintWriter(lines), "x.yaml", ms(10), null, false);
        off.draw();
        off.draw();
        off.close();
        assertEquals(2, lines.toString().split("\n").length, "off a terminal: one line per drawing: " + lines);
        assertFalse(lines.toString().contains("\r"), "no carriage return off a terminal");
    }
}
