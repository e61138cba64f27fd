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

    @AfterEach
    void resetDelay() {
        System.clearProperty(ProgressBar.AFTER_PROPERTY);
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
        StringWriter out = new StringWriter();
        try (ProgressBar bar = ProgressBar.start(new PrintWriter(out), "x.yaml", ms(10))) {
            bar.accept(ms(10));
        }
        assertEquals("", out.toString(), "closed before its default delay of 2 s: nothing on stderr");
    }

    @Test
    @DisplayName("is off when not asked for and the console is not interactive, on or off as the option says")
    void wanted() {
        assumeTrue(System.console() == null, "tests run without a terminal");
        assertFalse(ProgressBar.wanted(null), "not a terminal, no option: no bar");
        assertTrue(ProgressBar.wanted(true), "--progress");
        assertFalse(ProgressBar.wanted(false), "--no-progress");
    }

    @Test
    @DisplayName("never reaches the output of run or check unless asked for, even when it would draw at once")
    void notInNonInteractiveOutput() throws IOException {
        assumeTrue(System.console() == null, "tests run without a terminal");
        Path f = dir.resolve("long.yaml");
        Files.writeString(f, SCENARIO);
        Kctx.Result plain = Kctx.run("run", f.toString());
        System.setProperty(ProgressBar.AFTER_PROPERTY, "0");
        for (String[] args : new String[][] {{"run", f.toString()}, {"run", f.toString(), "--no-progress"},
                {"check", f.toString()}, {"check", f.toString(), "--no-progress"}}) {
            Kctx.Result r = Kctx.run(args);
            assertEquals("", r.err(), "nothing on stderr for " + String.join(" ", args));
            if (args[0].equals("run")) {
                assertEquals(plain.out(), r.out(), "stdout unchanged");
            }
        }
    }

    @Test
    @DisplayName("with --progress goes to stderr only and leaves stdout byte-identical")
    void progressOption() throws IOException {
        Path f = dir.resolve("long2.yaml");
        Files.writeString(f, SCENARIO);
        Kctx.Result plain = Kctx.run("run", f.toString(), "--no-progress");
        System.setProperty(ProgressBar.AFTER_PROPERTY, "0");
        Kctx.Result shown = Kctx.run("run", f.toString(), "--progress");
        assertEquals(plain.out(), shown.out(), "stdout is the same with and without the bar");
        assertEquals(plain.code(), shown.code());
        assertTrue(shown.err().startsWith("\r") && shown.err().contains("long2.yaml [") && shown.err().contains(" / 5ms virtual"),
                "the bar was drawn: " + shown.err());
        assertTrue(shown.err().endsWith("\r"), "and erased at the end");
        assertFalse(shown.err().contains("\n"), "on one line");
        Kctx.Result check = Kctx.run("check", f.toString(), "--progress");
        assertTrue(check.err().startsWith("\r") && check.err().endsWith("\r"), "kctx check draws and erases it too");
        assertEquals(f + ": ok\n", check.out(), "its verdicts are unchanged");
    }
}
