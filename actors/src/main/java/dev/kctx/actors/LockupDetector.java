package dev.kctx.actors;

import dev.kctx.actors.program.KernelObjects;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.TimeFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * The two lockup detectors of one CPU, as Linux 6.6 runs them (kernel/watchdog.c with the perf
 * NMI detector of kernel/watchdog_perf.c, x86's default).
 *
 * <p><b>Soft lockup</b>: a per-CPU hrtimer fires every sample_period, two fifths of twice
 * watchdog_thresh (set_sample_period: 4 s by default). Its function, watchdog_timer_fn, runs in
 * hard IRQ context: it counts the interrupt for the hard detector (watchdog_hardlockup_kick),
 * queues softlockup_fn on the CPU's stopper thread unless the last one has not run yet
 * (stop_one_cpu_nowait, guarded by completion_done), and checks is_softlockup: when the
 * timestamp is past the start of the current report period plus twice watchdog_thresh it prints
 * "BUG: soft lockup - CPU#N stuck for Ds! [comm:pid]", D being the time since the stopper last
 * ran (watchdog_touch_ts), and starts a new report period (update_report_ts), so a CPU that stays
 * stuck is reported again every period. The stopper thread (stop_sched_class, above every other
 * class) runs at the CPU's next reschedule and takes the timestamps (softlockup_fn →
 * update_touch_ts): at once when the interrupted code may be preempted, otherwise when it
 * schedules (sleeps, cond_resched, returns to user mode). So a CPU that runs kernel code with
 * preemption disabled, or without cond_resched in a kernel built without preemption, for longer
 * than twice watchdog_thresh is reported; a CPU that spins with interrupts off cannot even run the
 * timer, and is left to the hard detector.
 *
 * <p><b>Hard lockup</b>: a perf NMI every watchdog_thresh (hw_nmi_get_sample_period) calls
 * watchdog_hardlockup_check, which finds the lockup when the hrtimer count has not moved since
 * the previous NMI (is_hardlockup) and prints "Watchdog detected hard LOCKUP on cpu N" once per
 * episode (watchdog_hardlockup_warned). An hrtimer that expires while interrupts are off fires
 * once when they are enabled again, and keeps its period (hrtimer_forward_now).
 *
 * <p>Timestamps are get_timestamp's, running_clock() &gt;&gt; 30 (about a second), when
 * watchdog_thresh is a whole number of seconds, as the sysctl is; kctx also accepts shorter
 * thresholds, to keep a deadlocking scenario short, and then compares exact nanoseconds. kctx's
 * simplifications: the NMI counts virtual time, also on an idle CPU (a cycle counter stops
 * there); the stopper's run takes no time and is not traced as a switch to migration/N; the
 * hrtimer itself is not traced.
 */
final class LockupDetector {
    private final Cpu c;
    private final MachineSpec.Watchdogs settings;
    /** sample_period. */
    final long samplePeriod;
    /** The perf NMI's period: watchdog_thresh. */
    final long nmiPeriod;
    /** get_timestamp's shift: 30 for a whole-second watchdog_thresh, else 0 (exact nanoseconds). */
    private final int tsShift;
    /** get_softlockup_thresh() in timestamp units. */
    private final long softThresh;
    /** watchdog_touch_ts and watchdog_report_ts, in timestamp units; the touch's virtual time. */
    private long touchTs;
    private long reportTs;
    private long touchedAt;
    /** watchdog_report_ts == SOFTLOCKUP_DELAY_REPORT: touched by known slow code. */
    private boolean delayReport;
    /** watchdog_hardlockup_touched. */
    private boolean hardTouched;
    /** softlockup_fn is queued on the stopper and has not run (the completion is not done). */
    private boolean stopperQueued;
    private long stopperQueuedAt;
    /** hrtimer_interrupts, hrtimer_interrupts_saved, watchdog_hardlockup_warned. */
    private long hrtimerInterrupts;
    private long saved;
    private boolean hardWarned;
    /** The hrtimer expired with interrupts off: it fires when they are on again. */
    boolean timerDeferred;
    private long lastTimerAt;

