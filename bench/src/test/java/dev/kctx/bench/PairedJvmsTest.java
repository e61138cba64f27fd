package dev.kctx.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PairedJvms}: that it runs both sides and reports per JVM pair, not how fast anything is. */
class PairedJvmsTest {

    @Test
    @DisplayName("two JVMs on this build's classpath run the workload in turn and give a ratio per JVM pair and per pair of runs")
    void comparesTwoJvms() {
        String cp = System.getProperty("java.class.path");
        PairedJvms.Plan plan = PairedJvms.Plan.parse(new String[] {cp, cp, "--jvms", "1", "--runs", "2", "--virtual-ms", "5"});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PairedJvms.Outcome o = PairedJvms.compare(plan, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(1, o.perJvmPair().length, "one JVM pair");
        assertEquals(2, o.allPairs().length, "two pairs of runs");
        assertTrue(o.median() > 0 && o.medianRateA() > 0 && o.medianRateB() > 0, "positive ratios and rates");
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("JVM pair 0: median B/A "), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("the options are parsed, and bad ones are refused with what is wrong")
    void options() {
        PairedJvms.Plan p = PairedJvms.Plan.parse(new String[] {"a", "b", "--engine", "message", "--flags-b", "-Xmn16m -Xss1m"});
        assertEquals(8, p.jvms());
        assertEquals(30, p.runs());
        assertEquals(List.of("-Xmn16m", "-Xss1m"), p.flagsB());
        assertEquals(List.of(), p.flagsA());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PairedJvms.Plan.parse(new String[] {"a"}))
                .getMessage().contains("two classpaths"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PairedJvms.Plan.parse(new String[] {"a", "b", "--jvms", "0"}))
                .getMessage().contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PairedJvms.Plan.parse(new String[] {"a", "b", "--runs"}))
                .getMessage().contains("needs a value"));
    }
}
