package dev.kctx.mechanisms.sysctl;

import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;

import java.util.List;

/**
 * A module with its own sysctl table, /proc/sys/kctx, one entry per handler:
 * {@code threshold} (proc_dointvec_minmax, 0..100), {@code label} (proc_dostring, 16 bytes) and
 * {@code limits} (proc_dointvec over two ints). The table goes when the module unloads.
 */
public final class SysctlExample {
    public static final String NAME = "sysctl_example";

    private SysctlExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), SysctlExample::init, m -> m.printk(NAME + ": unregistered /proc/sys/kctx"));
    }

    private static int init(ModuleCtx m) {
        Sysctl.register(m, "kctx", List.of(
                CtlEntry.intMinmax("threshold", 0644, 0, 100, 50),
                CtlEntry.string("label", 0644, 16, "kctx"),
                CtlEntry.intvec("limits", 0644, 10, 20)));
        m.printk(NAME + ": registered /proc/sys/kctx");
        return 0;
    }
}
