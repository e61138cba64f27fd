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

    /** The numbers of the calls the mechanisms make (a superset of the engine's table). */
    private static final Map<String, Integer> BUILTIN = Map.ofEntries(
            Map.entry("read", 0), Map.entry("write", 1), Map.entry("open", 2), Map.entry("close", 3),
            Map.entry("stat", 4), Map.entry("fstat", 5), Map.entry("lseek", 8), Map.entry("mmap", 9),
            Map.entry("munmap", 11), Map.entry("ioctl", 16), Map.entry("sched_yield", 24), Map.entry("dup2", 33),
            Map.entry("nanosleep", 35), Map.entry("getpid", 39), Map.entry("socket", 41), Map.entry("sendto", 44),
            Map.entry("recvfrom", 45), Map.entry("sendmsg", 46), Map.entry("recvmsg", 47), Map.entry("bind", 49),
            Map.entry("execve", 59), Map.entry("kill", 62), Map.entry("uname", 63), Map.entry("mkdir", 83),
            Map.entry("rmdir", 84), Map.entry("syslog", 103), Map.entry("setuid", 105),
            Map.entry("rt_sigqueueinfo", 129), Map.entry("mknod", 133), Map.entry("reboot", 169),
            Map.entry("sethostname", 170), Map.entry("init_module", 175), Map.entry("delete_module", 176),
            Map.entry("getdents64", 217), Map.entry("openat", 257), Map.entry("newfstatat", 262),
            Map.entry("finit_module", 313), Map.entry("getpriority", 140), Map.entry("setpriority", 141),
            Map.entry("sched_setscheduler", 144), Map.entry("sched_setaffinity", 203), Map.entry("sched_setattr", 314));

    /** A system call a module added: its name and kernel side. */
    public record Entry(int nr, String name, String module, SyscallHandler handler) {
    }

    private final TreeMap<Integer, Entry> added = new TreeMap<>();

    /** The machine's table, created on first use. */
    public static SyscallTable of(KernelObjects k) {
        return k.extension(SyscallTable.class, SyscallTable::new);
    }

    /** The x86_64 number of a call by name, or -1 for a name the table does not know. */
    public static int nr(String name) {
        Integer n = BUILTIN.get(name);
        return n != null ? n : Syscalls.nr(name);
    }

    /**
     * True when the kernel itself has a call at {@code nr}: x86_64 Linux 6.10 uses 0-334 and
     * 424-462 (335-423 were never assigned), and 512-547 for x32.
     */
    public static boolean builtin(int nr) {
        return (nr >= 0 && nr <= 334) || (nr >= 424 && nr <= 462) || (nr >= 512 && nr <= 547) || BUILTIN.containsValue(nr);
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
        Entry e = nr >= 0 && nr < MAX ? added.get(nr) : null;
        if (e != null) {
            return e.handler().call(c, args);
        }
        if (nr == nr("getpid")) {
            return c.pid();
        }
        throw new KernelError(Errno.ENOSYS);
    }
}
