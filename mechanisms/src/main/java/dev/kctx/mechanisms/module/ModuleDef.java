package dev.kctx.mechanisms.module;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * A module file (NAME.ko) the machine has: its parameters, its init function (returns 0 or
 * -errno, runs in insmod's process context) and its exit function (runs in rmmod's).
 * Registrations made through {@link ModuleCtx} are undone automatically after exit. {@code file}
 * is the path insmod is given ({@code NAME.ko} unless a rebuilt variant lives elsewhere, e.g.
 * {@code 0444/printvma.ko}).
 */
public record ModuleDef(String name, List<ParamDef> params, ToIntFunction<ModuleCtx> init, Consumer<ModuleCtx> exit,
                        String file) {
    public ModuleDef {
        params = List.copyOf(params);
        if (!name.matches("[A-Za-z0-9_]{1,55}")) {
            throw new IllegalArgumentException("bad module name '" + name + "': letters, digits and _ only");
        }
        if (file == null) {
            file = name + ".ko";
        }
        if (!file.endsWith(".ko") || file.startsWith("/") || file.contains("..")) {
            throw new IllegalArgumentException("bad module file '" + file + "': a relative path ending in .ko");
        }
    }

    public ModuleDef(String name, List<ParamDef> params, ToIntFunction<ModuleCtx> init, Consumer<ModuleCtx> exit) {
        this(name, params, init, exit, null);
    }

    /** The same module built into another file (a rebuild with other parameter permissions). */
    public ModuleDef withFile(String path) {
        return new ModuleDef(name, params, init, exit, path);
    }
}
