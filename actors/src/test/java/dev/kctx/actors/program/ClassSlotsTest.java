package dev.kctx.actors.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

@DisplayName("ClassSlots keeps one value per class, whatever order the lookups move the keys in")
class ClassSlotsTest {

    private static final List<Class<?>> KEYS = List.of(String.class, Integer.class, Long.class, Double.class,
            Object.class, List.class, Map.class, Random.class, Thread.class, Runnable.class, StringBuilder.class,
            Character.class);

    @Test
    @DisplayName("absent keys answer null; putIfAbsent keeps the first value and answers it")
    void putIfAbsentKeepsTheFirst() {
        ClassSlots slots = new ClassSlots();
        assertNull(slots.get(String.class), "an empty table holds nothing");
        assertNull(slots.putIfAbsent(String.class, "a"), "a new key answers null");
        assertEquals("a", slots.putIfAbsent(String.class, "b"), "a second put answers the value there");
        assertEquals("a", slots.get(String.class), "and leaves it");
        assertEquals(1, slots.size(), "one key");
    }

    @Test
    @DisplayName("random lookups and puts agree with a hash map (keys move to the front as they are found)")
    void agreesWithAMap() {
        ClassSlots slots = new ClassSlots();
        Map<Class<?>, Object> reference = new HashMap<>();
        Random random = new Random(3);
        for (int step = 0; step < 10_000; step++) {
            Class<?> k = KEYS.get(random.nextInt(KEYS.size()));
            if (random.nextInt(4) == 0) {
                Object v = new Object();
                assertSame(reference.putIfAbsent(k, v), slots.putIfAbsent(k, v), "putIfAbsent of " + k.getSimpleName());
            } else {
                assertSame(reference.get(k), slots.get(k), "get of " + k.getSimpleName());
            }
        }
        assertEquals(reference.size(), slots.size(), "as many keys as the map");
    }
}
