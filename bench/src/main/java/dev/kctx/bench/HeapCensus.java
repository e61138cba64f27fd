package dev.kctx.bench;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.bench.StandardWorkload;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap bytes per user process: the heap in use after a full GC while the machine is alive (its
 * actor system, CPUs, context actors, kernel objects and calendar; measured from the machine's own
 * progress callback half-way through the run), less the heap in use after a full GC before the
 * run, divided by the processes. The engine's fixed part is included, so small machines show a
 * high figure per process.
 */
public final class HeapCensus {
    /** One census: the workload, heap before and during the run, and the run's events. */
    public record Census(Params params, long before, long during, long events) {
        public long bytesPerProcess() {
            return (during - before) / params.processes();
        }

        public String line() {
            return String.format("heap census: %d CPUs, %d processes: %d bytes in use by the machine, %d bytes per process",
                    params.cpus(), params.processes(), during - before, bytesPerProcess());
        }
    }

    private HeapCensus() {
    }

    public static Census take(Params p, long virtualNs) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        mem.gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        long[] during = {-1};
        RunResult r = Simulation.run(StandardWorkload.spec(p), virtualNs, false, ConfigFactory.load(), t -> {
            if (during[0] < 0 && t >= virtualNs / 2) {
                mem.gc();
                during[0] = mem.getHeapMemoryUsage().getUsed();
            }
        });
        if (during[0] < 0) {
            throw new IllegalStateException("the run reported no progress past half-way; run it longer");
        }
        return new Census(p, before, during[0], r.events());
    }

    /** {@code HeapCensus CPUS PROCESSES [VIRTUAL_MS]}: one census, printed. */
    public static void main(String[] args) {
        Quiet.logs();
        Params p = Params.scaled(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        long ms = args.length > 2 ? Long.parseLong(args[2]) : 200;
        System.out.println(take(p, ms * 1_000_000L).line());
    }
}
