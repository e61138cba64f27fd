package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.Op;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The user programs a machine has, next to its modules (the seed's examples come as a .ko and a
 * small C program): the shell runs {@code ./NAME args} as the operations {@link Program#main}
 * returns. They run inside the shell's process (no fork), so comm and pid are the shell's. Boot
 * them with {@code MachineSpec.builder().boot(Binaries.class, () -> Binaries.of(p1, p2))}.
 */
public final class Binaries {

    /** A program: its file name and its main(argv) as operations. */
    public record Program(String name, Function<List<String>, List<Op>> main) {
        public Program {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("bad program name '" + name + "'");
            }
        }
    }

    private final Map<String, Program> programs = new LinkedHashMap<>();

    public static Binaries of(Program... ps) {
        Binaries b = new Binaries();
        for (Program p : ps) {
            if (b.programs.put(p.name(), p) != null) {
                throw new IllegalArgumentException("program " + p.name() + " is defined twice");
            }
        }
        return b;
    }

    /** The program at {@code path} ("./NAME" or "NAME"), or null. */
    public Program get(String path) {
        String n = path.startsWith("./") ? path.substring(2) : path;
        return programs.get(n);
    }
}
