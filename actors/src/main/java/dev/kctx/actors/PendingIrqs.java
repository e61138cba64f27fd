package dev.kctx.actors;

import java.util.Arrays;

/**
 * The interrupts latched on one CPU and not yet taken, oldest first, at most one per line: a line
 * that fires again while its request is still pending is merged into it, as an interrupt
 * controller holds one request per vector until the CPU acknowledges it (the CPU counts the merge
 * in its statistics). A line is its source id. A CPU rarely has more than a couple pending, so two
 * short arrays scanned in order replace a linked hash map of boxed arrival times.
 */
final class PendingIrqs {
    private IrqLine[] lines = new IrqLine[4];
    private long[] arrivals = new long[4];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    /** True when {@code line} is pending. */
    boolean contains(IrqLine line) {
        for (int i = 0; i < size; i++) {
            if (lines[i].source() == line.source()) {
                return true;
            }
        }
        return false;
    }

    /** Latches {@code line}, arrived at {@code arrival}; false (and nothing changes) when it was pending already. */
    boolean add(IrqLine line, long arrival) {
        if (contains(line)) {
            return false;
        }
        if (size == lines.length) {
            lines = Arrays.copyOf(lines, 2 * size);
            arrivals = Arrays.copyOf(arrivals, 2 * size);
        }
        lines[size] = line;
        arrivals[size] = arrival;
        size++;
        return true;
    }

    /** The oldest pending line; only when not empty. */
    IrqLine firstLine() {
        return lines[0];
    }

    /** The oldest pending line's arrival; only when not empty. */
    long firstArrival() {
        return arrivals[0];
    }

    /** Removes the oldest pending line; only when not empty. */
    void removeFirst() {
        size--;
        System.arraycopy(lines, 1, lines, 0, size);
        System.arraycopy(arrivals, 1, arrivals, 0, size);
        lines[size] = null;
    }
}
