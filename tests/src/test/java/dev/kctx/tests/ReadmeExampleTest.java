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
