package dev.kctx.mechanisms.syscall;

import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Syscalls;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.vfs.FileCtx;

import java.util.Map;
import java.util.TreeMap;

/**
 * The machine's system call table (arch/x86/entry/syscalls/syscall_64.tbl): the x86_64 numbers of
 * the calls kctx models, and the entries modules add. In Linux adding a call means rebuilding the
 * kernel; kctx lets a module register a handler for a free number to model that, and takes it
 * away at rmmod, after which the number answers ENOSYS like any slot without a call.
 */
public final class SyscallTable {
    /** Slots in the model's table; a number outside [0, MAX) is ENOSYS, and a module cannot take it. */
    public static final int MAX = 1024;

    /** A system call a module added: its name and kernel side. */
    public record Entry(int nr, String name, String module, SyscallHandler handler) {
    }

    private final TreeMap<Integer, Entry> added = new TreeMap<>();

    /** The machine's table, created on first use. */
    public static SyscallTable of(KernelObjects k) {
        return k.extension(SyscallTable.class, SyscallTable::new);
    }

    /** The x86_64 number of a call by name ({@link Syscalls#nr}: the one table). */
    public static int nr(String name) {
        return Syscalls.nr(name);
    }

    /**
     * True when the kernel itself has a call at {@code nr}: x86_64 Linux 6.10 uses 0-334 and
     * 424-462 (335-423 were never assigned), and 512-547 for x32.
     */
    public static boolean builtin(int nr) {
        return (nr >= 0 && nr <= 334) || (nr >= 424 && nr <= 462) || (nr >= 512 && nr <= 547) || Syscalls.table().containsValue(nr);
    }

    /**
     * Adds a call at {@code nr} for a module. EINVAL outside the table, EBUSY when the kernel or
     * another module has a call there. Removed again when the module unloads.
     */
    public static void register(ModuleCtx m, int nr, String name, SyscallHandler handler) {
        SyscallTable t = of(m.ctx().kernel());
        t.add(nr, name, m.name(), handler);
        m.onUnload(() -> t.remove(nr));
    }

    public void add(int nr, String name, String module, SyscallHandler handler) {
        if (nr < 0 || nr >= MAX) {
            throw new KernelError(Errno.EINVAL);
        }
        if (builtin(nr) || added.containsKey(nr)) {
            throw new KernelError(Errno.EBUSY);
        }
        added.put(nr, new Entry(nr, name, module, handler));
    }

    public void remove(int nr) {
        added.remove(nr);
    }

    /** The module-added entry at {@code nr}, or null. */
    public Entry entry(int nr) {
        return added.get(nr);
    }

    /**
     * The kernel side of syscall(2) with a raw number: a module's handler, getpid, or ENOSYS
     * (sys_ni_syscall) for an empty slot. Other built-in calls are reached through their own
     * operations, not by number.
     */
    public long dispatch(FileCtx c, int nr, SyscallArgs args) {
        SyscallProtocol.Reply r = handle(c, new SyscallProtocol.Call(nr, args));
        if (r instanceof SyscallProtocol.Error e) {
            throw new KernelError(e.errno());
        }
        return ((SyscallProtocol.Returned) r).value();
    }

    /** The table's side of {@link SyscallProtocol}; a handler's own error (KernelError) goes through. */
    public SyscallProtocol.Reply handle(FileCtx c, SyscallProtocol.Call call) {
        int nr = call.nr();
        Entry e = nr >= 0 && nr < MAX ? added.get(nr) : null;
        if (e != null) {
            return new SyscallProtocol.Returned(e.handler().call(c, call.args()));
        }
        if (nr == nr("getpid")) {
            return new SyscallProtocol.Returned(c.pid());
        }
        return new SyscallProtocol.Error(Errno.ENOSYS);
    }
}
