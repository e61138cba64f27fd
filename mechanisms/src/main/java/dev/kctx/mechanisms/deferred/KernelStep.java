package dev.kctx.mechanisms.deferred;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;

import java.util.function.Consumer;

/**
 * A step of kernel code written in Java (a timer callback's body, a work function): it runs at
 * the current instant in whatever context executes it, with that context's {@link Exec}, so the
 * calls it makes pass the gate as that context.
 */
public record KernelStep(String name, Consumer<Exec> body) implements Op {
    public Outcome execute(Exec x) {
        body.accept(x);
        return Outcome.Next.INSTANCE;
    }

    public String describe() {
        return name;
    }
}