    LockupDetector(Cpu c, MachineSpec.Watchdogs settings) {
        this.c = c;
        this.settings = settings;
        long thresh = settings.threshNs();
        this.samplePeriod = samplePeriod(thresh);
        this.nmiPeriod = thresh;
        boolean wholeSeconds = thresh % 1_000_000_000L == 0;
        this.tsShift = wholeSeconds ? 30 : 0;
        this.softThresh = wholeSeconds ? 2 * (thresh / 1_000_000_000L) : 2 * thresh;
    }

    /** The first hrtimer expiry and NMI of this CPU (watchdog_enable at boot), when the detectors run. */
    static void arm(Calendar calendar, int cpu, MachineSpec.Watchdogs w) {
        if (!w.enabled()) {
            return;
        }
        calendar.add(cpu, ContextLevel.HARDIRQ, timerSource(cpu), new Cpu.WatchdogTimer(samplePeriod(w.threshNs())));
        calendar.add(cpu, ContextLevel.HARDIRQ, timerSource(cpu), new Cpu.WatchdogNmi(w.threshNs()));
    }

    /** set_sample_period: two fifths of get_softlockup_thresh(), 2 x watchdog_thresh. */
    private static long samplePeriod(long threshNs) {
        return Math.max(1, 2 * threshNs / 5);
    }

    /** The calendar source of a CPU's watchdog events (apart from every context's). */
    static int timerSource(int cpu) {
        return -1_000_000 - cpu;
    }

    private long timestamp(long ns) {
        return ns >> tsShift;
    }

    /** The hrtimer expires: it fires now, or when interrupts are enabled again. */
    void onTimer(long now) {
        c.post(new Cpu.WatchdogTimer(now + samplePeriod), c.id, ContextLevel.HARDIRQ, timerSource(c.id));
        if (c.cur.atomic.irqsDisabled() || c.cur.atomic.inHardirq()) {
            timerDeferred = true;
            return;
        }
        fire();
    }

    /** Interrupts are on again: the expired hrtimer fires. */
    void fireDeferred() {
        timerDeferred = false;
        fire();
    }

    /** watchdog_timer_fn. */
    private void fire() {
        long now = c.now;
        lastTimerAt = now;
        hrtimerInterrupts++;
        if (!stopperQueued) {
            stopperQueued = true;
            stopperQueuedAt = now;
        }
        long nowTs = timestamp(now);
        if (delayReport) {
            // touched by known slow code: reset the report period, no check this time
            delayReport = false;
            reportTs = nowTs;
        } else if (nowTs > reportTs + softThresh) {
            long duration = nowTs - touchTs;
            reportTs = nowTs;
            reportSoft(duration);
        }
        if (c.cur == c.idle) {
            if (c.frames.isEmpty()) {
                stopperRuns();
            }
            // else a soft IRQ runs on the idle CPU: the stopper runs when it ends (Cpu.advance)
        } else if (c.frames.peek() == c.cur.frame && c.preemptible(c.cur)) {
            // the stopper preempts the interrupted task at the interrupt's exit and is done at once
            stopperRuns();
        } else {
            // wake_up_process(stopper) → resched_curr: the next reschedule runs it
            c.reschedCurr();
        }
    }

    /**
     * touch_softlockup_watchdog (touch_softlockup_watchdog_sched: report_ts = SOFTLOCKUP_DELAY_REPORT)
     * or, with {@code nmi}, touch_nmi_watchdog (arch_touch_nmi_watchdog: watchdog_hardlockup_touched,
     * then touch_softlockup_watchdog).
     */
    void touch(boolean nmi) {
        if (nmi) {
            hardTouched = true;
        }
        delayReport = true;
    }

    /** The CPU reschedules (or is idle): the stopper, first of all classes, runs softlockup_fn. */
    void stopperRuns() {
        if (stopperQueued) {
            stopperQueued = false;
            touchTs = timestamp(c.now);
            reportTs = touchTs;
            delayReport = false;
            touchedAt = c.now;
        }
    }

