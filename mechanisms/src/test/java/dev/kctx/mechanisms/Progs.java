package dev.kctx.mechanisms;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.FileCalls;
import dev.kctx.mechanisms.user.Sys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Test support: programs from operations and operation lists, machines with modules and programs on disk. */
public final class Progs {
    private Progs() {
    }

    /** The operations of {@code parts} (each an Op or a List of Ops), flattened in order. */
    public static List<Op> ops(Object... parts) {
        List<Op> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Op op) {
                out.add(op);
            } else if (p instanceof List<?> l) {
                l.forEach(o -> out.add((Op) o));
            } else {
                throw new IllegalArgumentException("not an op: " + p);
            }
        }
        return out;
    }

    public static Program program(Object... parts) {
        return new Program(ops(parts), 1);
    }

    /** printf of a fixed line. */
    public static Op say(String line) {
        return FileCalls.printf(x -> line);
    }

    public static Op say(Function<Exec, String> line) {
        return FileCalls.printf(line);
    }

    /** nanosleep(2). */
    public static List<Op> sleep(long ns) {
        return List.of(new Ops.SysEnter("nanosleep"), new Ops.Nanosleep(ns), new Ops.SysExit("nanosleep", 0));
    }

    /** setuid(2), as a step at the start of a program. */
    public static List<Op> setuid(int uid) {
        return Sys.call("setuid", c -> {
            c.cred().setuid(uid);
            return dev.kctx.mechanisms.vfs.IoResult.Done.of(0);
        });
    }

    /** A machine with these modules and programs on disk, and nothing running yet. */
    public static MachineSpec.Builder machine(int cpus, List<ModuleDef> modules, Map<String, Executables.Image> programs) {
        return MachineSpec.builder().cpus(cpus).boot(Modules.class, () -> new Modules(modules))
                .boot(Executables.class, () -> new Executables(programs));
    }

    /** The arguments of every trace event named {@code event}, in time order. */
    public static List<String> events(RunResult r, String event) {
        return r.trace().stream().filter(t -> t.event().equals(event)).map(TraceRecord::args).toList();
    }

    /** The console lines, kernel-log timestamps removed. */
    public static List<String> console(RunResult r) {
        return Transcripts.console(r);
    }
}
