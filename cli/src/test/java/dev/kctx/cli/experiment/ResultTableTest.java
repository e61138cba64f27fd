package dev.kctx.cli.experiment;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("The result table")
class ResultTableTest {
    @Test
    @DisplayName("writes CSV with quoted commas and markdown with a header rule; numbers with a dot and at most two decimals")
    void csvAndMarkdown() {
        ResultTable t = new ResultTable(List.of("kernel", "rate", "us")).add("a, b", 1000, 12.3456).add("c", 5, 2.0);
        assertEquals("kernel,rate,us\n\"a, b\",1000,12.35\nc,5,2\n", t.csv());
        assertEquals("| kernel | rate | us |\n|---|---|---|\n| a, b | 1000 | 12.35 |\n| c | 5 | 2 |\n", t.markdown());
    }

    @Test
    @DisplayName("refuses a row with the wrong number of cells")
    void wrongWidth() {
        assertThrows(IllegalArgumentException.class, () -> new ResultTable(List.of("a", "b")).add(1));
    }

    @Test
    @DisplayName("a band is the median over seeds with the minimum and maximum; an even count takes the middle two's mean")
    void band() {
        assertEquals(new Sweep.Band(3, 1, 9), Sweep.Band.of(9, 1, 3));
        assertEquals(new Sweep.Band(2.5, 1, 9), Sweep.Band.of(9, 1, 2, 3));
    }
}
