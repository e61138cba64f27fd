package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;
import org.HdrHistogram.Histogram;

/**
 * What one CPU did in a run: virtual time per context level and idle, preemptions, and the
 * latency histograms (nanoseconds) of interrupt arrival to handler entry, hard IRQ to the soft
 * IRQ it raised, and a soft-IRQ wake-up to the woken task running.
 */
public record CpuStats(int cpu, long[] levelNs, long idleNs, long irqPreemptions, long schedPreemptions,
                       long contextSwitches, long irqsHandled, long irqsMerged, long softirqVectorRuns,
                       long softirqsFromKsoftirqd, long ksoftirqdWakeups, Histogram irqLatency,
                       Histogram irqToSoftirq, Histogram softirqWakeToRun) {

    public long timeAt(ContextLevel level) {
        return levelNs[level.ordinal()];
    }
}
