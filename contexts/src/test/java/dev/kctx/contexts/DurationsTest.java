package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Durations parses and builds virtual nanoseconds")
class DurationsTest {

    @ParameterizedTest(name = "''{0}'' is {1} ns")
    @CsvSource(delimiter = '|', value = {
            "5ns | 5",
            "5us | 5000",
            "2ms | 2000000",
            "1s | 1000000000",
            "1.5s | 1500000000",
            "0.25ms | 250000",
            "1.5us | 1500",
            "0s | 0",
            "007ms | 7000000",
            "5US | 5000",
            "' 10 ms ' | 10000000",
            "9007199254740993ns | 9007199254740993",
            "0.5ns | 1",
            "0.4ns | 0",
    })
    @DisplayName("a number with a unit, decimals allowed, rounds to the nearest nanosecond")
    void parses(String text, long ns) {
        assertEquals(ns, Durations.parse(text), "'" + text + "' is " + ns + " ns");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"-5us", "-1.5ms", "-0s"})
    @DisplayName("negative durations are rejected as negative")
    void rejectsNegative(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text),
                "'" + text + "' is negative");
        assertEquals("bad duration '" + text + "': must not be negative", e.getMessage(),
                "the message says why '" + text + "' is refused");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"5", "", "   ", "abc", "ms", "s", "5 fortnights", "5min", "1fs", "1dms", "1e3us",
            "NaNs", "Infinitys", "1..5ms", "+5us", ".5ms", "5.ms", "0x10ns", "5msx", "5 5ms", "1,5ms"})
    @DisplayName("a missing unit or anything but plain decimal digits is rejected with the expected form")
    void rejectsGarbage(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text),
                "'" + text + "' is not a duration");
        assertEquals("bad duration '" + text + "': expected a number with a unit ns, us, ms or s, e.g. 5us or 1.5ms",
                e.getMessage(), "the message shows the expected form");
    }

    @Test
    @DisplayName("the largest accepted duration is MAX_NS; one more is too large")
    void limit() {
        assertEquals(Durations.MAX_NS, Durations.parse(Durations.MAX_NS + "ns"), "MAX_NS itself is accepted");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse((Durations.MAX_NS + 1) + "ns"), "one past MAX_NS is refused");
        assertEquals("bad duration '" + (Durations.MAX_NS + 1) + "ns': too large, at most " + Durations.MAX_NS + "ns",
                e.getMessage(), "the message gives the limit");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"1000000000000s", "9223372036854775807ns", "99999999999999999999999999999999s",
            "3000000000000000.5ms"})
    @DisplayName("overflowing durations are rejected as too large, not wrapped")
    void rejectsOverflow(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text),
                "'" + text + "' does not fit");
        assertTrue(e.getMessage().contains("too large"), "the message says the value is too large: " + e.getMessage());
    }

    @Test
    @DisplayName("the constructors scale to nanoseconds")
    void constructors() {
        assertEquals(7, Durations.ns(7), "ns is the unit");
        assertEquals(7_000, Durations.us(7), "a microsecond is 1000 ns");
        assertEquals(7_000_000, Durations.ms(7), "a millisecond is 10^6 ns");
        assertEquals(7_000_000_000L, Durations.s(7), "a second is 10^9 ns");
    }
}
