package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("TimeFormat prints virtual nanoseconds for people")
class TimeFormatTest {

    @ParameterizedTest(name = "{0} ns prints as {1}")
    @CsvSource({
            "0, 0ns",
            "12, 12ns",
            "999, 999ns",
            "1000, 1us",
            "1500, 1.5us",
            "999999, 999.999us",
            "1000000, 1ms",
            "1250000, 1.25ms",
            "1234567, 1.235ms",
            "1000000000, 1s",
            "3000000000, 3s",
    })
    @DisplayName("the largest unit below the value, at most three decimals, no trailing zeros")
    void formats(long ns, String text) {
        assertEquals(text, TimeFormat.format(ns), ns + " ns prints as " + text);
    }

    @ParameterizedTest(name = "{0} ns")
    @ValueSource(longs = {0, 7, 5_000, 1_500, 2_000_000, 1_500_000, 1_000_000_000, 1_500_000_000, 250_000})
    @DisplayName("what it prints parses back to the same value when no digit was rounded away")
    void roundTrips(long ns) {
        assertEquals(ns, Durations.parse(TimeFormat.format(ns)), TimeFormat.format(ns) + " parses back to " + ns);
    }
}
