package dev.kctx.actors.program;

import java.util.List;

/**
 * A context's body: operations run in order, {@code repeat} times (negative: forever).
 */
public record Program(List<Op> ops, long repeat) {

    public Program {
        ops = List.copyOf(ops);
        if (repeat == 0) {
            throw new IllegalArgumentException("repeat must be positive, or negative for forever");
        }
    }

    /** True when a Java handler ({@link Ops.Java}) appears anywhere in the program, loops included. */
    public boolean hasJavaHandler() {
        return hasJava(ops);
    }

    private static boolean hasJava(List<Op> list) {
        for (Op op : list) {
            if (op instanceof Ops.Java || (op instanceof Ops.Loop l && hasJava(l.body()))
                    || (op instanceof Ops.SpinTrylock t && (hasJava(t.then()) || hasJava(t.otherwise())))) {
                return true;
            }
        }
        return false;
    }

    public static Program of(Op... ops) {
        return new Program(List.of(ops), 1);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * True when the program is valid for a user process: outside system calls only user-mode
     * operations, system calls entered only from user mode and left only from the kernel, and
     * every system call entered is left again.
     */
    public boolean userModeOnly() {
        return walkUserMode(ops, false) == Boolean.FALSE;
    }

    /** Returns the kernel-mode flag after {@code list}, or null when an op runs in the wrong mode. */
    private static Boolean walkUserMode(List<Op> list, boolean inKernel) {
        boolean k = inKernel;
        for (Op op : list) {
            if (op.entersKernel()) {
                if (k) {
                    return null;
                }
                k = true;
            } else if (op.leavesKernel()) {
                if (!k) {
                    return null;
                }
                k = false;
            } else if (op instanceof Ops.Loop loop) {
                Boolean after = walkUserMode(loop.body(), k);
                if (after == null || after != k) {
                    return null;
                }
            } else if (!k && !op.userMode()) {
                return null;
            }
        }
        return k;
    }

    /** Builds a program fluently: {@code Program.builder().compute(us(5)).raiseSoftirq(NET_RX).build()}. */
    public static final class Builder extends OpsBuilder<Builder> {
        private long repeat = 1;

        private Builder() {
        }

        public Builder repeat(long times) {
            this.repeat = times;
            return this;
        }

        public Builder forever() {
            this.repeat = -1;
            return this;
        }

        public Program build() {
            return new Program(ops(), repeat);
        }
    }
}
