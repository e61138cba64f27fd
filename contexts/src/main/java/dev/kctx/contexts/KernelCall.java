package dev.kctx.contexts;

/**
 * The rules table: for each modelled kernel call, whether the kernel annotates it as possibly
 * sleeping (might_sleep, might_fault, might_alloc: checked on every call), whether it always
 * schedules (it calls schedule() directly, with no annotation: only the scheduler's own check
 * fires), or whether it is safe in any context. {@code site} is the file holding the annotation,
 * printed after the title as the kernel does; for a SCHEDULES call it is the file defining the
 * call, which the kernel does not print.
 *
 * <p>Where the annotation sits in a macro (wait_event, cond_resched, get_user), the kernel's
 * {@code __FILE__} is the caller's file, which kctx does not know; the site names the header
 * defining the macro instead. Every entry was checked against mainline Linux (v6.x); the
 * comment on each says where the kernel annotates it.
 */
public enum KernelCall {
    // kernel/time/sleep_timeout.c msleep -> schedule_timeout_uninterruptible -> schedule(); no might_sleep.
    MSLEEP("msleep", Sleep.SCHEDULES, "kernel/time/sleep_timeout.c"),
    // kernel/sched/core.c schedule: preempt_disable(), then __schedule -> schedule_debug -> __schedule_bug.
    SCHEDULE("schedule", Sleep.SCHEDULES, "kernel/sched/core.c"),
    // kernel/locking/mutex.c mutex_lock: might_sleep() before the fast path.
    MUTEX_LOCK("mutex_lock", Sleep.MIGHT_SLEEP, "kernel/locking/mutex.c"),
    // include/linux/sched/mm.h might_alloc (from mm/slub.c slab_pre_alloc_hook): might_sleep_if(blocking gfp).
    KMALLOC_GFP_KERNEL("kmalloc(GFP_KERNEL)", Sleep.MIGHT_SLEEP, "include/linux/sched/mm.h"),
    // might_alloc: GFP_ATOMIC has no __GFP_DIRECT_RECLAIM, so might_sleep_if does nothing.
    KMALLOC_GFP_ATOMIC("kmalloc(GFP_ATOMIC)", Sleep.NEVER, ""),
    // include/linux/uaccess.h _inline_copy_to_user: might_fault() -> mm/memory.c __might_fault -> __might_sleep.
    COPY_TO_USER("copy_to_user", Sleep.MIGHT_SLEEP, "include/linux/uaccess.h"),
    // include/linux/uaccess.h _inline_copy_from_user: might_fault().
    COPY_FROM_USER("copy_from_user", Sleep.MIGHT_SLEEP, "include/linux/uaccess.h"),
    // include/linux/wait.h wait_event macro: might_sleep() (the kernel prints the caller's file).
    WAIT_EVENT("wait_event", Sleep.MIGHT_SLEEP, "include/linux/wait.h"),
    // include/linux/spinlock.h spin_lock: preempt_disable and spin; no annotation (non-RT kernel).
    SPIN_LOCK("spin_lock", Sleep.NEVER, ""),
    // kernel/softirq.c raise_softirq: local_irq_save around raise_softirq_irqoff.
    RAISE_SOFTIRQ("raise_softirq", Sleep.NEVER, ""),
    // kernel/sched/wait.c __wake_up: spin_lock_irqsave on the queue head.
    WAKE_UP("wake_up", Sleep.NEVER, ""),
    // include/linux/sched.h cond_resched macro: __might_resched(__FILE__, __LINE__, 0) (caller's file printed).
    COND_RESCHED("cond_resched", Sleep.MIGHT_SLEEP, "include/linux/sched.h"),
    // include/linux/delay.h mdelay: busy wait (udelay loop), legal anywhere.
    MDELAY("mdelay", Sleep.NEVER, ""),

