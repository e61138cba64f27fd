package dev.kctx.contexts;

/**
 * Lock-class usage bits, numbered as lockdep numbers them (lockdep_internals.h): bit 0 says read,
 * bit 1 says "IRQs enabled" as opposed to "used in IRQ", the bits above it the IRQ state
 * (HARDIRQ, then SOFTIRQ). The mask helpers mirror exclusive_bit, exclusive_mask and friends in
 * kernel/locking/lockdep.c.
 */
final class LockUsage {
    static final int USED_IN_HARDIRQ = 0;
    static final int USED_IN_HARDIRQ_READ = 1;
    static final int ENABLED_HARDIRQ = 2;
    static final int ENABLED_HARDIRQ_READ = 3;
    static final int USED_IN_SOFTIRQ = 4;
    static final int USED_IN_SOFTIRQ_READ = 5;
    static final int ENABLED_SOFTIRQ = 6;
    static final int ENABLED_SOFTIRQ_READ = 7;
    static final int USED = 8;
    static final int USED_READ = 9;
    static final int BITS = 10;

    static final int READ_MASK = 1;
    static final int DIR_MASK = 2;
    private static final int STATE_MASK = ~(READ_MASK | DIR_MASK);

    /** The write variants of every IRQ usage (lockdep's LOCKF_IRQ). */
    static final int F_IRQ = flag(USED_IN_HARDIRQ) | flag(ENABLED_HARDIRQ) | flag(USED_IN_SOFTIRQ) | flag(ENABLED_SOFTIRQ);
    static final int F_IRQ_READ = F_IRQ << READ_MASK;
    static final int F_USED_IN_ALL = flag(USED_IN_HARDIRQ) | flag(USED_IN_HARDIRQ_READ) | flag(USED_IN_SOFTIRQ)
            | flag(USED_IN_SOFTIRQ_READ);
    static final int F_ENABLED_ALL = F_USED_IN_ALL << DIR_MASK;

    private static final String[] STATES = {"HARDIRQ", "SOFTIRQ"};

    private LockUsage() {
    }

    static int flag(int bit) {
        return 1 << bit;
    }

    static boolean isRead(int bit) {
        return (bit & READ_MASK) != 0;
    }

    static boolean isEnabled(int bit) {
        return (bit & DIR_MASK) != 0;
    }

    /** usage_str: {@code IN-HARDIRQ-W}, {@code SOFTIRQ-ON-R}, {@code INITIAL USE}, {@code IN-NMI} for {@link #BITS}. */
    static String name(int bit) {
        if (bit == USED) {
            return "INITIAL USE";
        }
        if (bit == USED_READ) {
            return "INITIAL READ USE";
        }
        if (bit == BITS) {
            // usage_str[LOCK_USAGE_STATES]: the state verify_lock_unused reports
            return "IN-NMI";
        }
        String state = STATES[bit >> 2];
        String rw = isRead(bit) ? "R" : "W";
        return isEnabled(bit) ? state + "-ON-" + rw : "IN-" + state + "-" + rw;
    }

    /** state_name: {@code HARDIRQ}, or {@code HARDIRQ-READ} for a read bit. */
    static String stateName(int bit) {
        String state = STATES[bit >> 2];
        return isRead(bit) ? state + "-READ" : state;
    }

    /** exclusive_bit: same state, the other direction, write. */
    static int exclusiveBit(int bit) {
        return (bit & STATE_MASK) | ((bit & DIR_MASK) ^ DIR_MASK);
    }

    /** invert_dir_mask: every USED_IN becomes ENABLED and back. */
    static int invertDirMask(int mask) {
        return ((mask & F_ENABLED_ALL) >> DIR_MASK) | ((mask & F_USED_IN_ALL) << DIR_MASK);
    }

    /**
     * exclusive_mask: the usages that conflict with {@code mask} across a dependency. Read and write
     * variants both conflict (a read IN-IRQ against a read IRQ-ON can deadlock too), so both are set.
     */
    static int exclusiveMask(int mask) {
        int excl = invertDirMask(mask);
        excl |= (excl & F_IRQ_READ) >> READ_MASK;
        excl |= (excl & F_IRQ) << READ_MASK;
        return excl;
    }

    /** original_mask: the usages to which {@code mask} could be exclusive; the inverse of exclusiveMask. */
    static int originalMask(int mask) {
        return exclusiveMask(mask);
    }

    /**
     * find_exclusive_match: the first bit of {@code mask} whose exclusive bit (write, else read) is in
     * {@code exclMask}, as {@code {bit, exclusiveBit}}; null when there is none.
     */
    static int[] exclusiveMatch(int mask, int exclMask) {
        for (int bit = 0; bit < USED; bit++) {
            if ((mask & flag(bit)) == 0) {
                continue;
            }
            int excl = exclusiveBit(bit);
            if ((exclMask & flag(excl)) != 0) {
                return new int[] {bit, excl};
            }
            if ((exclMask & flag(excl | READ_MASK)) != 0) {
                return new int[] {bit, excl | READ_MASK};
            }
        }
        return null;
    }

    /**
     * get_usage_chars: two characters per state (write, then read): {@code .} never in IRQ and only
     * with IRQs off, {@code -} in IRQ, {@code +} with IRQs on, {@code ?} both. E.g. {@code {+.-.}}.
     */
    static String chars(int mask) {
        StringBuilder sb = new StringBuilder("{");
        for (int state = 0; state < STATES.length; state++) {
            sb.append(usageChar(mask, state * 4));
            sb.append(usageChar(mask, state * 4 + READ_MASK));
        }
        return sb.append('}').toString();
    }

    private static char usageChar(int mask, int usedInBit) {
        boolean enabled = (mask & flag(usedInBit + DIR_MASK)) != 0;
        boolean usedIn = (mask & flag(usedInBit)) != 0;
        if (enabled) {
            return usedIn ? '?' : '+';
        }
        return usedIn ? '-' : '.';
    }
}
