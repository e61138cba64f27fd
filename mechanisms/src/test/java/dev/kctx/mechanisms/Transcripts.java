package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.user.Shell;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test support: a machine with some modules and one shell process running commands; returns the run. */
public final class Transcripts {
    private Transcripts() {
    }

    public static RunResult run(ActorTestKit kit, List<ModuleDef> modules, List<String> commands) {
        Program.Builder b = Program.builder();
        for (String c : commands) {
            b.op(Shell.command(c));
        }
        MachineSpec spec = MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(modules))
                .process("sh", 0, 0, b.build(), 4242).build();
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> m = kit.spawn(Machine.create(spec, true));
        m.tell(new Machine.Start(1_000_000_000L, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(30)).result();
        kit.stop(m);
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure().orElse(""));
        return r;
    }

    /** Runs {@code spec} for {@code untilNs} of virtual time; the run must complete. */
    public static RunResult run(ActorTestKit kit, MachineSpec spec, long untilNs) {
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> m = kit.spawn(Machine.create(spec, true));
        m.tell(new Machine.Start(untilNs, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(60)).result();
        kit.stop(m);
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure().orElse(""));
        return r;
    }

    /** The console with kernel-log timestamps removed, for exact comparison. */
    public static List<String> console(RunResult r) {
        return r.console().stream().map(l -> l.replaceFirst("^\\[ *\\d+\\.\\d{6}\\] ", "")).toList();
    }
}
