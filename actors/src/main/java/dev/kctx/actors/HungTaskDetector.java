package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.TimeFormat;
import dev.kctx.contexts.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * khungtaskd, as kernel/hung_task.c of Linux 6.6 runs it. The thread (watchdog()) wakes every
 * check interval (hung_task_check_interval_secs, 0 by default, which means the timeout itself:
 * 120 s) and calls check_hung_uninterruptible_tasks: every task whose state is exactly
 * TASK_UNINTERRUPTIBLE (so not TASK_KILLABLE) goes through check_hung_task. A task never switched
 * out is skipped; a task whose context-switch count (nvcsw + nivcsw) moved since the last check
 * has the count and the time recorded; a task whose count has not moved for the timeout is
 * reported, "INFO: task COMM:PID blocked for more than N seconds.", N being the jiffies since
 * the recorded time over HZ, while sysctl_hung_task_warnings (10) lasts. So a task that enters D
 * just after one check is first reported two checks later, and again at every check after that.
 * With hung_task_panic the kernel panics after the report ("hung_task: blocked tasks").
 *
 * <p>kctx runs the check as a calendar event of CPU 0, not as a traced kernel thread of its own;
 * the CPUs are handled one after the other within an instant, so reading every task's state there
 * is deterministic.
 */
final class HungTaskDetector {
    private final Cpu c;
    private final MachineSpec.Watchdogs settings;
    private final Map<Integer, TaskControl> allTasks;
    private int warningsLeft;

    HungTaskDetector(Cpu c, MachineSpec.Watchdogs settings, Map<Integer, TaskControl> allTasks) {
        this.c = c;
        this.settings = settings;
        this.allTasks = allTasks;
        this.warningsLeft = settings.hungWarnings();
    }

    /** khungtaskd's first check, one interval after boot, when the check is on. */
    static void arm(Calendar calendar, MachineSpec.Watchdogs w) {
        if (w.hungTimeoutNs() > 0) {
            calendar.add(0, ContextLevel.KERNEL, source(), new Cpu.HungTaskCheck(w.hungTimeoutNs()));
        }
    }

    static int source() {
        return -2_000_000;
    }

    /** check_hung_uninterruptible_tasks, then the next wake-up. */
    void onCheck(long now) {
        long timeout = settings.hungTimeoutNs();
        c.post(new Cpu.HungTaskCheck(now + timeout), c.id, ContextLevel.KERNEL, source());
        List<TaskControl> tasks = new ArrayList<>(allTasks.values());
        tasks.sort((a, b) -> Integer.compare(a.pid, b.pid));
        for (TaskControl t : tasks) {
            if (t.state == 'D' && !t.killable) {
                check(t, now, timeout);
            }
        }
    }

    /** check_hung_task. */
    private void check(TaskControl t, long now, long timeout) {
        long switches = t.switches;
        if (switches == 0) {
            return;
        }
        if (switches != t.lastSwitchCount) {
            t.lastSwitchCount = switches;
            t.lastSwitchTime = now;
            return;
        }
        if (now < t.lastSwitchTime + timeout) {
            return;
        }
        if (warningsLeft == 0) {
            return;
        }
        if (warningsLeft > 0) {
            warningsLeft--;
        }
        long secs = (now - t.lastSwitchTime) / 1_000_000_000L;
        String title = "INFO: task " + t.comm + ":" + t.pid + " blocked for more than " + secs + " seconds.";
        List<String> details = List.of(
                "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
                "task:" + t.comm + " state:D pid:" + t.pid + " (" + (t.user ? "process" : "kernel thread")
                        + ", not switched out since " + TimeFormat.format(t.lastSwitchTime) + " or before)");
        Where where = new Where(t.cpu(), now, ContextLevel.KERNEL, "khungtaskd", t.comm, t.pid,
                "uninterruptible sleep in " + (t.frame == null ? t.contextName() : t.frame.name()));
        c.reportHungTask(title, t, where, details, "hung task " + t.comm + ":" + t.pid);
        if (settings.hungPanic()) {
            c.panic("hung_task: blocked tasks");
        }
    }
}
