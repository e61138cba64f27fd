package dev.kctx.mechanisms.demo;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.user.Shell;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A demo that replays a shell session on a simulated machine: the modules it may load, the
 * commands a root shell types, and whatever else the machine needs ({@code machine}: the programs
 * on its disk, kernel threads). Its output is the console transcript ({@code # command} then what
 * the command printed, dmesg lines included).
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
     * The machine: one CPU, the modules on disk, one shell process (pid 4242) typing the commands,
     * and whatever {@code machine} adds (user programs, interrupt lines, more processes).
     */
    public MachineSpec spec(long seed) {
        Program.Builder b = Program.builder();
        commands.forEach(c -> b.op(Shell.command(c)));
        List<ModuleDef> mods = modules;
        MachineSpec.Builder m = MachineSpec.builder().name(name).cpus(1).seed(seed).boot(Modules.class, () -> new Modules(mods));
        return machine.apply(m).process("sh", 0, 0, b.build(), 4242).build();
    }

    /** The transcript of a finished run. */
    public static String transcript(RunResult r) {
        StringBuilder sb = new StringBuilder();
        r.console().forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
