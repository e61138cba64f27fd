package dev.kctx.actors.program;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The x86-64 numbers of every system call kctx models, from the kernel's table
 * (arch/x86/entry/syscalls/syscall_64.tbl, Linux 6.6; these numbers never change once assigned),
 * as the trace's sys_enter and sys_exit show them. The one table of the project: the mechanisms'
 * SyscallTable and the scenario loader ask it. A test checks every entry against the kernel's
 * file. Exceptions (a page fault) are not system calls and have no number here: they enter the
 * kernel with {@link #EXCEPTION}, which the trace does not show as sys_enter.
 */
public final class Syscalls {
    /** The "number" of a kernel entry that is not a system call (an exception, e.g. a page fault). */
    public static final int EXCEPTION = -1;

    private static final Map<String, Integer> NR = Map.ofEntries(
            Map.entry("read", 0), Map.entry("write", 1), Map.entry("open", 2), Map.entry("close", 3),
            Map.entry("stat", 4), Map.entry("fstat", 5), Map.entry("lseek", 8), Map.entry("mmap", 9),
            Map.entry("munmap", 11), Map.entry("brk", 12), Map.entry("rt_sigaction", 13), Map.entry("rt_sigprocmask", 14),
            Map.entry("rt_sigreturn", 15), Map.entry("ioctl", 16), Map.entry("sched_yield", 24), Map.entry("dup2", 33),
            Map.entry("pause", 34), Map.entry("nanosleep", 35), Map.entry("getpid", 39), Map.entry("socket", 41),
            Map.entry("sendto", 44), Map.entry("recvfrom", 45), Map.entry("sendmsg", 46), Map.entry("recvmsg", 47),
            Map.entry("bind", 49), Map.entry("setsockopt", 54), Map.entry("getsockopt", 55), Map.entry("clone", 56),
            Map.entry("execve", 59), Map.entry("exit", 60), Map.entry("wait4", 61), Map.entry("kill", 62),
            Map.entry("uname", 63), Map.entry("mkdir", 83), Map.entry("rmdir", 84), Map.entry("syslog", 103),
            Map.entry("setuid", 105), Map.entry("rt_sigpending", 127), Map.entry("rt_sigqueueinfo", 129),
            Map.entry("rt_sigsuspend", 130), Map.entry("mknod", 133), Map.entry("getpriority", 140),
            Map.entry("setpriority", 141), Map.entry("sched_setscheduler", 144), Map.entry("reboot", 169),
            Map.entry("sethostname", 170), Map.entry("init_module", 175), Map.entry("delete_module", 176),
            Map.entry("sched_setaffinity", 203), Map.entry("getdents64", 217), Map.entry("exit_group", 231),
            Map.entry("openat", 257), Map.entry("newfstatat", 262), Map.entry("prlimit64", 302),
            Map.entry("finit_module", 313), Map.entry("sched_setattr", 314));

    private Syscalls() {
    }

    /** The number of a call kctx models; IllegalArgumentException for any other name (a call added by a module has its own number). */
    public static int nr(String name) {
        Integer n = NR.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no x86-64 system call '" + name + "' in kctx's table; known: " + names());
        }
        return n;
    }

    /** True when {@code name} is a system call of the table. */
    public static boolean known(String name) {
        return NR.containsKey(name);
    }

    /** The calls of the table, by name. */
    public static Set<String> names() {
        return new TreeMap<>(NR).keySet();
    }

    /** The whole table, name to number. */
    public static Map<String, Integer> table() {
        return NR;
    }
}
