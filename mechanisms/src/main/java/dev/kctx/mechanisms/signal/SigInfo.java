package dev.kctx.mechanisms.signal;

import dev.kctx.mechanisms.Signo;

/**
 * siginfo_t as a handler with SA_SIGINFO sees it: the signal, how it was sent (si_code), the
 * sender's pid and uid, the 32-bit value of a queued signal (si_int) and, for faults, the address.
 */
public record SigInfo(int signo, int code, int pid, int uid, int value, long addr) {
    /** si_code: kill(2), raise(3). */
    public static final int SI_USER = 0;
    /** si_code: sent by the kernel. */
    public static final int SI_KERNEL = 0x80;
    /** si_code: sigqueue(3). */
    public static final int SI_QUEUE = -1;
    /** si_code of SIGSEGV: no mapping at the address. */
    public static final int SEGV_MAPERR = 1;
    /** si_code of SIGSEGV: a mapping without the permission. */
    public static final int SEGV_ACCERR = 2;
    /** si_code of SIGBUS: the address has no backing (beyond the object mapped). */
    public static final int BUS_ADRERR = 2;

    public SigInfo {
        if (!Signo.valid(signo)) {
            throw new IllegalArgumentException("no signal " + signo);
        }
    }

    /** What kill(2) sends. */
    public static SigInfo user(int sig, int pid, int uid) {
        return new SigInfo(sig, SI_USER, pid, uid, 0, 0);
    }

    /** What sigqueue(3) sends: a value the handler reads as si_int (si_value.sival_int). */
    public static SigInfo queued(int sig, int pid, int uid, int value) {
        return new SigInfo(sig, SI_QUEUE, pid, uid, value, 0);
    }

    /** SEND_SIG_PRIV: from the kernel, no payload. */
    public static SigInfo kernel(int sig) {
        return new SigInfo(sig, SI_KERNEL, 0, 0, 0, 0);
    }

    /** A fault (force_sig_fault): the faulting address and the reason. */
    public static SigInfo fault(int sig, int code, long addr) {
        return new SigInfo(sig, code, 0, 0, 0, addr);
    }

    /** The info collect_signal makes up when the queue entry was lost (RLIMIT_SIGPENDING reached). */
    public static SigInfo lost(int sig) {
        return new SigInfo(sig, SI_USER, 0, 0, 0, 0);
    }

    /** True for si_code values only the kernel may use (SI_FROMKERNEL: si_code > 0). */
    public boolean fromKernel() {
        return code > 0;
    }
}