    boolean stopperQueued() {
        return stopperQueued;
    }

    /** The perf NMI: watchdog_hardlockup_check. */
    void onNmi(long now) {
        c.post(new Cpu.WatchdogNmi(now + nmiPeriod), c.id, ContextLevel.HARDIRQ, timerSource(c.id));
        if (c.cur.atomic.inNmi()) {
            // NMIs do not nest: while an NMI handler runs (or spins) the perf NMI is blocked, so
            // a CPU stuck in NMI context is never reported by this detector
            return;
        }
        if (hardTouched) {
            hardTouched = false;
            return;
        }
        if (hrtimerInterrupts != saved) {
            saved = hrtimerInterrupts;
            hardWarned = false;
            return;
        }
        if (hardWarned) {
            return;
        }
        hardWarned = true;
        List<String> details = new ArrayList<>();
        details.add("no timer interrupt on CPU#" + c.id + " since " + TimeFormat.format(lastTimerAt)
                + (c.cur.atomic.irqsDisabled() ? " (interrupts are disabled)" : ""));
        Cpu.Frame top = topFrame();
        c.reportLockup(ReportKind.HARD_LOCKUP, "watchdog: Watchdog detected hard LOCKUP on cpu " + c.id, top, hardOp(top),
                spinDetails(top, details), "hard lockup cpu " + c.id);
        if (settings.hardPanic()) {
            c.panic("Hard LOCKUP");
        }
    }

    private void reportSoft(long duration) {
        String secs = tsShift == 30 ? Long.toString(duration) : Long.toString(duration / 1_000_000_000L);
        String title = "watchdog: BUG: soft lockup - CPU#" + c.id + " stuck for " + secs + "s! [" + c.currentComm() + ":"
                + c.cur.pid + "]";
        List<String> details = new ArrayList<>();
        details.add("CPU#" + c.id + " last rescheduled at " + TimeFormat.format(touchedAt)
                + (stopperQueued ? "; the watchdog's stopper thread waits since " + TimeFormat.format(stopperQueuedAt) : ""));
        Cpu.Frame top = topFrame();
        c.reportLockup(ReportKind.SOFT_LOCKUP, title, top, op(top), spinDetails(top, details), "soft lockup cpu " + c.id);
        if (settings.softPanic()) {
            c.panic("softlockup: hung tasks");
        }
    }

    private Cpu.Frame topFrame() {
        Cpu.Frame top = c.frames.peek();
        return top != null ? top : c.cur.frame;
    }

    /** What the frame on top does, when it spins on a lock: since when, and who holds the lock. */
    private List<String> spinDetails(Cpu.Frame f, List<String> details) {
        if (f != null && f.spinSince >= 0 && f.waitingOn != null && f.waitingOn.startsWith("lock:")) {
            String lockName = f.waitingOn.substring(f.waitingOn.indexOf(':') + 1);
            KernelObjects.Lock lock = c.kernel().locks().get(lockName);
            String holder = lock == null || lock.ownerName() == null ? "nobody" : lock.ownerName();
            details.add(f.name() + " has spun on lock " + lockName + " since " + TimeFormat.format(f.spinSince));
            details.add("the lock is held by " + holder + (f.status == Cpu.Status.PREEMPTED ? "; the spinner is itself interrupted" : ""));
        }
        return details;
    }

    /** The op a lockup report names: the spin, or the frame that keeps the CPU. */
    static String op(Cpu.Frame f) {
        if (f == null) {
            return "idle";
        }
        if (f.spinSince >= 0 && f.waitingOn != null && f.waitingOn.startsWith("lock:")) {
            return "spin on " + f.waitingOn.substring(f.waitingOn.indexOf(':') + 1);
        }
        return "running without a reschedule";
    }

    /** The op a hard lockup report names: the spin, or the code that runs with interrupts off. */
    private String hardOp(Cpu.Frame f) {
        String op = op(f);
        return op.startsWith("spin on") || !c.cur.atomic.irqsDisabled() ? op : "running with interrupts disabled";
    }
}