    // kernel/locking/semaphore.c down: might_sleep() before raw_spin_lock_irqsave.
    DOWN("down", Sleep.MIGHT_SLEEP, "kernel/locking/semaphore.c"),
    // kernel/locking/semaphore.c down_interruptible: might_sleep().
    DOWN_INTERRUPTIBLE("down_interruptible", Sleep.MIGHT_SLEEP, "kernel/locking/semaphore.c"),
    // kernel/locking/rwsem.c down_read (and down_read_interruptible/_killable, down_read_nested): might_sleep() first.
    DOWN_READ("down_read", Sleep.MIGHT_SLEEP, "kernel/locking/rwsem.c"),
    // kernel/locking/rwsem.c down_write (and down_write_killable, down_write_nested): might_sleep() first.
    DOWN_WRITE("down_write", Sleep.MIGHT_SLEEP, "kernel/locking/rwsem.c"),
    // kernel/locking/semaphore.c up: "may be called from any context"; raw_spin_lock_irqsave only.
    UP("up", Sleep.NEVER, ""),
    // mm/vmalloc.c __get_vm_area_node: kzalloc_node(GFP_KERNEL) reaches might_alloc first. In interrupt
    // context (in_interrupt(), so BH-disabled too) its BUG_ON(in_interrupt()) oopses instead: not modelled.
    VMALLOC("vmalloc", Sleep.MIGHT_SLEEP, "include/linux/sched/mm.h"),
    // kernel/time/sleep_timeout.c msleep_interruptible -> schedule_timeout_interruptible; no might_sleep.
    MSLEEP_INTERRUPTIBLE("msleep_interruptible", Sleep.SCHEDULES, "kernel/time/sleep_timeout.c"),
    // kernel/time/sleep_timeout.c usleep_range_state -> schedule_hrtimeout_range -> schedule(); no might_sleep.
    USLEEP_RANGE("usleep_range", Sleep.SCHEDULES, "kernel/time/sleep_timeout.c"),
    // kernel/time/sleep_timeout.c schedule_timeout: calls schedule() unconditionally; no might_sleep.
    SCHEDULE_TIMEOUT("schedule_timeout", Sleep.SCHEDULES, "kernel/time/sleep_timeout.c"),
    // kernel/sched/completion.c __wait_for_common: might_sleep(), even when already completed.
    WAIT_FOR_COMPLETION("wait_for_completion", Sleep.MIGHT_SLEEP, "kernel/sched/completion.c"),
    // kernel/sched/completion.c complete: raw_spin_lock_irqsave and a wake-up; any context.
    COMPLETE("complete", Sleep.NEVER, ""),
    // include/linux/spinlock.h spin_trylock: preempt_disable and one attempt; never spins or sleeps.
    SPIN_TRYLOCK("spin_trylock", Sleep.NEVER, ""),
    // might_alloc: GFP_NOWAIT has no __GFP_DIRECT_RECLAIM, so might_sleep_if does nothing.
    KMALLOC_GFP_NOWAIT("kmalloc(GFP_NOWAIT)", Sleep.NEVER, ""),
    // kernel/umh.c call_usermodehelper(UMH_WAIT_EXEC/UMH_WAIT_PROC/UMH_KILLABLE): call_usermodehelper_setup's
    // kzalloc(GFP_KERNEL) hits might_alloc first, then wait_for_completion_state (kernel/sched/completion.c).
    CALL_USERMODEHELPER_WAIT("call_usermodehelper(UMH_WAIT_*)", Sleep.MIGHT_SLEEP, "include/linux/sched/mm.h"),
    // kernel/umh.c call_usermodehelper(UMH_NO_WAIT): GFP_ATOMIC setup and queue_work; "safe to call from
    // interrupt context".
    CALL_USERMODEHELPER_NO_WAIT("call_usermodehelper(UMH_NO_WAIT)", Sleep.NEVER, ""),
    // kernel/signal.c send_sig_info -> do_send_sig_info: lock_task_sighand (irqsave), GFP_ATOMIC sigqueue.
    SEND_SIG_INFO("send_sig_info", Sleep.NEVER, ""),

