package dev.kctx.mechanisms.signal;

import dev.kctx.actors.program.Exec;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.signal.SignalProtocol.Error;
import dev.kctx.mechanisms.signal.SignalProtocol.Reply;

/**
 * The kernel-side signal API a module calls, from any context: each call takes the target's
 * siglock with IRQs saved and allocates with GFP_ATOMIC, so it passes the gate clean even in a
 * hard IRQ. Returns 0 or -errno, as the kernel functions do.
 */
public final class SignalKernel {
    private SignalKernel() {
    }

    /** send_sig_info(sig, info, pid_task(find_vpid(pid), PIDTYPE_PID)); -ESRCH when no such task lives. */
    public static int sendSigInfo(Exec x, int sig, SigInfo info, int pid) {
        x.check(KernelCall.SEND_SIG_INFO, () -> "send_sig_info(" + sig + ", pid " + pid + ")");
        return ret(Signals.of(x.kernel()).handle(x, new SignalProtocol.SendSigInfo(pid, sig, info)));
    }

    /** kill_pid_info(sig, info, find_vpid(pid)): the same delivery, by pid. */
    public static int killPidInfo(Exec x, int sig, SigInfo info, int pid) {
        x.check(KernelCall.SEND_SIG_INFO, () -> "kill_pid_info(" + sig + ", pid " + pid + ")");
        return ret(Signals.of(x.kernel()).handle(x, new SignalProtocol.SendSigInfo(pid, sig, info)));
    }

    /** send_sig(sig, task, 1): SEND_SIG_PRIV, a signal from the kernel without payload. */
    public static int sendSig(Exec x, int sig, int pid) {
        x.check(KernelCall.SEND_SIG_INFO, () -> "send_sig(" + sig + ", pid " + pid + ")");
        if (!Signo.valid(sig)) {
            return -dev.kctx.mechanisms.Errno.EINVAL.number();
        }
        return ret(Signals.of(x.kernel()).handle(x, new SignalProtocol.SendSigInfo(pid, sig, SigInfo.kernel(sig))));
    }

    /** force_sig_fault(sig, code, addr) to the current task (a page fault's SIGSEGV or SIGBUS). */
    public static int forceSigFault(Exec x, int sig, int code, long addr) {
        x.check(KernelCall.SEND_SIG_INFO, () -> "force_sig_fault(" + Signo.name(sig) + ")");
        return ret(Signals.of(x.kernel()).handle(x, new SignalProtocol.ForceSigFault(sig, code, addr)));
    }

    private static int ret(Reply r) {
        return r instanceof Error e ? e.errno().negative() : 0;
    }
}
