package dev.kctx.actors;

import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A popped hard IRQ or soft IRQ frame made new by {@code Frame.reuse}: nothing of its earlier life may show. */
@DisplayName("Frame reuse")
class CpuFrameReuseTest {
    /** Fields of types the test cannot make a value of here; reuse sets them (checked below against a fresh frame). */
    private static final Set<String> NOT_MUTATED = Set.of("entity", "code", "line", "task");

    @Test
    @DisplayName("a reused frame equals a new one field by field, except that its wait token went on counting")
    void reuseForgetsEverything() throws Exception {
        Cpu.Frame used = new Cpu.Frame(Cpu.Kind.IRQ, 3, ContextLevel.HARDIRQ, null, null, "hardirq 11 nic");
        List<String> mutated = new ArrayList<>();
        for (Field f : fields()) {
            Object changed = changedValue(f.getType(), f.get(used));
            if (changed == null) {
                assertTrue(NOT_MUTATED.contains(f.getName()), "a new field " + f.getName() + " of " + f.getType()
                        + ": reset it in Frame.reuse, and give this test a value of its type");
                continue;
            }
            f.set(used, changed);
            mutated.add(f.getName());
        }
        assertTrue(mutated.containsAll(List.of("status", "fresh", "busyEnd", "gen", "waitingOn", "vector", "taskletBatch",
                "tasklet", "inject", "name", "baseName", "spinSince")), "the test changed the frame's state: " + mutated);
        Field token = Cpu.Frame.class.getDeclaredField("waitToken");
        token.setAccessible(true);
        long before = token.getLong(used);

        Cpu.Frame reused = used.reuse(7, ContextLevel.SOFTIRQ, null, null, "softirq");
        Cpu.Frame fresh = new Cpu.Frame(Cpu.Kind.IRQ, 7, ContextLevel.SOFTIRQ, null, null, "softirq");
        for (Field f : fields()) {
            if (f.getName().equals("waitToken")) {
                assertTrue(token.getLong(reused) > before, "the wait token goes on counting, so an old wait handle is stale");
                continue;
            }
            Object got = f.get(reused);
            Object want = f.get(fresh);
            if (!Objects.equals(got, want)) {
                fail("after reuse, " + f.getName() + " is " + got + ", a new frame's is " + want);
            }
        }
        assertEquals("softirq", reused.name());
    }

    private static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : Cpu.Frame.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            out.add(f);
        }
        return out;
    }

    /** A value of {@code type} different from {@code current}, or null when the test has none. */
    private static Object changedValue(Class<?> type, Object current) {
        if (type == int.class) {
            return ((Integer) current) + 5;
        } else if (type == long.class) {
            return ((Long) current) + 5;
        } else if (type == boolean.class) {
            return !((Boolean) current);
        } else if (type == String.class) {
            return "earlier";
        } else if (type == Object.class) {
            return "earlier";
        } else if (type == ContextLevel.class) {
            return ContextLevel.USER;
        } else if (type == Cpu.Status.class) {
            return Cpu.Status.DONE;
        } else if (type == SoftirqVector.class) {
            return SoftirqVector.NET_RX;
        } else if (type == ArrayDeque.class) {
            return new ArrayDeque<>(List.of("tasklet"));
        } else if (type == List.class) {
            return new ArrayList<>(Collections.singletonList(null));
        }
        return null;
    }
}
