package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.demo.TranscriptDemo;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.shell.Shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test support: a machine with some modules and one shell process running commands; returns the run. */
public final class Transcripts {
    /** Virtual time a test machine may run; runs end earlier once nothing is left to happen. */
    public static final long UNTIL_NS = 10_000_000_000L;

    private Transcripts() {
    }

    public static RunResult run(ActorTestKit kit, List<ModuleDef> modules, List<String> commands) {
        MachineSpec spec = MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(modules))
                .process("sh", 0, 0, shell(commands), 4242).build();
        return run(kit, spec);
    }

    /** One CPU, the modules on disk, and {@code body} as the shell process (pid 4242). */
    public static MachineSpec spec(List<ModuleDef> modules, Program body) {
        return MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(modules)).process("sh", 0, 0, body, 4242).build();
    }

    /** A demo's machine (seed 1), run to the end. */
    public static RunResult run(ActorTestKit kit, TranscriptDemo demo) {
        return run(kit, demo.spec(1));
    }

    /** Runs a machine on the test kit's actor system and checks that the model could go on to the end. */
    public static RunResult run(ActorTestKit kit, MachineSpec spec) {
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> m = kit.spawn(Machine.create(spec, true));
        m.tell(new Machine.Start(UNTIL_NS, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(30)).result();
        kit.stop(m);
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure().orElse(""));
        return r;
    }

    /** The body of a shell typing {@code commands}. */
    public static Program shell(List<String> commands) {
        Program.Builder b = Program.builder();
        for (String c : commands) {
            b.op(Shell.command(c));
        }
        return b.build();
    }

    /** A program made of shell commands (strings) and operations (Op or List of Op), in order. */
    public static Program program(Object... steps) {
        Program.Builder b = Program.builder();
        for (Object s : steps) {
            if (s instanceof String c) {
                b.op(Shell.command(c));
            } else if (s instanceof Op op) {
                b.op(op);
            } else if (s instanceof List<?> l) {
                l.forEach(o -> b.op((Op) o));
            } else {
                throw new IllegalArgumentException("not a step: " + s);
            }
        }
        return b.build();
    }

    /** Runs {@code spec} for {@code untilNs} of virtual time; the run must complete. */
    public static RunResult run(ActorTestKit kit, MachineSpec spec, long untilNs) {
        return DemoRuns.run(kit, spec, untilNs);
    }

    /** The console with kernel-log timestamps removed, for exact comparison. */
    public static List<String> console(RunResult r) {
        return r.console().stream().map(l -> l.replaceFirst("^\\[ *\\d+\\.\\d{6}\\] ", "")).toList();
    }

    /** The kernel log lines without timestamps. */
    public static List<String> dmesg(RunResult r) {
        return r.dmesg().stream().map(l -> l.replaceFirst("^\\[ *\\d+\\.\\d{6}\\] ", "")).toList();
    }

    /** Virtual time (ns, at microsecond resolution) of the first kernel log line containing {@code text}; -1 if none. */
    public static long logTime(RunResult r, String text) {
        for (String l : r.dmesg()) {
            if (l.contains(text)) {
                String[] p = l.substring(1, l.indexOf(']')).trim().split("\\.");
                return (Long.parseLong(p[0]) * 1_000_000 + Long.parseLong(p[1])) * 1000;
            }
        }
        return -1;
    }

    /** The trace records of one event. */
    public static List<TraceRecord> events(RunResult r, String event) {
        List<TraceRecord> out = new ArrayList<>();
        for (TraceRecord t : r.trace()) {
            if (t.event().equals(event)) {
                out.add(t);
            }
        }
        return out;
    }
}
