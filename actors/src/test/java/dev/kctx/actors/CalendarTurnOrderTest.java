package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("An explored turn order (Perturbation.Ties) reorders the CPUs of one instant, and nothing else")
class CalendarTurnOrderTest {

    /** The (cpu, label) pairs as the calendar hands them out. */
    private static List<String> drain(Calendar c) {
        List<String> out = new ArrayList<>();
        for (Calendar.Entry e = c.poll(); e != null; e = c.poll()) {
            out.add(e.cpu() + ":" + ((Cpu.Tick) e.event()).gen());
        }
        return out;
    }

    private static void fill(Calendar c) {
        // two instants, three CPUs, two levels on CPU 0
        for (long t : new long[] {10, 20}) {
            c.add(2, ContextLevel.KERNEL, 5, new Cpu.Tick(t, t + 2));
            c.add(0, ContextLevel.USER, 3, new Cpu.Tick(t, t + 1));
            c.add(0, ContextLevel.HARDIRQ, 4, new Cpu.Tick(t, t));
            c.add(1, ContextLevel.KERNEL, 6, new Cpu.Tick(t, t + 3));
        }
    }

    @Test
    @DisplayName("the CPUs of an instant come in the order's turn, each CPU's own events in level order, and times stay ordered")
    void turnOrder() {
        Perturbation.CpuOrder order = new Perturbation.Ties(7, List.of()).forCpus(3);
        List<Integer> turn = order.initial();
        Calendar c = new Calendar(order);
        fill(c);
        List<String> expected = new ArrayList<>();
        for (long t : new long[] {10, 20}) {
            for (int cpu : turn) {
                switch (cpu) {
                    case 0 -> expected.addAll(List.of("0:" + t, "0:" + (t + 1)));
                    case 1 -> expected.add("1:" + (t + 3));
                    default -> expected.add("2:" + (t + 2));
                }
            }
        }
        assertEquals(expected, drain(c), "turn order " + turn + " at both instants, HARDIRQ before USER on CPU 0");
    }

    @Test
    @DisplayName("a priority change demotes the CPU that went first below the others from its instant on")
    void change() {
        Perturbation.CpuOrder order = new Perturbation.Ties(7, List.of(15L)).forCpus(3);
        List<Integer> turn = order.initial();
        for (int r = 0; r < 3; r++) {
            assertEquals(turn.get(r), order.cpu(r, 10), "before the change: the initial order");
            assertEquals(turn.get((r + 1) % 3), order.cpu(r, 20), "after it: the first CPU is last");
            assertEquals(r, order.rank(order.cpu(r, 20), 20), "rank and cpu are inverses");
        }
    }

    @Test
    @DisplayName("different seeds give different orders, and without an order the CPUs come in ascending order")
    void seeds() {
        List<List<Integer>> orders = new ArrayList<>();
        for (long s = 0; s < 20; s++) {
            List<Integer> o = new Perturbation.Ties(s, List.of()).forCpus(3).initial();
            if (!orders.contains(o)) {
                orders.add(o);
            }
        }
        assertEquals(6, orders.size(), "20 seeds reach all 6 orders of 3 CPUs: " + orders);
        Calendar plain = new Calendar();
        fill(plain);
        List<String> d = drain(plain);
        assertEquals(List.of("0:10", "0:11", "1:13", "2:12"), d.subList(0, 4), "the default: ascending CPUs");
    }
}
