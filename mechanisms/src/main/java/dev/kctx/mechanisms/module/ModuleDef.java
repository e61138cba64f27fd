package dev.kctx.mechanisms.module;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * A module file (NAME.ko) the machine has: its parameters, its init function (returns 0 or
 * -errno, runs in insmod's process context) and its exit function (runs in rmmod's).
 * Registrations made through {@link ModuleCtx} are undone automatically after exit.
 */
public record ModuleDef(String name, List<ParamDef> params, ToIntFunction<ModuleCtx> init, Consumer<ModuleCtx> exit) {
    public ModuleDef {
        params = List.copyOf(params);
        if (!name.matches("[A-Za-z0-9_]{1,55}")) {
            throw new IllegalArgumentException("bad module name '" + name + "': letters, digits and _ only");
        }
    }
}
