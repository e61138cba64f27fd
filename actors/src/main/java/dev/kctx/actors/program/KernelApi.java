package dev.kctx.actors.program;

import dev.kctx.contexts.AtomicState;
import dev.kctx.contexts.ContextLevel;

import java.util.List;

/**
 * What a Java handler sees: read access to its context (time, CPU, level, atomic state) and the
 * operation vocabulary, whose calls are queued and run right after the handler returns, in the
 * same context and through the same gate as a written program.
 */
public final class KernelApi extends OpsBuilder<KernelApi> {
    private final Exec exec;

    KernelApi(Exec exec) {
        this.exec = exec;
    }

    public long now() {
        return exec.now();
    }

    public int cpu() {
        return exec.cpu();
    }

    public ContextLevel level() {
        return exec.level();
    }

    public String contextName() {
        return exec.contextName();
    }

    public boolean inAtomic() {
        return exec.atomic().inAtomic();
    }

    public boolean inInterrupt() {
        return exec.atomic().inInterrupt();
    }

    /** A copy-free view of the atomic state; handlers must not change it directly. */
    public AtomicState atomicView() {
        return exec.atomic();
    }

    public java.util.SplittableRandom random() {
        return exec.random();
    }

    List<Op> queued() {
        return List.copyOf(ops());
    }
}
