package dev.kctx.actors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The machine's executor on its own: every task from another thread runs once, a task from another
 * thread is taken before the next local one (a wall-clock stop does not wait behind a run), and
 * a shut-down executor finishes what it has and refuses more.
 */
@DisplayName("the machine thread")
class MachineThreadTest {
    private MachineThread executor;

    private MachineThread start() {
        executor = MachineThread.start(r -> {
            Thread t = new Thread(r, "machine-thread-test");
            t.setDaemon(true);
            return t;
        });
        return executor;
    }

    /** A new machine thread running a chain of {@code length} local tasks, sent to it from this thread. */
    private Chain startChain(long length) {
        Chain chain = new Chain(start(), length);
        chain.executor.execute(chain);
        return chain;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "the thread ends");
        }
    }

    /** A task that schedules itself again on the machine thread (a local task) until it has run {@code length} times. */
    private static final class Chain implements Runnable {
        final MachineThread executor;
        final AtomicLong steps = new AtomicLong();
        final long length;
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);

        Chain(MachineThread executor, long length) {
            this.executor = executor;
            this.length = length;
        }

        @Override
        public void run() {
            long n = steps.incrementAndGet();
            if (n == 1_000) {
                started.countDown();
            }
            if (n < length) {
                executor.execute(this);
            } else {
                done.countDown();
            }
        }
    }

    @Test
    @DisplayName("tasks from four other threads, sent while the thread is busy with its own, all run exactly once")
    void nothingFromOutsideIsLost() throws InterruptedException {
        Chain chain = startChain(2_000_000);
        MachineThread m = chain.executor;
        int senders = 4;
        int each = 20_000;
        AtomicInteger ran = new AtomicInteger();
        int[] seen = new int[senders * each];
        CountDownLatch all = new CountDownLatch(senders * each);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int base = s * each;
            Thread t = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    int id = base + i;
                    m.execute(() -> {
                        seen[id]++;
                        ran.incrementAndGet();
                        all.countDown();
                    });
                    if ((i & 0xff) == 0) {
                        Thread.yield();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(all.await(30, TimeUnit.SECONDS), "every task from outside ran: " + ran.get());
        assertTrue(chain.done.await(30, TimeUnit.SECONDS), "the local chain ran to its end");
        assertEquals(senders * each, ran.get());
        for (int i = 0; i < seen.length; i++) {
            assertEquals(1, seen[i], "task " + i + " ran once");
        }
        assertEquals(chain.length, chain.steps.get());
    }

    @Test
    @DisplayName("a task from another thread is taken before the next local one, not after the whole run")
    void outsideTaskDoesNotWaitBehindTheRun() throws InterruptedException {
        // long enough that waiting behind all of it would take seconds
        Chain chain = startChain(200_000_000L);
        MachineThread m = chain.executor;
        assertTrue(chain.started.await(10, TimeUnit.SECONDS));
        AtomicLong stepsWhenRun = new AtomicLong(-1);
        CountDownLatch ran = new CountDownLatch(1);
        m.execute(() -> {
            stepsWhenRun.set(chain.steps.get());
            ran.countDown();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the outside task ran while the chain was running");
        assertTrue(stepsWhenRun.get() < chain.length,
                "taken at local step " + stepsWhenRun.get() + " of " + chain.length);
        assertEquals(1, chain.done.getCount(), "the chain had not ended when the outside task ran");
    }

    @Test
    @DisplayName("shut down, it runs what it has, refuses tasks from other threads and ends")
    void shutdownFinishesAndRefuses() throws InterruptedException {
        Chain chain = startChain(100_000);
        MachineThread m = chain.executor;
        m.shutdown();
        assertTrue(m.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> m.execute(() -> { }));
        assertTrue(m.awaitTermination(10, TimeUnit.SECONDS), "the thread ends once its tasks are done");
        assertTrue(m.isTerminated());
        assertEquals(chain.length, chain.steps.get(), "the local tasks it had ran to their end");
    }
}
