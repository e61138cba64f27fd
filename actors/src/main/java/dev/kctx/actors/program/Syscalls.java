package dev.kctx.actors.program;

import java.util.Map;

/** x86_64 system call numbers of the calls kctx models, as the trace's sys_enter shows them. */
public final class Syscalls {
    private static final Map<String, Integer> NR = Map.ofEntries(
            Map.entry("read", 0), Map.entry("write", 1), Map.entry("open", 2), Map.entry("close", 3),
            Map.entry("lseek", 8), Map.entry("mmap", 9), Map.entry("munmap", 11), Map.entry("brk", 12), Map.entry("ioctl", 16),
            Map.entry("sched_yield", 24), Map.entry("nanosleep", 35), Map.entry("getpid", 39),
            Map.entry("socket", 41), Map.entry("sendto", 44), Map.entry("recvfrom", 45),
            Map.entry("sendmsg", 46), Map.entry("recvmsg", 47), Map.entry("bind", 49), Map.entry("kill", 62),
            Map.entry("mkdir", 83), Map.entry("rmdir", 84), Map.entry("mknod", 133),
            Map.entry("rt_sigqueueinfo", 129), Map.entry("init_module", 175), Map.entry("delete_module", 176),
            Map.entry("openat", 257), Map.entry("stat", 4), Map.entry("rt_sigaction", 13),
            Map.entry("rt_sigprocmask", 14), Map.entry("rt_sigreturn", 15), Map.entry("dup2", 33), Map.entry("pause", 34),
            Map.entry("clone", 56), Map.entry("execve", 59), Map.entry("exit", 60), Map.entry("wait4", 61),
            Map.entry("syslog", 103), Map.entry("setuid", 105), Map.entry("rt_sigpending", 127),
            Map.entry("rt_sigsuspend", 130), Map.entry("reboot", 169), Map.entry("getdents64", 217),
            Map.entry("exit_group", 231), Map.entry("prlimit64", 302),
            Map.entry("getpriority", 140), Map.entry("setpriority", 141), Map.entry("sched_setscheduler", 144),
            Map.entry("sched_setaffinity", 203), Map.entry("sched_setattr", 314));

    private Syscalls() {
    }

    /** The number of a known call, or -1 for a call a module adds (shown as such in the trace). */
    public static int nr(String name) {
        return NR.getOrDefault(name, -1);
    }
}
