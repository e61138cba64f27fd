package dev.kctx.mechanisms.params;

import dev.kctx.mechanisms.mmap.Mm;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.ParamDef;
import dev.kctx.mechanisms.module.ParamType;

import java.util.List;

/**
 * The seed's printvma module: {@code module_param(pid_mem, int, PERM)}, and an init function that
 * logs the pid it was given and looks the task up (for_each_process). The seed builds it twice,
 * with perm 0 (no file under /sys/module/printvma/parameters) and with S_IRUSR|S_IRGRP|S_IROTH;
 * kctx has both builds side by side, {@code printvma.ko} and {@code 0444/printvma.ko}, and a
 * writable one, {@code 0644/printvma.ko}.
 * <p>
 * For the task it finds (for_each_process through the machine's address spaces, {@link Mm.Table})
 * it prints the task's name and pid, then print_mem: "This mm_struct has N vmas.", each area's
 * start and end, and the code, data and stack boundaries ({@link Mm#printvmaLines}). The seed's
 * strings begin with a newline; kctx's log keeps the lines without it. The seed walks
 * mm->mmap, a list Linux 6.1 replaced with the maple tree; for_each_vma gives the same order.
 */
public final class PrintVma {
    public static final String NAME = "printvma";

    private PrintVma() {
    }

    /** The build with {@code perm} for pid_mem: file printvma.ko for 0, else PERM/printvma.ko (e.g. 0444/printvma.ko). */
    public static ModuleDef module(int perm) {
        ModuleDef d = new ModuleDef(NAME, List.of(new ParamDef("pid_mem", ParamType.INT, perm, 1L)), PrintVma::init,
                m -> m.printk("Print segment information module exiting."));
        return perm == 0 ? d : d.withFile(String.format("%04o/%s.ko", perm, NAME));
    }

    /** The three builds the params demo uses: perm 0, 0444 and 0644. */
    public static List<ModuleDef> builds() {
        return List.of(module(0), module(0444), module(0644));
    }

    private static int init(ModuleCtx m) {
        long pid = m.paramLong("pid_mem");
        m.printk("Got the process id to look up as " + pid);
        if (pid == m.ctx().pid()) {
            Mm.of(m.exec());
        }
        Mm mm = pid == (int) pid ? Mm.Table.of(m.ctx().kernel()).get((int) pid) : null;
        if (mm != null) {
            m.printk(mm.comm() + "[" + pid + "]");
            mm.printvmaLines().forEach(m::printk);
        }
        return 0;
    }
}
