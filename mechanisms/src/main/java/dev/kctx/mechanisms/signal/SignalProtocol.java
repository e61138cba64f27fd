package dev.kctx.mechanisms.signal;

import dev.kctx.mechanisms.Errno;

/**
 * The signal protocol (kernel/signal.c) between senders, the kernel's per-task signal state
 * ({@link Signals}) and the receiving process. Requests come from user processes through system
 * calls (process context) or from kernel code in any context; the delivery itself is not a reply:
 * it is user-mode work the target runs when it next returns to user mode.
 */
public sealed interface SignalProtocol {

    /** What a sender asks of the kernel's signal state. */
    sealed interface Request extends SignalProtocol {
    }

    /** The kernel's answer: a success record or an {@link Error}. */
    sealed interface Reply extends SignalProtocol {
    }

    /** User process, syscall kill(2), process context: a signal to {@code pid} with SI_USER; sig 0 only checks. */
    record Kill(int pid, int sig) implements Request {
    }

    /** User process, syscall rt_sigqueueinfo (sigqueue(3)), process context: a signal with a 32-bit value, SI_QUEUE. */
    record Queue(int pid, int sig, int value) implements Request {
    }

    /** Kernel code, any context (hard IRQ included): send_sig_info / kill_pid_info with {@code info}; no permission check. */
    record SendSigInfo(int pid, int sig, SigInfo info) implements Request {
    }

    /** Kernel, process context of the faulting task: force_sig_fault; a blocked or ignored fault signal is reset to its default. */
    record ForceSigFault(int sig, int code, long addr) implements Request {
    }

    /** User process, syscall rt_sigaction, process context: install {@code action}, answer the old one. */
    record Action(int sig, SigAction action) implements Request {
    }

    /** User process, syscall rt_sigprocmask, process context: SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK; answers the old mask. */
    record ProcMask(int how, long set) implements Request {
        public static final int SIG_BLOCK = 0;
        public static final int SIG_UNBLOCK = 1;
        public static final int SIG_SETMASK = 2;
    }

    /** User process, syscall rt_sigpending: the blocked signals that are pending. */
    record Pending() implements Request {
    }

    /** User process, syscall prlimit64 on itself: its RLIMIT_SIGPENDING. */
    record SetRlimit(long limit) implements Request {
    }

    /** How a send ended, as the signal_generate trace event says it (TRACE_SIGNAL_*, with its number). */
    enum Result {
        /** Pending now (queued with its siginfo for realtime and first standard instances). */
        DELIVERED(0),
        /** Dropped: the target ignores it and does not block it, or it is a kernel thread. */
        IGNORED(1),
        /** A standard signal already pending: merged into it. */
        ALREADY_PENDING(2),
        /** Pending, but RLIMIT_SIGPENDING left no room for its siginfo (a standard signal or a kill(2)). */
        LOSE_INFO(4);

        /** TRACE_SIGNAL_OVERFLOW_FAIL: the send failed with EAGAIN. */
        public static final int OVERFLOW_FAIL = 3;

        private final int traceCode;

        Result(int traceCode) {
            this.traceCode = traceCode;
        }

        public int traceCode() {
            return traceCode;
        }
    }

    /** Answer to Kill, Queue, SendSigInfo, ForceSigFault. */
    record Sent(int sig, Result result) implements Reply {
    }

    /** Answer to Action: the action that was installed before. */
    record OldAction(SigAction old) implements Reply {
    }

    /** Answer to ProcMask (the old mask) and Pending (the pending blocked set). */
    record Mask(long set) implements Reply {
    }

    /** Answer to SetRlimit. */
    record Done() implements Reply {
    }

    /**
     * The failures: ESRCH (no such process), EINVAL (bad signal, SIGKILL/SIGSTOP actions, bad
     * how), EPERM (another user's process, or a forged si_code), EAGAIN (RLIMIT_SIGPENDING).
     */
    record Error(Errno errno) implements Reply {
    }
}
