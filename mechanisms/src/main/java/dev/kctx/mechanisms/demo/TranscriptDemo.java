package dev.kctx.mechanisms.demo;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.Report;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.shell.Shell;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A demo that replays a shell session on a simulated machine: the modules it may load and the
 * commands a root shell types. Its output is the console transcript ({@code # command} then what
 * the command printed, dmesg lines included), followed by the checkers' reports if there are any.
 * {@code machine} adds what the session needs besides the shell (programs on disk, kernel threads,
 * timers, more CPUs).
 */
public record TranscriptDemo(String name, String description, List<ModuleDef> modules, List<String> commands,
                             UnaryOperator<MachineSpec.Builder> machine) {
    /** Virtual time a transcript demo may take; the run ends earlier, once nothing is left to happen. */
    public static final long UNTIL_NS = 60_000_000_000L;

    public TranscriptDemo {
        modules = List.copyOf(modules);
        commands = List.copyOf(commands);
        commands.forEach(Shell::command);
    }

    public TranscriptDemo(String name, String description, List<ModuleDef> modules, List<String> commands) {
        this(name, description, modules, commands, UnaryOperator.identity());
    }

    /**
     * The machine: one CPU unless {@code machine} says otherwise, the modules on disk, one shell
     * process (pid 4242) typing the commands.
     */
    public MachineSpec spec(long seed) {
        Program.Builder b = Program.builder();
        commands.forEach(c -> b.op(Shell.command(c)));
        List<ModuleDef> mods = modules;
        MachineSpec.Builder m = MachineSpec.builder().name(name).cpus(1).seed(seed).boot(Modules.class, () -> new Modules(mods))
                .process("sh", 0, 0, b.build(), 4242);
        return machine.apply(m).build();
    }

    /** The transcript of a finished run, then each report as the kernel log would show it. */
    public static String transcript(RunResult r) {
        StringBuilder sb = new StringBuilder();
        r.console().forEach(l -> sb.append(l).append('\n'));
        for (Report rep : r.reports()) {
            sb.append("-- ").append(rep.kind().id()).append(" at ").append(dev.kctx.contexts.TimeFormat.format(rep.where().timeNs()))
                    .append(" --\n").append(rep.kernelText());
        }
        return sb.toString();
    }
}
