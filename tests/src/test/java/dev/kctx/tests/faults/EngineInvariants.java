package dev.kctx.tests.faults;

import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.KernelObjects;
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
        return bad;
    }
}
