package dev.kctx.mechanisms.deferred;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.KernelCall;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kernel timers (kernel/time/timer.c) on a periodic tick: mod_timer arms a callback for a
 * jiffy; the tick interrupt raises TIMER_SOFTIRQ when one has expired and the soft IRQ runs the
 * callbacks, in soft IRQ context, where they must not sleep. The tick is the legacy "timer"
 * interrupt, line 0, on CPU 0 only: every timer fires there.
 */
public final class Timers {
    /** HZ = 1000. */
    public static final long TICK_NS = 1_000_000L;
    /** The work of the tick handler itself (update_process_times and friends), roughly. */
    public static final long TICK_COST_NS = 1_000L;

    /** One armed timer_list. */
    record Timer(String name, long expires, List<Op> callback) {
    }

    private final Map<String, Timer> armed = new TreeMap<>();

    private Timers() {
    }

    public static Timers of(KernelObjects k) {
        return k.extension(Timers.class, Timers::new);
    }

    /** Adds the tick (IRQ 0 "timer" on CPU 0, every jiffy) and the TIMER soft IRQ that runs expired callbacks. */
    public static MachineSpec.Builder install(MachineSpec.Builder b) {
        return b.irq("timer", 0, List.of(0), new Arrivals.Every(TICK_NS, -1, TICK_NS), Program.of(new Tick()))
                .softirq(SoftirqVector.TIMER, Program.of(new RunTimers()));
    }

    /**
     * mod_timer(timer, jiffies + delay): (re)arms {@code name} to run {@code callback} at the first
     * tick at least {@code delayNs} from now. Legal in any context.
     */
    public static void modTimer(Exec x, String name, long delayNs, List<Op> callback) {
        x.check(KernelCall.SPIN_LOCK, "mod_timer", name);
        long ticks = Math.max(1, (delayNs + TICK_NS - 1) / TICK_NS);
        long expires = (x.now() / TICK_NS + ticks) * TICK_NS;
        of(x.kernel()).armed.put(name, new Timer(name, expires, List.copyOf(callback)));
    }

    /** del_timer: true when the timer was pending. */
    public static boolean delTimer(Exec x, String name) {
        return of(x.kernel()).armed.remove(name) != null;
    }

    /** The tick's hard IRQ handler: run_local_timers raises TIMER_SOFTIRQ when a timer is due. */
    record Tick() implements Op {
        public Outcome execute(Exec x) {
            Timers t = of(x.kernel());
            if (t.armed.values().stream().anyMatch(tm -> tm.expires() <= x.now())) {
                x.raiseSoftirq(SoftirqVector.TIMER);
            }
            return new Outcome.Busy(TICK_COST_NS);
        }

        public String describe() {
            return "tick";
        }
    }

    /** run_timer_softirq: the expired callbacks, earliest first (name order within a jiffy). */
    record RunTimers() implements Op {
        public Outcome execute(Exec x) {
            Timers t = of(x.kernel());
            List<Timer> due = new ArrayList<>();
            for (Iterator<Timer> it = t.armed.values().iterator(); it.hasNext(); ) {
                Timer tm = it.next();
                if (tm.expires() <= x.now()) {
                    due.add(tm);
                    it.remove();
                }
            }
            due.sort((a, b) -> Long.compare(a.expires(), b.expires()));
            List<Op> ops = new ArrayList<>();
            for (Timer tm : due) {
                ops.add(new KernelStep("expire " + tm.name(), y -> y.trace("timer_expire_entry", "timer=" + tm.name())));
                ops.addAll(tm.callback());
            }
            return ops.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(ops);
        }

        public String describe() {
            return "run_timer_softirq";
        }
    }
}
