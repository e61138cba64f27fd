package dev.kctx.actors.program;

import java.util.Locale;

/** The ten soft IRQ vectors in the kernel's order (include/linux/interrupt.h); lower runs first. */
public enum SoftirqVector {
    HI, TIMER, NET_TX, NET_RX, BLOCK, IRQ_POLL, TASKLET, SCHED, HRTIMER, RCU;

    public int bit() {
        return 1 << ordinal();
    }

    public static SoftirqVector parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown soft IRQ vector '" + name + "'; expected one of "
                    + java.util.Arrays.toString(values()));
        }
    }
}
