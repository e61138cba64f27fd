package dev.kctx.actors;

import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.ProgramRunner;
import dev.kctx.actors.program.SoftirqVector;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A context's code and its place in it: the program runner(s) and the seeded generator of one
 * entity. The entity actor runs bursts of it when the CPU sends {@link ContextProtocol.Run}; with
 * {@code kctx.engine.inline-bursts} the CPU runs the same bursts itself, without the message
 * round trip. Either way exactly one party runs it at a time, and the outcome is the same.
 */
final class ContextCode {
    private final String name;
    private final SplittableRandom random;
    private final ProgramRunner single;
    private final Map<SoftirqVector, ProgramRunner> perVector;

    private ContextCode(String name, SplittableRandom random, ProgramRunner single, Map<SoftirqVector, ProgramRunner> perVector) {
        this.name = name;
        this.random = random;
        this.single = single;
        this.perVector = perVector;
    }

    static ContextCode of(String name, Program program, SplittableRandom random) {
        return new ContextCode(name, random, new ProgramRunner(program), Map.of());
    }

    /** The soft IRQ handlers of one CPU: one runner per vector. */
    static ContextCode softirqs(String name, Map<SoftirqVector, Program> handlers, SplittableRandom random) {
        Map<SoftirqVector, ProgramRunner> m = new EnumMap<>(SoftirqVector.class);
        handlers.forEach((v, p) -> m.put(v, new ProgramRunner(p)));
        return new ContextCode(name, random, null, m);
    }

    String name() {
        return name;
    }

    /**
     * One burst: restart for a fresh invocation, run the injected operations first, then the
     * program until an operation takes time, waits or ends. An exception in an operation becomes a
     * failed outcome that names the context, never a stuck round.
     */
    Outcome burst(ProgramRunner.BurstExec exec, boolean fresh, SoftirqVector vector, List<Op> inject) {
        try {
            ProgramRunner runner = single != null ? single : perVector.get(vector);
            if (runner == null) {
                throw new IllegalStateException("no handler for soft IRQ " + vector);
            }
            if (fresh) {
                runner.restart();
            }
            if (!inject.isEmpty()) {
                runner.inject(inject);
            }
            exec.bindRandom(random);
            return runner.burst(exec);
        } catch (RuntimeException e) {
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            return new Outcome.Failed(name + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + (at == null ? "" : " (at " + at + ")"));
        }
    }
}
