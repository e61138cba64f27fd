package dev.kctx.tests.properties;

import java.util.List;

/**
 * One operation of a generated body, in the scenario vocabulary: a leaf ({@code - msleep: 50us},
 * {@code - schedule}) or an operation with a nested body ({@code loop}, {@code syscall},
 * {@code spin_trylock}). Rendered as YAML by {@link GenMachine}.
 */
sealed interface Item {

    /** {@code - name: arg}, or {@code - name} when {@code arg} is null; {@code arg} is YAML already. */
    record Leaf(String name, String arg) implements Item {
    }

    /** {@code - name: {head, body: [...], else: [...]}}; {@code otherwise} may be empty. */
    record Nested(String name, String head, String bodyKey, List<Item> body, List<Item> otherwise) implements Item {
        public Nested {
            body = List.copyOf(body);
            otherwise = List.copyOf(otherwise);
        }
    }

    static Leaf leaf(String name, String arg) {
        return new Leaf(name, arg);
    }

    static Leaf leaf(String name) {
        return new Leaf(name, null);
    }

    static Nested loop(long count, List<Item> body) {
        return new Nested("loop", "count: " + count, "body", body, List.of());
    }

    static Nested syscall(String name, List<Item> body) {
        return new Nested("syscall", "name: " + name, "body", body, List.of());
    }

    static Nested trylock(String op, String lock, List<Item> then, List<Item> otherwise) {
        return new Nested(op, "lock: " + lock, "then", then, otherwise);
    }
}
