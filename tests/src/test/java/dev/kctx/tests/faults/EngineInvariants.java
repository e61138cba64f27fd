package dev.kctx.tests.faults;

import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Sleeper;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.actors.program.TaskInfo;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import dev.kctx.tests.properties.ConservationLaw;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's own invariants after a run with faults (Caffeine style: checked at the end of every
 * fault test), each broken one a line starting with its name:
 * <ul>
 * <li>{@code dead-task-quiet}: after a task's sched_process_exit nothing runs as it, wakes it or switches to it;</li>
 * <li>{@code lock-owner-alive}: no lock is held by a task that exited;</li>
 * <li>{@code idle-clean}: whenever a CPU runs its idle task outside interrupts, preemption, IRQs and bottom halves are enabled;</li>
 * <li>{@code fds-released}: no socket of an exited process is open, and with every process gone no module is in use;</li>
 * <li>{@code conservation}: every mechanism's counters obey sent = delivered + dropped + in flight.</li>
 * <li>{@code wait-list-asleep}: every task a mutex, semaphore or wait queue lists as waiting is asleep in that very
 * wait: not woken since (a signal that ended the wait took it off), not exited;</li>
 * <li>{@code semaphore-idle-units}: a semaphore with units left (count &gt; 0) has no sleepers.</li>
 * </ul>
 */
final class EngineInvariants {
    private EngineInvariants() {
    }

    static List<String> check(RunResult r, KernelObjects k, List<Integer> pids) {
        List<String> bad = new ArrayList<>();
        Map<Integer, Long> exitAt = new HashMap<>();
        for (TraceRecord e : r.trace()) {
            if (e.event().equals("sched_process_exit")) {
                exitAt.put(e.subject(), e.timeNs());
            }
        }
        for (TraceRecord e : r.trace()) {
            for (var x : exitAt.entrySet()) {
                boolean after = e.timeNs() > x.getValue();
                // a wake-up's subject is the task woken, a switch's the task switched to
                boolean involves = e.pid() == x.getKey()
                        || (e.event().equals("sched_wakeup") || e.event().equals("sched_switch")) && e.subject() == x.getKey();
                if (after && involves) {
                    bad.add("dead-task-quiet: pid " + x.getKey() + " exited at " + x.getValue() + " ns, then: " + e.timeNs() + " "
                            + e.event() + " " + e.args());
                }
            }
            if (e.pid() == 0 && (e.flags() & (TraceRecord.HARDIRQ | TraceRecord.SOFTIRQ)) == 0 && !e.event().equals("sched_switch")
                    && ((e.flags() >> TraceRecord.DEPTH_SHIFT & 0xf) != 0 || (e.flags() & (TraceRecord.IRQS_OFF | TraceRecord.BH_OFF)) != 0)) {
                bad.add("idle-clean: the idle task with " + e.flagsColumn() + " at " + e.timeNs() + " ns on CPU " + e.cpu() + ": "
                        + e.event() + " " + e.args());
            }
        }
        boolean allGone = true;
        for (int pid : pids) {
            TaskInfo t = k.task(pid);
            if (t == null || !t.exited()) {
                allGone = false;
                continue;
            }
            for (var l : k.locks().values()) {
                if (l.held() && l.ownerName() != null && l.ownerName().matches("(process|kthread) " + t.comm() + "( .*)?")) {
                    bad.add("lock-owner-alive: " + l.name() + " is held by " + l.ownerName() + ", which exited");
                }
            }
            for (MechanismSnapshot s : NetCounters.get(k).snapshot()) {
                for (SocketSnapshot so : s.sockets()) {
                    if (so.owner() == pid && so.open()) {
                        bad.add("fds-released: " + so.name() + " of pid " + pid + " is still open after it exited");
                    }
                }
            }
        }
        Modules modules = k.extension(Modules.class, () -> new Modules(List.of()));
        for (String m : modules.loadedNames()) {
            if (allGone && modules.get(m).refcnt() != 0) {
                bad.add("fds-released: module " + m + " is in use (" + modules.get(m).refcnt() + ") with every process gone");
            }
        }
        for (MechanismSnapshot s : NetCounters.get(k).snapshot()) {
            bad.addAll(ConservationLaw.check(s));
        }
        bad.addAll(waitLists(k));
        return bad;
    }

    /** The wait-list invariants alone, on the kernel objects as they are now. */
    static List<String> waitLists(KernelObjects k) {
        List<String> bad = new ArrayList<>();
        for (KernelObjects.Lock l : k.locks().values()) {
            for (WaitHandle h : l.sleepers()) {
                notAsleep(k, "lock " + l.name(), h).ifPresent(bad::add);
            }
            if (l.type() == KernelObjects.LockType.SEMAPHORE && l.count() > 0 && !l.sleepers().isEmpty()) {
                bad.add("semaphore-idle-units: " + l.name() + " has count " + l.count() + " and " + l.sleepers().size()
                        + " sleeper(s)");
            }
        }
        for (KernelObjects.WaitQueue q : k.waitQueues().values()) {
            for (WaitHandle h : q.waiters()) {
                notAsleep(k, "wait queue " + q.name(), h).ifPresent(bad::add);
            }
        }
        return bad;
    }

    private static java.util.Optional<String> notAsleep(KernelObjects k, String list, WaitHandle h) {
        if (!(h.waiter() instanceof Sleeper s) || s.asleepWith(h.token())) {
            return java.util.Optional.empty();
        }
        TaskInfo t = k.task(s.sleeperPid());
        String why = t != null && t.exited() ? "which exited" : "which is not asleep in that wait";
        return java.util.Optional.of("wait-list-asleep: " + list + " lists pid " + s.sleeperPid() + ", " + why);
    }
}
