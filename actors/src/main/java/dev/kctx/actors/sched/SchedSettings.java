package dev.kctx.actors.sched;

/**
 * The scheduler's tunables for one machine.
 *
 * @param hz             CONFIG_HZ: the tick rate; TICK_NSEC = 1e9 / hz (Debian's kernels: 250)
 * @param baseSliceNs    sysctl_sched_base_slice as update_sysctl (kernel/sched/fair.c) leaves it: 0.75 ms times
 *                       1 + ilog2(min(cpus, 8)) by default (SCHED_TUNABLESCALING_LOG)
 * @param rtRuntimeNs    sched_rt_runtime_us in ns, or -1 for no RT throttling (RUNTIME_INF; kernel/sched/rt.c,
 *                       sched_rt_runtime_exceeded)
 * @param rtPeriodNs     sched_rt_period_us in ns
 */
public record SchedSettings(int hz, long baseSliceNs, long rtRuntimeNs, long rtPeriodNs) {
    /** sysctl_sched_base_slice before scaling (normalized_sysctl_sched_base_slice): 0.75 ms. */
    public static final long NORMALIZED_BASE_SLICE_NS = 750_000L;
    /** The kernel's defaults: sched_rt_runtime_us 950000 of sched_rt_period_us 1000000. */
    public static final long DEFAULT_RT_RUNTIME_NS = 950_000_000L;
    public static final long DEFAULT_RT_PERIOD_NS = 1_000_000_000L;
    public static final int DEFAULT_HZ = 250;

    public SchedSettings {
        if (hz != 100 && hz != 250 && hz != 300 && hz != 1000) {
            throw new IllegalArgumentException("hz must be one of CONFIG_HZ's values 100, 250, 300, 1000, not " + hz);
        }
        if (baseSliceNs < 100_000L || baseSliceNs > 100_000_000L) {
            // kctx's own bounds: 6.6's debugfs base_slice_ns takes any u32; below a tenth of a millisecond or above
            // 100 ms the model would only measure its own event overhead or never switch within a run
            throw new IllegalArgumentException("the base slice must be between 0.1 ms and 100 ms, not " + baseSliceNs + "ns");
        }
        if (rtPeriodNs <= 0) {
            throw new IllegalArgumentException("sched_rt_period must be positive");
        }
        if (rtRuntimeNs != -1 && (rtRuntimeNs < 0 || rtRuntimeNs > rtPeriodNs)) {
            throw new IllegalArgumentException("sched_rt_runtime must be -1 (no throttling) or between 0 and the period");
        }
    }

    /** The defaults for a machine with {@code cpus} CPUs. */
    public static SchedSettings defaults(int cpus) {
        return new SchedSettings(DEFAULT_HZ, defaultBaseSlice(cpus), DEFAULT_RT_RUNTIME_NS, DEFAULT_RT_PERIOD_NS);
    }

    /** get_update_sysctl_factor with SCHED_TUNABLESCALING_LOG: 0.75 ms * (1 + ilog2(min(cpus, 8))). */
    public static long defaultBaseSlice(int cpus) {
        int n = Math.min(cpus, 8);
        int ilog2 = 31 - Integer.numberOfLeadingZeros(n);
        return NORMALIZED_BASE_SLICE_NS * (1 + ilog2);
    }

    /** TICK_NSEC. */
    public long tickNs() {
        return 1_000_000_000L / hz;
    }

    /** sched_rr_timeslice in ticks: RR_TIMESLICE = 100 ms * HZ / 1000. */
    public int rrTimesliceTicks() {
        return Math.max(1, 100 * hz / 1000);
    }

    public boolean rtThrottling() {
        return rtRuntimeNs >= 0 && rtRuntimeNs < rtPeriodNs;
    }

    public SchedSettings withHz(int h) {
        return new SchedSettings(h, baseSliceNs, rtRuntimeNs, rtPeriodNs);
    }

    public SchedSettings withBaseSlice(long ns) {
        return new SchedSettings(hz, ns, rtRuntimeNs, rtPeriodNs);
    }

    public SchedSettings withRtRuntime(long ns) {
        return new SchedSettings(hz, baseSliceNs, ns, rtPeriodNs);
    }

    public SchedSettings withRtPeriod(long ns) {
        return new SchedSettings(hz, baseSliceNs, rtRuntimeNs, ns);
    }
}
