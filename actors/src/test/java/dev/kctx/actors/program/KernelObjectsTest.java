package dev.kctx.actors.program;

import dev.kctx.actors.program.KernelObjects.LockType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("KernelObjects")
class KernelObjectsTest {

    private final KernelObjects kernel = new KernelObjects();
    private final Object taskA = new Object();
    private final Object taskB = new Object();

    @Test
    @DisplayName("declaring a lock twice with the same type gives the same lock")
    void declareIsIdempotent() {
        KernelObjects.Lock l = kernel.declareLock("L", LockType.SPINLOCK);

        assertSame(l, kernel.declareLock("L", LockType.SPINLOCK), "the second declaration returns the first lock");
        assertSame(l, kernel.lock("L", LockType.SPINLOCK), "lookup by name finds it");
        assertEquals(LockType.SPINLOCK, l.type(), "the lock keeps its declared type");
    }

    @Test
    @DisplayName("declaring a lock again with another type is an error that names both types")
    void declareWithOtherTypeFails() {
        kernel.declareLock("L", LockType.SPINLOCK);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.declareLock("L", LockType.MUTEX), "a lock cannot change its type");
        assertEquals("lock 'L' is a SPINLOCK, not a MUTEX", e.getMessage(), "the message says what is wrong");
    }

    @Test
    @DisplayName("a lock used without declaration is created on first use and listed in order")
    void lockCreatedOnFirstUse() {
        kernel.lock("b", LockType.MUTEX);
        kernel.lock("a", LockType.SPINLOCK);

        assertEquals(List.of("b", "a"), List.copyOf(kernel.locks().keySet()), "locks are listed in creation order");
        assertThrows(UnsupportedOperationException.class, () -> kernel.locks().clear(), "the listing is read-only");
    }

    @Test
    @DisplayName("a free lock is taken by the first asker and refused to others until released")
    void tryAcquireAndRelease() {
        KernelObjects.Lock l = kernel.lock("L", LockType.SPINLOCK);

        assertTrue(l.tryAcquire(taskA, "a"), "a free lock is taken");
        assertFalse(l.tryAcquire(taskB, "b"), "a held lock is refused to another context");
        assertEquals("a", l.ownerName(), "the owner's name is kept for reports");
        l.release();
        assertFalse(l.held(), "released");
        assertNull(l.ownerName(), "no owner name after release");
        assertTrue(l.tryAcquire(taskB, "b"), "a released lock can be taken by another context");
    }

    @Test
    @DisplayName("handTo gives a held lock directly to a waiter")
    void handTo() {
        KernelObjects.Lock l = kernel.lock("M", LockType.MUTEX);
        l.tryAcquire(taskA, "a");

        l.handTo(taskB, "b");

        assertSame(taskB, l.owner(), "the waiter owns it without a moment free");
        assertFalse(l.tryAcquire(taskA, "a"), "the previous owner cannot take it back");
        assertTrue(l.tryAcquire(taskB, "b"), "the new owner's acquire succeeds");
    }

    @Test
    @DisplayName("spinning CPUs are drained once, lowest CPU first, without duplicates")
    void spinnersDrainSortedOnce() {
        KernelObjects.Lock l = kernel.lock("L", LockType.SPINLOCK);
        l.addSpinner(3);
        l.addSpinner(1);
        l.addSpinner(3);

        assertEquals(List.of(1, 3), l.drainSpinners(), "each spinning CPU once, in CPU order");
        assertEquals(List.of(), l.drainSpinners(), "draining forgets them");
    }

    @Test
    @DisplayName("sleepers on a lock are woken first in, first out")
    void sleepersFifo() {
        KernelObjects.Lock l = kernel.lock("M", LockType.MUTEX);
        WaitHandle first = new WaitHandle(0, taskA, 1);
        WaitHandle second = new WaitHandle(1, taskB, 7);
        l.addSleeper(first);
        l.addSleeper(second);

        assertEquals(first, l.pollSleeper(), "the first sleeper comes out first");
        assertEquals(second, l.pollSleeper(), "then the second");
        assertNull(l.pollSleeper(), "then nobody");
    }

    @Test
    @DisplayName("a wait queue counts events: signal adds one, tryConsume takes one while any are left")
    void waitQueueEvents() {
        KernelObjects.WaitQueue q = kernel.waitQueue("q");

        assertFalse(q.tryConsume(), "no event yet");
        q.signal();
        q.signal();
        assertEquals(2, q.events(), "two signals are two events");
        assertTrue(q.tryConsume(), "one consumed");
        assertTrue(q.tryConsume(), "the other consumed");
        assertFalse(q.tryConsume(), "none left");
        assertSame(q, kernel.waitQueue("q"), "a queue is looked up by name");
    }

    @Test
    @DisplayName("signal returns the waiters in arrival order and empties the queue")
    void signalReturnsWaiters() {
        KernelObjects.WaitQueue q = kernel.waitQueue("q");
        WaitHandle first = new WaitHandle(0, taskA, 1);
        WaitHandle second = new WaitHandle(1, taskB, 2);
        q.addWaiter(first);
        q.addWaiter(second);

        assertEquals(List.of(first, second), q.signal(), "every waiter, in the order it came");
        assertEquals(0, q.waiterCount(), "the queue has no waiters left");
        assertEquals(List.of(), q.signal(), "a second signal wakes nobody");
        assertEquals(2, q.events(), "but both signals were counted");
    }
}
