package dev.kctx.tests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * report.html, opened in headless Chromium (Debian's chromium; skipped where it is not installed,
 * .ci/run installs it): it renders with no script error, shows the reports, expectations and the
 * timeline, and its trace filter shows exactly the events of the chosen CPU, task and event.
 * Chromium runs with a temporary profile and home, and the page may fetch nothing (its
 * Content-Security-Policy), so nothing is read from or written to the network or the host.
 */
@DisplayName("report.html in headless Chromium")
class ReportHtmlTest {
    @TempDir
    static Path dir;
    static Path page;
    static List<String> traceLines;

    static String chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            try {
                Process p = new ProcessBuilder(name, "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor(60, TimeUnit.SECONDS) && out.contains("Chrom")) {
                    return name;
                }
            } catch (IOException e) {
                // not this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    static String browser;

    @BeforeAll
    static void runExample() throws IOException {
        browser = chromium();
        assumeTrue(browser != null, "chromium is not installed (apt-get install chromium): report.html is not opened");
        Path out = dir.resolve("out");
        ExamplesTest.Result r = ExamplesTest.kctx("run", ExamplesTest.EXAMPLES.resolve("abba-two-cpus.yaml").toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        page = out.resolve("report.html");
        traceLines = Files.readAllLines(out.resolve("trace.txt")).stream().filter(l -> !l.startsWith("#")).toList();
    }

    /** What Chromium prints with {@code args} on {@code url}, with its log; a fresh profile and home each time. */
    static String[] chromium(String url, String... args) throws IOException, InterruptedException {
        Path run = Files.createTempDirectory(dir, "chromium");
        List<String> cmd = new ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + run.resolve("profile"), "--no-first-run", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(args));
        cmd.add(url);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(run.resolve("log").toFile());
        Map<String, String> env = pb.environment();
        env.put("HOME", run.resolve("home").toString());
        env.put("XDG_CONFIG_HOME", run.resolve("config").toString());
        env.put("XDG_CACHE_HOME", run.resolve("cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 2 minutes: " + cmd);
        }
        return new String[] {out, Files.readString(run.resolve("log"))};
    }

    static String dom(String fragment) throws IOException, InterruptedException {
        String[] r = chromium(page.toUri() + fragment, "--dump-dom");
        assertFalse(r[1].contains("Uncaught"), "no uncaught script error in the console:\n" + r[1]);
        assertTrue(r[0].contains("data-ready=\"1\""), "the page's script ran to its end");
        assertFalse(r[0].contains("data-errors="), "the page recorded no script error");
        return r[0];
    }

    static int attr(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"(\\d+)\"").matcher(dom);
        assertTrue(m.find(), name + " in the page");
        return Integer.parseInt(m.group(1));
    }

    static long rows(String dom, boolean hidden) {
        return Pattern.compile("<tr data-cpu=\"[^>]*>").matcher(dom).results()
                .filter(m -> m.group().contains(" hidden") == hidden).count();
    }

    @Test
    @DisplayName("renders the summary, the report's kernel text, the expectations, the tables and the timeline")
    void renders() throws IOException, InterruptedException {
        String dom = dom("");
        assertTrue(dom.contains("possible circular locking dependency detected"), "the report's title");
        assertTrue(dom.contains("*** DEADLOCK ***"), "the report's full kernel text");
        assertTrue(dom.contains("reports: circular-locking: 1 distinct (expected 1)"), "the expectation");
        assertTrue(dom.contains("softirq_wake_to_run"), "the latency table");
        Matcher svg = Pattern.compile("<div id=\"timeline-view\"><svg[^>]*>").matcher(dom);
        assertTrue(svg.find(), "the timeline is inline SVG");
        assertEquals(traceLines.size(), attr(dom, "data-shown"), "unfiltered, every event of trace.txt is shown");
        assertEquals(traceLines.size(), rows(dom, false), "one visible row per event");
    }

    @Test
    @DisplayName("the trace filter shows exactly the events of one CPU and event, or of one task")
    void filters() throws IOException, InterruptedException {
        long cpu1Switches = traceLines.stream().filter(l -> l.contains("[001]") && l.contains(": sched_switch: ")).count();
        assertTrue(cpu1Switches > 0 && cpu1Switches < traceLines.size(), "the example has a few such events");
        String dom = dom("#cpu=1&event=sched_switch");
        assertEquals(cpu1Switches, attr(dom, "data-shown"), "the count the page shows");
        assertEquals(cpu1Switches, rows(dom, false), "the rows left visible");
        assertEquals(traceLines.size() - cpu1Switches, rows(dom, true), "the others are hidden");

        long tx = traceLines.stream().filter(l -> l.trim().startsWith("tx_worker-13 ")).count();
        String byTask = dom("#task=tx_worker-13");
        assertEquals(tx, rows(byTask, false), "the rows of task tx_worker-13");
    }

    @Test
    @DisplayName("a script error would be caught: a page with a broken script is reported")
    void errorsAreSeen() throws IOException, InterruptedException {
        String html = Files.readString(page);
        Path broken = dir.resolve("broken.html");
        Files.writeString(broken, html.replace("root.setAttribute('data-ready', '1');", "root.setAttribute('data-ready', '1'); nope();"));
        String[] r = chromium(broken.toUri().toString(), "--dump-dom");
        assertTrue(r[0].contains("data-errors="), "the error hook saw the broken call");
    }

    @Test
    @DisplayName("a screenshot of the page is a picture")
    void screenshot() throws IOException, InterruptedException {
        Path png = dir.resolve("report.png");
        chromium(page.toUri().toString(), "--screenshot=" + png, "--window-size=1280,1400", "--hide-scrollbars");
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 10_000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "a PNG of the rendered page");
    }
}
