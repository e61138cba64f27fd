package dev.kctx.actors;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("PendingIrqs latches one request per line, oldest first, and merges a line that fires again")
class PendingIrqsTest {

    private static IrqLine line(int source) {
        return new IrqLine(source, 10 + source, "dev" + source, List.of(0), null, null, false, false, false);
    }

    @Test
    @DisplayName("a second arrival of a pending line is merged and keeps the first arrival's time")
    void mergesARepeatedLine() {
        PendingIrqs p = new PendingIrqs();
        assertTrue(p.isEmpty(), "nothing pending at first");
        assertTrue(p.add(line(1), 100), "a first arrival is latched");
        assertFalse(p.add(line(1), 200), "a second one of the same line is merged");
        assertTrue(p.contains(line(1)), "the line is pending");
        assertEquals(100, p.firstArrival(), "with its first arrival's time");
        p.removeFirst();
        assertTrue(p.isEmpty(), "one take empties it");
        assertTrue(p.add(line(1), 300), "once taken, the line latches again");
    }

    @Test
    @DisplayName("random arrivals and takes agree with an insertion-ordered map, beyond the initial capacity")
    void agreesWithALinkedMap() {
        PendingIrqs p = new PendingIrqs();
        Map<Integer, Long> reference = new LinkedHashMap<>();
        Random random = new Random(9);
        List<Long> taken = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            if (random.nextInt(3) > 0 || reference.isEmpty()) {
                int source = random.nextInt(12);
                long t = step;
                assertEquals(reference.putIfAbsent(source, t) == null, p.add(line(source), t), "add of line " + source);
            } else {
                Map.Entry<Integer, Long> first = reference.entrySet().iterator().next();
                reference.remove(first.getKey());
                expected.add(first.getKey() * 1_000_000L + first.getValue());
                taken.add(p.firstLine().source() * 1_000_000L + p.firstArrival());
                p.removeFirst();
            }
            assertEquals(reference.isEmpty(), p.isEmpty(), "empty when the map is");
        }
        assertEquals(expected, taken, "lines are taken oldest first, with their first arrival");
    }
}
