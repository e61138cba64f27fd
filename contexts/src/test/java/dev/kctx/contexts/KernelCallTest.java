package dev.kctx.contexts;

import static dev.kctx.contexts.KernelCall.Sleep.MIGHT_SLEEP;
import static dev.kctx.contexts.KernelCall.Sleep.NEVER;
import static dev.kctx.contexts.KernelCall.Sleep.SCHEDULES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules table as read in mainline Linux. The expected table here is written independently of
 * KernelCall, so that a change to either one has to be argued from the kernel source.
 */
@DisplayName("KernelCall matches the kernel's annotations")
class KernelCallTest {

    /** What the kernel does, per call: annotation kind, file printed, whether it can sleep at all. */
    private record Expected(KernelCall.Sleep sleep, String site, boolean canSleep) {
    }

    private static final Map<KernelCall, Expected> KERNEL = new EnumMap<>(KernelCall.class);

    private static void expect(KernelCall call, KernelCall.Sleep sleep, String site) {
        KERNEL.put(call, new Expected(sleep, site, sleep != NEVER));
    }

    static {
        // Scheduling without annotation: schedule_debug in kernel/sched/core.c is the only check.
        expect(KernelCall.SCHEDULE, SCHEDULES, "kernel/sched/core.c");
        expect(KernelCall.MSLEEP, SCHEDULES, "kernel/time/sleep_timeout.c");
        expect(KernelCall.MSLEEP_INTERRUPTIBLE, SCHEDULES, "kernel/time/sleep_timeout.c");
        expect(KernelCall.USLEEP_RANGE, SCHEDULES, "kernel/time/sleep_timeout.c");
        expect(KernelCall.SCHEDULE_TIMEOUT, SCHEDULES, "kernel/time/sleep_timeout.c");
        // might_sleep() in a function: the function's file is printed.
        expect(KernelCall.MUTEX_LOCK, MIGHT_SLEEP, "kernel/locking/mutex.c");
        expect(KernelCall.DOWN, MIGHT_SLEEP, "kernel/locking/semaphore.c");
        expect(KernelCall.DOWN_INTERRUPTIBLE, MIGHT_SLEEP, "kernel/locking/semaphore.c");
        // kernel/locking/rwsem.c down_read, down_write (and their _interruptible/_killable/_nested forms): might_sleep().
        expect(KernelCall.DOWN_READ, MIGHT_SLEEP, "kernel/locking/rwsem.c");
        expect(KernelCall.DOWN_WRITE, MIGHT_SLEEP, "kernel/locking/rwsem.c");
        expect(KernelCall.WAIT_FOR_COMPLETION, MIGHT_SLEEP, "kernel/sched/completion.c");
        // might_alloc / might_fault in static inline functions: the header is printed.
        expect(KernelCall.KMALLOC_GFP_KERNEL, MIGHT_SLEEP, "include/linux/sched/mm.h");
        expect(KernelCall.VMALLOC, MIGHT_SLEEP, "include/linux/sched/mm.h");
        expect(KernelCall.ALLOC_SKB_GFP_KERNEL, MIGHT_SLEEP, "include/linux/sched/mm.h");
        expect(KernelCall.CALL_USERMODEHELPER_WAIT, MIGHT_SLEEP, "include/linux/sched/mm.h");
        expect(KernelCall.COPY_TO_USER, MIGHT_SLEEP, "include/linux/uaccess.h");
        expect(KernelCall.COPY_FROM_USER, MIGHT_SLEEP, "include/linux/uaccess.h");
        // Annotations inside macros: the defining header stands in for the caller's file.
        expect(KernelCall.WAIT_EVENT, MIGHT_SLEEP, "include/linux/wait.h");
        expect(KernelCall.WAIT_EVENT_INTERRUPTIBLE, MIGHT_SLEEP, "include/linux/wait.h");
        expect(KernelCall.COND_RESCHED, MIGHT_SLEEP, "include/linux/sched.h");
        expect(KernelCall.GET_USER, MIGHT_SLEEP, "arch/x86/include/asm/uaccess.h");
        expect(KernelCall.PUT_USER, MIGHT_SLEEP, "arch/x86/include/asm/uaccess.h");
        // Safe in any context.
        expect(KernelCall.KMALLOC_GFP_ATOMIC, NEVER, "");
        expect(KernelCall.KMALLOC_GFP_NOWAIT, NEVER, "");
        expect(KernelCall.ALLOC_SKB_GFP_ATOMIC, NEVER, "");
        expect(KernelCall.SPIN_LOCK, NEVER, "");
        expect(KernelCall.SPIN_TRYLOCK, NEVER, "");
        expect(KernelCall.RAISE_SOFTIRQ, NEVER, "");
        expect(KernelCall.WAKE_UP, NEVER, "");
        expect(KernelCall.MDELAY, NEVER, "");
        expect(KernelCall.UP, NEVER, "");
        expect(KernelCall.COMPLETE, NEVER, "");
        expect(KernelCall.CALL_USERMODEHELPER_NO_WAIT, NEVER, "");
        expect(KernelCall.SEND_SIG_INFO, NEVER, "");
        expect(KernelCall.NETLINK_UNICAST_NONBLOCK, NEVER, "");
        expect(KernelCall.NETLINK_BROADCAST_GFP_ATOMIC, NEVER, "");
        expect(KernelCall.KFREE, NEVER, "");
        // kernel/workqueue.c (6.6): queue_work_on has no annotation; start_flush_work begins with might_sleep(),
        // reached from flush_work and cancel_work_sync (__cancel_work_timer -> __flush_work).
        expect(KernelCall.QUEUE_WORK, NEVER, "");
        expect(KernelCall.FLUSH_WORK, MIGHT_SLEEP, "kernel/workqueue.c");
        expect(KernelCall.CANCEL_WORK_SYNC, MIGHT_SLEEP, "kernel/workqueue.c");
        // kernel/rcu/tree.c synchronize_rcu -> rcu_blocking_is_gp: might_sleep() (Linux 6.6).
        expect(KernelCall.SYNCHRONIZE_RCU, MIGHT_SLEEP, "kernel/rcu/tree.c");
        // call_rcu only enqueues (irqs off); rcu_barrier takes rcu_state.barrier_mutex with mutex_lock.
        expect(KernelCall.CALL_RCU, NEVER, "");
        expect(KernelCall.RCU_BARRIER, MIGHT_SLEEP, "kernel/locking/mutex.c");
        // queue_delayed_work_on arms a timer (no annotation); flush_delayed_work and cancel_delayed_work_sync
        // reach start_flush_work's might_sleep() through flush_work and __cancel_work_timer.
        expect(KernelCall.QUEUE_DELAYED_WORK, NEVER, "");
        expect(KernelCall.FLUSH_DELAYED_WORK, MIGHT_SLEEP, "kernel/workqueue.c");
        expect(KernelCall.CANCEL_DELAYED_WORK_SYNC, MIGHT_SLEEP, "kernel/workqueue.c");
        // Not annotated, yet they wait when the receiver is full: only the scheduler's check can fire.
        KERNEL.put(KernelCall.NETLINK_UNICAST_BLOCKING, new Expected(NEVER, "", true));
        KERNEL.put(KernelCall.NETLINK_BROADCAST_GFP_KERNEL, new Expected(NEVER, "", true));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(KernelCall.class)
    @DisplayName("every call has the kernel's annotation kind, printed file and ability to sleep")
    void matchesKernel(KernelCall call) {
        Expected e = KERNEL.get(call);
        assertNotNull(e, call + " is in the table checked against the kernel source");
        assertEquals(e.sleep(), call.sleep(), call + " is " + e.sleep() + " in the kernel");
        assertEquals(e.site(), call.site(), call + "'s annotation is in " + e.site());
        assertEquals(e.canSleep(), call.canSleep(), call + (e.canSleep() ? " can" : " cannot") + " sleep");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = KernelCall.Sleep.class, names = {"MIGHT_SLEEP", "SCHEDULES"})
    @DisplayName("annotated and scheduling calls name a kernel file and can sleep")
    void sleepingCallsNameAFile(KernelCall.Sleep sleep) {
        for (KernelCall c : KernelCall.values()) {
            if (c.sleep() == sleep) {
                assertTrue(c.site().endsWith(".c") || c.site().endsWith(".h"), c + " names a C source or header");
                assertTrue(c.canSleep(), c + " can sleep");
            }
        }
    }

    @Test
    @DisplayName("atomic-safe calls name no annotation file")
    void safeCallsHaveNoSite() {
        for (KernelCall c : KernelCall.values()) {
            if (c.sleep() == NEVER) {
                assertEquals("", c.site(), c + " has no annotation to print");
            }
        }
    }

    @Test
    @DisplayName("call names are unique")
    void uniqueNames() {
        Set<String> names = Arrays.stream(KernelCall.values()).map(KernelCall::callName).collect(Collectors.toSet());
        assertEquals(KernelCall.values().length, names.size(), "no two calls share a name");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"MSLEEP", "SCHEDULE", "MUTEX_LOCK", "KMALLOC_GFP_KERNEL", "KMALLOC_GFP_ATOMIC",
            "COPY_TO_USER", "COPY_FROM_USER", "WAIT_EVENT", "SPIN_LOCK", "RAISE_SOFTIRQ", "WAKE_UP", "COND_RESCHED",
            "MDELAY"})
    @DisplayName("the constants other modules use keep their names")
    void stableNames(String name) {
        assertEquals(name, KernelCall.valueOf(name).name(), name + " still exists");
    }

    @Test
    @DisplayName("the umh wait modes split on UMH_NO_WAIT, the only mode allowed in atomic context")
    void usermodehelper() {
        assertEquals(MIGHT_SLEEP, KernelCall.CALL_USERMODEHELPER_WAIT.sleep(),
                "UMH_WAIT_EXEC, UMH_WAIT_PROC and UMH_KILLABLE allocate with GFP_KERNEL and wait");
        assertFalse(KernelCall.CALL_USERMODEHELPER_NO_WAIT.canSleep(),
                "UMH_NO_WAIT allocates with GFP_ATOMIC and only queues work");
    }
}