    // net/netlink/af_netlink.c netlink_unicast with nonblock: a full queue drops (EAGAIN), never waits.
    NETLINK_UNICAST_NONBLOCK("netlink_unicast(nonblock)", Sleep.NEVER, ""),
    // net/netlink/af_netlink.c netlink_unicast -> netlink_attachskb: no annotation; it calls schedule_timeout
    // only when the receiver's queue is full. The caller checks Gate.scheduling when it really waits.
    NETLINK_UNICAST_BLOCKING("netlink_unicast(block)", Sleep.NEVER, "", true),
    // net/netlink/af_netlink.c netlink_broadcast_filtered: GFP_ATOMIC clones, no yield.
    NETLINK_BROADCAST_GFP_ATOMIC("netlink_broadcast(GFP_ATOMIC)", Sleep.NEVER, ""),
    // net/netlink/af_netlink.c netlink_broadcast_filtered: no annotation on entry, but it may clone with
    // GFP_KERNEL and yield() when a receiver is congested.
    NETLINK_BROADCAST_GFP_KERNEL("netlink_broadcast(GFP_KERNEL)", Sleep.NEVER, "", true),
    // net/core/skbuff.c __alloc_skb (nlmsg_new, genlmsg_new): kmem_cache_alloc_node -> might_alloc.
    ALLOC_SKB_GFP_KERNEL("alloc_skb(GFP_KERNEL)", Sleep.MIGHT_SLEEP, "include/linux/sched/mm.h"),
    // net/core/skbuff.c __alloc_skb with GFP_ATOMIC: might_alloc's might_sleep_if does nothing.
    ALLOC_SKB_GFP_ATOMIC("alloc_skb(GFP_ATOMIC)", Sleep.NEVER, ""),
    // include/linux/wait.h wait_event_interruptible macro: might_sleep() (the kernel prints the caller's file).
    WAIT_EVENT_INTERRUPTIBLE("wait_event_interruptible", Sleep.MIGHT_SLEEP, "include/linux/wait.h"),
    // arch/x86/include/asm/uaccess.h get_user macro: might_fault() (the kernel prints the caller's file).
    GET_USER("get_user", Sleep.MIGHT_SLEEP, "arch/x86/include/asm/uaccess.h"),
    // arch/x86/include/asm/uaccess.h put_user macro: might_fault() (the kernel prints the caller's file).
    PUT_USER("put_user", Sleep.MIGHT_SLEEP, "arch/x86/include/asm/uaccess.h"),
    // mm/slub.c kfree: no annotation; legal in any context.
    KFREE("kfree", Sleep.NEVER, ""),
    // kernel/workqueue.c queue_work_on: local_irq_save around __queue_work, no annotation; legal in any context.
    QUEUE_WORK("queue_work", Sleep.NEVER, ""),
    // kernel/workqueue.c flush_work -> __flush_work -> start_flush_work: might_sleep() first thing.
    FLUSH_WORK("flush_work", Sleep.MIGHT_SLEEP, "kernel/workqueue.c"),
    // kernel/workqueue.c cancel_work_sync -> __cancel_work_timer -> __flush_work(work, true) -> start_flush_work: might_sleep().
    CANCEL_WORK_SYNC("cancel_work_sync", Sleep.MIGHT_SLEEP, "kernel/workqueue.c"),
    // kernel/rcu/tree.c synchronize_rcu -> rcu_blocking_is_gp: might_sleep() once the scheduler runs, then
    // wait_rcu_gp -> wait_for_completion for the grace period (Linux 6.6).
    SYNCHRONIZE_RCU("synchronize_rcu", Sleep.MIGHT_SLEEP, "kernel/rcu/tree.c"),
    // kernel/rcu/tree.c call_rcu -> __call_rcu_common: local_irq_save around the enqueue; legal in any context.
    CALL_RCU("call_rcu", Sleep.NEVER, ""),
    // kernel/rcu/tree.c rcu_barrier: mutex_lock(&rcu_state.barrier_mutex) (might_sleep), then wait_for_completion.
    RCU_BARRIER("rcu_barrier", Sleep.MIGHT_SLEEP, "kernel/locking/mutex.c"),
    // kernel/workqueue.c queue_delayed_work_on / mod_delayed_work_on: local_irq_save, add_timer; no annotation.
    QUEUE_DELAYED_WORK("queue_delayed_work", Sleep.NEVER, ""),
    // kernel/workqueue.c flush_delayed_work -> flush_work -> __flush_work -> start_flush_work: might_sleep().
    FLUSH_DELAYED_WORK("flush_delayed_work", Sleep.MIGHT_SLEEP, "kernel/workqueue.c"),
    // kernel/workqueue.c cancel_delayed_work_sync -> __cancel_work_timer -> __flush_work: might_sleep().
    CANCEL_DELAYED_WORK_SYNC("cancel_delayed_work_sync", Sleep.MIGHT_SLEEP, "kernel/workqueue.c");

    /** How a call relates to sleeping, as the kernel's checkers see it. */
    public enum Sleep {
        /**
         * Not annotated: the gate never reports on entry. Safe in atomic context unless
         * {@link KernelCall#canSleep()} says the call may still wait; the caller then runs
         * {@link Gate#scheduling} at the moment it really schedules.
         */
        NEVER,
        /** Annotated with might_sleep or a sibling: sleep-in-atomic whenever called while atomic. */
        MIGHT_SLEEP,
        /** Calls schedule(): scheduling-while-atomic when the preempt count is raised. */
        SCHEDULES
    }

    private final String callName;
    private final Sleep sleep;
    private final String site;
    private final boolean blocksUnannotated;

    KernelCall(String callName, Sleep sleep, String site) {
        this(callName, sleep, site, false);
    }

    KernelCall(String callName, Sleep sleep, String site, boolean blocksUnannotated) {
        this.callName = callName;
        this.sleep = sleep;
        this.site = site;
        this.blocksUnannotated = blocksUnannotated;
    }

    public String callName() {
        return callName;
    }

    public Sleep sleep() {
        return sleep;
    }

    public String site() {
        return site;
    }

    /**
     * True when the call can sleep in some run: it is annotated, it always schedules, or it has no
     * annotation but schedules when it must wait (a blocking netlink_unicast on a full queue).
     * kctx's may-sleep-in-atomic check needs this; the kernel's own checks follow {@link #sleep()}.
     */
    public boolean canSleep() {
        return sleep != Sleep.NEVER || blocksUnannotated;
    }

    /**
     * The calls whose check is might_fault (mm/memory.c __might_fault, Linux 6.6), which returns
     * before __might_sleep when pagefault_disabled(): under pagefault_disable() they do not warn.
     */
    public boolean mightFault() {
        return this == COPY_TO_USER || this == COPY_FROM_USER || this == GET_USER || this == PUT_USER;
    }
}
