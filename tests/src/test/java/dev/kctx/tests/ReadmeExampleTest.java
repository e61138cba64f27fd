package dev.kctx.tests;

import dev.kctx.cli.Main;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's worked example is real output: every `$ ./kctx ...` block is rerun and compared. */
class ReadmeExampleTest {

    @Test
    @DisplayName("the README's worked example prints exactly what the README shows")
    void readmeOutputIsReal() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("\\$ \\./kctx (demo preemption --seed 7 --no-trace)\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "the README has the summary example");
        String expected = m.group(2);
        String actual = runMain(m.group(1).split(" "));
        assertEquals(expected, actual, "README summary block matches a fresh run");
    }

    /** The fenced block that follows {@code after} in the README. */
    static String blockAfter(String readme, String after) {
        int at = readme.indexOf(after);
        assertTrue(at >= 0, "the README has: " + after);
        int open = readme.indexOf("```text\n", at);
        int close = readme.indexOf("```", open + 8);
        return readme.substring(open + 8, close);
    }

    @Test
    @DisplayName("the tutorial's kctx check excerpt and circular-locking report are real output")
    void tutorialOutputIsReal() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> args = new java.util.ArrayList<>(List.of("check"));
        try (var files = Files.list(Path.of("..", "examples"))) {
            files.map(Path::toString).filter(f -> f.endsWith(".yaml")).sorted().forEach(args::add);
        }
        String check = runMain(args.toArray(String[]::new)).replace("../examples/", "examples/");
        String excerpt = blockAfter(readme, "./kctx check examples/*.yaml\n```");
        for (String line : excerpt.split("\n")) {
            if (!line.equals("...")) {
                assertTrue(check.contains(line + "\n"), "kctx check prints: " + line + "\n" + check);
            }
        }
        String report = blockAfter(readme, "./kctx run examples/abba-two-cpus.yaml --out out/");
        String run = runMain("run", "../examples/abba-two-cpus.yaml");
        assertTrue(run.contains(report), "kctx run prints the README's report excerpt:\n" + report + "\n---\n" + run);
    }

    @Test
    @DisplayName("the tutorial's timeline picture is the irq-aa-lockup example's timeline.svg")
    void timelinePictureIsReal(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains("](docs/timeline-example.svg)"), "the README shows the picture");
        runMain("run", "../examples/irq-aa-lockup.yaml", "--out", out.toString());
        assertEquals(Files.readString(out.resolve("timeline.svg")), Files.readString(Path.of("..", "docs", "timeline-example.svg")),
                "docs/timeline-example.svg is a fresh rendering (regenerate it with kctx run examples/irq-aa-lockup.yaml --out DIR)");
    }

    static String runMain(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            assertEquals(0, code, "exit code of kctx " + List.of(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
