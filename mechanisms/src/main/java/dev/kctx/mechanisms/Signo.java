package dev.kctx.mechanisms;

/**
 * Signal numbers of x86-64 Linux with their names and the texts strsignal(3) and the shell print
 * for them (include/uapi/asm-generic/signal.h, glibc). The kernel treats 32..64 as realtime;
 * glibc keeps 32 and 33 for itself, so user programs see SIGRTMIN as 34.
 */
public final class Signo {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGILL = 4;
    public static final int SIGTRAP = 5;
    public static final int SIGABRT = 6;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGSEGV = 11;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGSTKFLT = 16;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGTSTP = 20;
    public static final int SIGTTIN = 21;
    public static final int SIGTTOU = 22;
    public static final int SIGURG = 23;
    public static final int SIGXCPU = 24;
    public static final int SIGXFSZ = 25;
    public static final int SIGVTALRM = 26;
    public static final int SIGPROF = 27;
    public static final int SIGWINCH = 28;
    public static final int SIGIO = 29;
    public static final int SIGPWR = 30;
    public static final int SIGSYS = 31;
    /** The kernel's first realtime signal (include/uapi/asm-generic/signal.h). */
    public static final int KERNEL_SIGRTMIN = 32;
    /** SIGRTMIN as glibc gives it to programs. */
    public static final int SIGRTMIN = 34;
    public static final int SIGRTMAX = 64;
    /** _NSIG: signals are numbered 1.._NSIG. */
    public static final int NSIG = 64;

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final String[] TEXTS = {null, "Hangup", "Interrupt", "Quit", "Illegal instruction",
        "Trace/breakpoint trap", "Aborted", "Bus error", "Floating point exception", "Killed", "User defined signal 1",
        "Segmentation fault", "User defined signal 2", "Broken pipe", "Alarm clock", "Terminated", "Stack fault",
        "Child exited", "Continued", "Stopped (signal)", "Stopped", "Stopped (tty input)", "Stopped (tty output)",
        "Urgent I/O condition", "CPU time limit exceeded", "File size limit exceeded", "Virtual timer expired",
        "Profiling timer expired", "Window changed", "I/O possible", "Power failure", "Bad system call"};

    private Signo() {
    }

    /** valid_signal: 1.._NSIG. */
    public static boolean valid(int sig) {
        return sig >= 1 && sig <= NSIG;
    }

    /** True for the signals the kernel queues (32..64). */
    public static boolean realtime(int sig) {
        return sig >= KERNEL_SIGRTMIN && sig <= NSIG;
    }

    /** The bit of {@code sig} in a sigset_t (bit sig-1). */
    public static long bit(int sig) {
        return 1L << (sig - 1);
    }

    /** A sigset_t with these signals. */
    public static long set(int... sigs) {
        long s = 0;
        for (int sig : sigs) {
            if (!valid(sig)) {
                throw new IllegalArgumentException("no signal " + sig);
            }
            s |= bit(sig);
        }
        return s;
    }

    /** sigfillset. */
    public static final long ALL = -1L;

    /** The name, e.g. SIGUSR1 or SIGRTMIN+10 (44). */
    public static String name(int sig) {
        if (sig >= 1 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
            return sig == SIGRTMIN ? "SIGRTMIN" : sig == SIGRTMAX ? "SIGRTMAX" : "SIGRTMIN+" + (sig - SIGRTMIN);
        }
        return "signal " + sig;
    }

    /**
     * The signal a name or number means, as kill(1) reads it: KILL, SIGKILL, kill, 9, RTMIN+3,
     * SIGRTMAX-1; -1 when it is none. A number is returned as it is (the kernel judges it, EINVAL).
     */
    public static int parse(String spec) {
        if (spec.matches("\\d{1,9}")) {
            return Integer.parseInt(spec);
        }
        String n = spec.toUpperCase(java.util.Locale.ROOT);
        n = n.startsWith("SIG") ? n.substring(3) : n;
        for (int sig = 1; sig < NAMES.length; sig++) {
            if (NAMES[sig].substring(3).equals(n)) {
                return sig;
            }
        }
        java.util.regex.Matcher rt = java.util.regex.Pattern.compile("RTM(IN|AX)(?:([+-])(\\d{1,2}))?").matcher(n);
        if (rt.matches()) {
            boolean min = rt.group(1).equals("IN");
            int off = rt.group(3) == null ? 0 : Integer.parseInt(rt.group(3));
            // bash takes SIGRTMIN+n and SIGRTMAX-n only.
            if (rt.group(2) != null && rt.group(2).equals(min ? "-" : "+")) {
                return -1;
            }
            int sig = min ? SIGRTMIN + off : SIGRTMAX - off;
            return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
        }
        return -1;
    }

    /** strsignal(3), as the shell prints it for a job the signal killed. */
    public static String text(int sig) {
        if (sig >= 1 && sig < TEXTS.length) {
            return TEXTS[sig];
        }
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
            return "Real-time signal " + (sig - SIGRTMIN);
        }
        return "Unknown signal " + sig;
    }
}
