package dev.kctx.actors.trace;

/**
 * One trace event as ftrace records it: CPU, virtual time, the current task, the context flags
 * and the event with its arguments. {@code subject} is the event's main number (IRQ line, soft
 * IRQ vector, pid woken or switched to) for analysis without parsing the text.
 */
public record TraceRecord(long timeNs, int cpu, String comm, int pid, int flags, String event, String args,
                          int subject) {

    public static final int IRQS_OFF = 1;
    public static final int BH_OFF = 2;
    public static final int NEED_RESCHED = 4;
    public static final int HARDIRQ = 8;
    public static final int SOFTIRQ = 16;
    /** Bits 8..11 hold the preempt depth (0..15). */
    public static final int DEPTH_SHIFT = 8;

    public static int flags(boolean irqsOff, boolean bhOff, boolean needResched, boolean hardirq, boolean softirq,
                            int preemptDepth) {
        return (irqsOff ? IRQS_OFF : 0) | (bhOff ? BH_OFF : 0) | (needResched ? NEED_RESCHED : 0)
                | (hardirq ? HARDIRQ : 0) | (softirq ? SOFTIRQ : 0) | (Math.min(preemptDepth, 15) << DEPTH_SHIFT);
    }

    /** ftrace's latency-format flags column, e.g. {@code d.h1.}. */
    public String flagsColumn() {
        char[] c = new char[5];
        boolean irqsOff = (flags & IRQS_OFF) != 0;
        boolean bhOff = (flags & BH_OFF) != 0;
        c[0] = irqsOff && bhOff ? 'D' : irqsOff ? 'd' : bhOff ? 'b' : '.';
        c[1] = (flags & NEED_RESCHED) != 0 ? 'N' : '.';
        boolean hard = (flags & HARDIRQ) != 0;
        boolean soft = (flags & SOFTIRQ) != 0;
        c[2] = hard && soft ? 'H' : hard ? 'h' : soft ? 's' : '.';
        int depth = (flags >> DEPTH_SHIFT) & 0xf;
        c[3] = depth == 0 ? '.' : Character.forDigit(depth, 16);
        c[4] = '.';
        return new String(c);
    }
}
