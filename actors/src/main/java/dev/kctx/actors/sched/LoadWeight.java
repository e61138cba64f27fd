package dev.kctx.actors.sched;

/**
 * Load weights and the fixed-point scaling of virtual time: sched_prio_to_weight and
 * sched_prio_to_wmult of kernel/sched/core.c, and __calc_delta / calc_delta_fair of
 * kernel/sched/fair.c, to the bit (64-bit kernel: scale_load_down gives the table's values).
 */
public final class LoadWeight {
    /** NICE_0_LOAD after scale_load_down. */
    public static final long NICE_0_LOAD = 1024;
    /** WEIGHT_IDLEPRIO and WMULT_IDLEPRIO: the weight of a SCHED_IDLE task. */
    public static final long WEIGHT_IDLEPRIO = 3;
    static final int WMULT_IDLEPRIO = 1431655765;

    /** sched_prio_to_weight[nice + 20]. */
    private static final int[] WEIGHT = {
            88761, 71755, 56483, 46273, 36291,
            29154, 23254, 18705, 14949, 11916,
            9548, 7620, 6100, 4904, 3906,
            3121, 2501, 1991, 1586, 1277,
            1024, 820, 655, 526, 423,
            335, 272, 215, 172, 137,
            110, 87, 70, 56, 45,
            36, 29, 23, 18, 15,
    };

    /** sched_prio_to_wmult[nice + 20]: 2^32 / weight. */
    private static final int[] WMULT = {
            48388, 59856, 76040, 92818, 118348,
            147320, 184698, 229616, 287308, 360437,
            449829, 563644, 704093, 875809, 1099582,
            1376151, 1717300, 2157191, 2708050, 3363326,
            4194304, 5237765, 6557202, 8165337, 10153587,
            12820798, 15790321, 19976592, 24970740, 31350126,
            39045157, 49367440, 61356676, 76695844, 95443717,
            119304647, 148102320, 186737708, 238609294, 286331153,
    };

    private LoadWeight() {
    }

    /** The weight of a fair task with these attributes (set_load_weight). */
    public static long weight(SchedAttr a) {
        return a.policy() == Policy.IDLE ? WEIGHT_IDLEPRIO : WEIGHT[a.nice() + 20];
    }

    /** The inverse weight (2^32 / weight) the kernel multiplies by. */
    static int inverse(SchedAttr a) {
        return a.policy() == Policy.IDLE ? WMULT_IDLEPRIO : WMULT[a.nice() + 20];
    }

    /** sched_prio_to_weight[nice + 20]. */
    public static long ofNice(int nice) {
        return WEIGHT[nice + 20];
    }

    /**
     * calc_delta_fair: {@code delta} of real time in virtual time for an entity of this weight,
     * delta * NICE_0_LOAD / weight, computed as __calc_delta does (multiply by the inverse weight,
     * shift back); unchanged for a nice-0 weight.
     */
    public static long calcDeltaFair(long delta, long weight, int inverse) {
        if (weight == NICE_0_LOAD) {
            return delta;
        }
        long fact = NICE_0_LOAD * (inverse & 0xFFFF_FFFFL);
        int shift = 32;
        while ((fact >>> 32) != 0) {
            fact >>>= 1;
            shift--;
        }
        return mulShr(delta, fact, shift);
    }

    /** mul_u64_u32_shr: (a * mul) >> shift with a 128-bit product (a, mul non-negative). */
    static long mulShr(long a, long mul, int shift) {
        long lo = a * mul;
        long hi = Math.multiplyHigh(a, mul);
        if (shift == 0) {
            return lo;
        }
        return (hi << (64 - shift)) | (lo >>> shift);
    }
}
