package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Lock validator: one instance shared by CPUs on different threads")
class LockValidatorConcurrencyTest {

    private static Where where(int cpu, String op) {
        return new Where(cpu, 0, ContextLevel.KERNEL, "kthread cpu" + cpu, "worker", cpu, op);
    }

    private static void lock(LockValidator v, AtomicState st, int cpu, String name) {
        v.acquire(st, where(cpu, "spin_lock(" + name + ")"), name, LockClassKind.SPINLOCK, false, false);
        st.pushLock(new HeldLock(name, "spin_lock", false));
    }

    private static void unlock(LockValidator v, AtomicState st, int cpu, String name) {
        v.release(st, where(cpu, "spin_unlock(" + name + ")"), name);
        st.popLock(name);
    }

    @Test
    @DisplayName("four CPUs taking A then B concurrently give no report; one taking B then A gives exactly the cycles")
    void sharedAcrossThreads() throws Exception {
        List<Report> reports = Collections.synchronizedList(new ArrayList<>());
        LockValidator v = new LockValidator(reports::add);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int cpu = 0; cpu < 4; cpu++) {
                int c = cpu;
                done.add(pool.submit(() -> {
                    AtomicState st = new AtomicState();
                    for (int i = 0; i < 500; i++) {
                        lock(v, st, c, "A");
                        lock(v, st, c, "B");
                        unlock(v, st, c, "B");
                        unlock(v, st, c, "A");
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(reports.isEmpty(), "one consistent order is clean whatever the interleaving");

        AtomicState st = new AtomicState();
        lock(v, st, 9, "B");
        lock(v, st, 9, "A");
        assertEquals(1, reports.size());
        assertEquals(ReportKind.CIRCULAR_LOCKING, reports.get(0).kind());
    }
}
