package dev.kctx.contexts;

/**
 * The bit layout of the kernel's preempt_count (include/linux/preempt.h), so that printed counts
 * read the way a kernel log prints them.
 */
public final class PreemptCount {
    public static final int PREEMPT_OFFSET = 0x1;
    public static final int PREEMPT_MASK = 0xff;
    public static final int SOFTIRQ_OFFSET = 0x100;
    /** local_bh_disable adds twice SOFTIRQ_OFFSET, so "serving" and "disabled" stay apart. */
    public static final int SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET;
    public static final int SOFTIRQ_MASK = 0xff00;
    public static final int HARDIRQ_OFFSET = 0x10000;
    public static final int HARDIRQ_MASK = 0xf0000;
    /** nmi_enter adds NMI_OFFSET + HARDIRQ_OFFSET (include/linux/hardirq.h, __nmi_enter). */
    public static final int NMI_OFFSET = 0x100000;
    public static final int NMI_MASK = 0xf00000;

    private PreemptCount() {
    }

    public static String hex(int count) {
        return String.format("%08x", count);
    }
}
