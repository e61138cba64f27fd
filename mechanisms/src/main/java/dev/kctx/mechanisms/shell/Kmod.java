package dev.kctx.mechanisms.shell;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * kmod's rmmod and modprobe (kmod-project/kmod tools/rmmod.c, tools/modprobe.c, libkmod): the
 * module name a user types is normalised first (libkmod's modname_normalize: '-' becomes '_',
 * and the name ends at the first '.'), so {@code rmmod char-dev-driver} and
 * {@code rmmod char_dev_driver.ko} both name char_dev_driver; the kernel's delete_module
 * compares names exactly. Before asking the kernel, rmmod reads the module's sysfs directory
 * (check_module_inuse: initstate, holders/, refcnt) and refuses on its own, without a system call,
 * for a module that is not loaded or is in use.
 */
final class Kmod {
    /** Where modprobe looks for modules: /lib/modules/`uname -r`, for the 6.6 kernel kctx follows. */
    static final String MODULE_DIR = "/lib/modules/6.6.0";

    private Kmod() {
    }

    /** modname_normalize (libkmod/libkmod-util.c): '-' to '_', up to the first '.' or the end. */
    static String normalize(String modname) {
        StringBuilder b = new StringBuilder();
        for (char c : modname.toCharArray()) {
            if (c == '.') {
                break;
            }
            b.append(c == '-' ? '_' : c);
        }
        return b.toString();
    }

    /** What rmmod and modprobe -r read of /sys/module/NAME before deciding. */
    static final class State {
        String initstate;
        List<String> holders = List.of();
        long refcnt;
    }

    private static final String STATE = "kmod state";

    /**
     * kmod_module_get_initstate, kmod_module_get_holders and kmod_module_get_refcnt: the reads of
     * /sys/module/NAME/initstate, holders/ and refcnt, as system calls; the result goes into the
     * task's registers for the next step.
     */
    static List<Op> readState(String name) {
        String base = "/sys/module/" + name;
        List<Op> ops = new ArrayList<>();
        ops.add(Sys.act("kmod", x -> Sys.regs(x).vars.put(STATE, new State())));
        ops.addAll(readFile(base + "/initstate", (x, s) -> state(x).initstate = s));
        ops.add(Sys.user("kmod", x -> {
            if (state(x).initstate == null) {
                return List.of();
            }
            List<Op> more = new ArrayList<>(Sys.call("getdents64", c -> {
                state(c.exec()).holders = FileSyscalls.readdir(c, base + "/holders");
                return IoResult.Done.of(state(c.exec()).holders.size());
            }));
            more.addAll(readFile(base + "/refcnt", (y, s) -> state(y).refcnt = s == null ? 0 : Long.parseLong(s)));
            return more;
        }));
        return ops;
    }

    static State state(Exec x) {
        return (State) Sys.regs(x).vars.get(STATE);
    }

    /** open, read, close of a small sysfs file; {@code then} gets its text without the newline, or null when open failed. */
    private static List<Op> readFile(String path, java.util.function.BiConsumer<Exec, String> then) {
        List<Op> ops = new ArrayList<>(Sys.call("openat", c -> IoResult.Done.of(FileSyscalls.open(c, path, OpenFlags.O_RDONLY))));
        ops.add(Sys.user("kmod", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                then.accept(x, null);
                return List.of();
            }
            int fd = (int) r.ret;
            List<Op> rest = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, fd, 4096)));
            rest.add(Sys.act("kmod", y -> {
                Regs r2 = Sys.regs(y);
                then.accept(y, r2.failed() ? null : new String(r2.data, StandardCharsets.UTF_8).strip());
            }));
            rest.addAll(Sys.call("close", c -> {
                FileSyscalls.close(c, fd);
                return IoResult.Done.of(0);
            }));
            return rest;
        }));
        return ops;
    }

    /** The module file modprobe finds for {@code name} (modules.dep by normalised name), or null. */
    static ModuleDef find(KernelObjects k, String name) {
        Modules m = k.extension(Modules.class, () -> new Modules(List.of()));
        return m.byName(name);
    }

    /** libkmod's mod_strerror for init_module's errors, as insmod and modprobe print them. */
    static String insertError(Errno e) {
        return switch (e) {
            case ENOENT -> "Unknown symbol in module, or unknown parameter (see dmesg)";
            case EEXIST -> "Module already loaded";
            case EINVAL -> "Invalid parameters";
            default -> e.text();
        };
    }
}
