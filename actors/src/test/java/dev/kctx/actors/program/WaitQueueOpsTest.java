package dev.kctx.actors.program;

import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("wait_event and wake_up")
class WaitQueueOpsTest {

    private static final Ops.WaitEvent WAIT = new Ops.WaitEvent("q", false);
    private static final Ops.WaitEvent WAIT_INTERRUPTIBLE = new Ops.WaitEvent("q", true);
    private static final Ops.WakeUp WAKE = new Ops.WakeUp("q");

    private final KernelObjects kernel = new KernelObjects();
    private final FakeExec waiter = new FakeExec(kernel, 0, "process reader");
    private final FakeExec second = new FakeExec(kernel, 1, "process reader2");
    private final FakeExec waker = new FakeExec(kernel, 1, "hardirq 11 nic");

    @Test
    @DisplayName("a wake_up before the wait_event is not lost: the wait returns at once")
    void wakeBeforeWaitIsNotLost() {
        waker.run(WAKE);

        assertEquals(Outcome.Next.INSTANCE, waiter.run(WAIT), "the condition already holds: no sleep");
        assertEquals(List.of(KernelCall.WAIT_EVENT), waiter.checkedCalls(),
                "might_sleep is checked, but the task never schedules");
        assertEquals(0, kernel.waitQueue("q").events(), "the wait consumed the event");
    }

    @Test
    @DisplayName("each wait_event consumes one wake_up")
    void eachWaitConsumesOne() {
        waker.run(WAKE);
        waker.run(WAKE);

        assertEquals(Outcome.Next.INSTANCE, waiter.run(WAIT), "first wait consumes the first event");
        assertEquals(Outcome.Next.INSTANCE, waiter.run(WAIT), "second wait consumes the second event");
        assertEquals(new Outcome.Block("q", 'D'), waiter.run(WAIT), "third wait finds none and sleeps");
    }

    @Test
    @DisplayName("wait_event with no event sleeps in D state; the interruptible form in S state")
    void waitSleepsInItsState() {
        assertEquals(new Outcome.Block("q", 'D'), waiter.run(WAIT), "wait_event sleeps uninterruptibly");
        assertEquals(new Outcome.Block("q", 'S'), second.run(WAIT_INTERRUPTIBLE),
                "wait_event_interruptible sleeps interruptibly");
        assertEquals(List.of(KernelCall.WAIT_EVENT, KernelCall.SCHEDULE), waiter.checkedCalls(),
                "might_sleep on entry, then the scheduler's check as it sleeps");
        assertEquals(2, kernel.waitQueue("q").waiterCount(), "both sleepers are on the queue");
    }

    @Test
    @DisplayName("wake_up wakes every waiter in arrival order, and the woken wait returns")
    void wakeUpWakesWaiters() {
        waiter.run(WAIT);
        second.run(WAIT);

        assertEquals(Outcome.Next.INSTANCE, waker.run(WAKE), "wake_up goes on");

        assertEquals(List.of(waiter.waitHandle(), second.waitHandle()), waker.wakes,
                "both waiters are woken, in the order they came");
        assertEquals(0, kernel.waitQueue("q").waiterCount(), "the queue is empty after the wake-up");
        assertEquals(Outcome.Next.INSTANCE, waiter.retry(WAIT), "the first woken task consumes the event");
        assertEquals(new Outcome.Block("q", 'D'), second.retry(WAIT),
                "one wake_up is one event: the second woken task sleeps again");
        assertEquals(List.of(KernelCall.WAIT_EVENT, KernelCall.SCHEDULE, KernelCall.SCHEDULE), second.checkedCalls(),
                "a retry does not repeat might_sleep, but sleeping again schedules again");
    }

    @Test
    @DisplayName("wake_up is legal in a hard IRQ; wait_event there is a sleep-in-atomic bug")
    void contextRules() {
        waker.atomic.hardirqEnter();
        waker.run(WAKE);
        assertEquals(List.of(KernelCall.WAKE_UP), waker.checkedCalls(), "wake_up passes the gate as wake_up");
        assertTrue(waker.reports.isEmpty(), "wake_up never sleeps: " + waker.reports);

        FakeExec irqWaiter = new FakeExec(kernel, 2, "hardirq 12 disk");
        irqWaiter.atomic.hardirqEnter();
        irqWaiter.run(new Ops.WaitEvent("empty", false));
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC, ReportKind.SCHEDULING_WHILE_ATOMIC), irqWaiter.reportKinds(),
                "wait_event in a hard IRQ that really sleeps: might_sleep, then scheduling while atomic");
    }

    @Test
    @DisplayName("describe() writes the call with its queue")
    void describe() {
        assertEquals("wait_event(q)", WAIT.describe(), "wait_event text");
        assertEquals("wait_event_interruptible(q)", WAIT_INTERRUPTIBLE.describe(), "interruptible text");
        assertEquals("wake_up(q)", WAKE.describe(), "wake_up text");
    }
}
