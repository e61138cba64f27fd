package dev.kctx.mechanisms.signal;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.TaskInfo;
import dev.kctx.actors.program.UserWork;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.signal.SignalProtocol.Action;
import dev.kctx.mechanisms.signal.SignalProtocol.Error;
import dev.kctx.mechanisms.signal.SignalProtocol.ForceSigFault;
import dev.kctx.mechanisms.signal.SignalProtocol.Kill;
import dev.kctx.mechanisms.signal.SignalProtocol.Mask;
import dev.kctx.mechanisms.signal.SignalProtocol.OldAction;
import dev.kctx.mechanisms.signal.SignalProtocol.Pending;
import dev.kctx.mechanisms.signal.SignalProtocol.ProcMask;
import dev.kctx.mechanisms.signal.SignalProtocol.Queue;
import dev.kctx.mechanisms.signal.SignalProtocol.Reply;
import dev.kctx.mechanisms.signal.SignalProtocol.Request;
import dev.kctx.mechanisms.signal.SignalProtocol.Result;
import dev.kctx.mechanisms.signal.SignalProtocol.SendSigInfo;
import dev.kctx.mechanisms.signal.SignalProtocol.Sent;
import dev.kctx.mechanisms.signal.SignalProtocol.SetRlimit;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.user.Sys;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel's signal state for every task (kernel/signal.c): actions, the blocked mask, the
 * pending set and its siginfo queue, the per-user count of queued siginfo bounded by
 * RLIMIT_SIGPENDING. It answers {@link SignalProtocol} requests and is the machine's
 * {@link UserWork}: at every return to user mode the engine asks it for the handlers to run.
 *
 * <p>Delivery follows get_signal and the exit-to-user loop: the lowest deliverable signal first
 * (synchronous faults before the rest); each handled signal gets a frame, its signal and sa_mask
 * blocked, and the loop goes on while signals remain deliverable, so a later frame sits on top of
 * an earlier one and its handler runs first; each handler ends in rt_sigreturn, which restores the
 * mask of its frame and delivers what that unblocks. A fatal default action ends the process at once.
 */
public final class Signals implements UserWork {
    /**
     * RLIMIT_SIGPENDING of every task unless it lowers it. Linux derives it from memory
     * (max_threads / 2, in the tens of thousands); a small machine here.
     */
    public static final long DEFAULT_RLIMIT_SIGPENDING = 1024;

    /** Signals raised by the faulting instruction itself, dequeued before the others. */
    static final long SYNCHRONOUS_MASK = Signo.set(Signo.SIGSEGV, Signo.SIGBUS, Signo.SIGILL, Signo.SIGTRAP, Signo.SIGFPE,
            Signo.SIGSYS);
    /** SIGKILL and SIGSTOP can be neither blocked nor caught. */
    static final long UNBLOCKABLE = Signo.set(Signo.SIGKILL, Signo.SIGSTOP);

    /** The default actions of signal(7). */
    public enum Default { TERM, CORE, IGN, STOP }

    /** signal(7)'s table; SIGCONT's "continue" only matters for stopped tasks, which are not modelled: here it is ignored. */
    public static Default defaultAction(int sig) {
        return switch (sig) {
            case Signo.SIGQUIT, Signo.SIGILL, Signo.SIGTRAP, Signo.SIGABRT, Signo.SIGBUS, Signo.SIGFPE, Signo.SIGSEGV,
                 Signo.SIGXCPU, Signo.SIGXFSZ, Signo.SIGSYS -> Default.CORE;
            case Signo.SIGCHLD, Signo.SIGURG, Signo.SIGWINCH, Signo.SIGCONT -> Default.IGN;
            case Signo.SIGSTOP, Signo.SIGTSTP, Signo.SIGTTIN, Signo.SIGTTOU -> Default.STOP;
            default -> Default.TERM;
        };
    }

    /** One task's signal state (task->sighand, ->blocked, ->pending). */
    static final class TaskSignals {
        final SigAction[] actions = new SigAction[Signo.NSIG + 1];
        long blocked;
        long pendingSet;
        final List<SigInfo> queue = new ArrayList<>();
        /** The mask sigsuspend replaced, restored by the first handler's sigreturn (TIF_RESTORE_SIGMASK). */
        Long savedMask;
        long rlimit = DEFAULT_RLIMIT_SIGPENDING;

        SigAction action(int sig) {
            SigAction a = actions[sig];
            return a == null ? SigAction.dfl() : a;
        }

        boolean ignores(int sig) {
            SigAction a = action(sig);
            return a.kind() == SigAction.Kind.IGNORE || (a.kind() == SigAction.Kind.DEFAULT && defaultAction(sig) == Default.IGN);
        }

        void discard(int sig) {
            pendingSet &= ~Signo.bit(sig);
            queue.removeIf(i -> i.signo() == sig);
        }
    }

    private final Map<Integer, TaskSignals> tasks = new TreeMap<>();

    /** The machine's signal state; installs it as the return-to-user work on first use. */
    public static Signals of(KernelObjects k) {
        Signals s = k.extension(Signals.class, Signals::new);
        if (k.userWork() != s) {
            if (k.userWork() != UserWork.NONE) {
                throw new IllegalStateException("another mechanism already owns the return-to-user work: " + k.userWork());
            }
            k.setUserWork(s);
        }
        return s;
    }

    TaskSignals task(int pid) {
        return tasks.computeIfAbsent(pid, p -> new TaskSignals());
    }

    // ---- requests ----

    /** Runs one request for the context {@code x} (the sender, or the task asking about itself). */
    public Reply handle(Exec x, Request r) {
        if (r instanceof Kill k) {
            return fromUser(x, k.pid(), k.sig(), false, 0);
        } else if (r instanceof Queue q) {
            return fromUser(x, q.pid(), q.sig(), true, q.value());
        } else if (r instanceof SendSigInfo s) {
            if (!Signo.valid(s.sig())) {
                return new Error(Errno.EINVAL);
            }
            if (!alive(x.kernel(), s.pid())) {
                return new Error(Errno.ESRCH);
            }
            return send(x, s.pid(), s.sig(), s.info());
        } else if (r instanceof ForceSigFault f) {
            TaskSignals t = task(x.pid());
            long bit = Signo.bit(f.sig());
            if ((t.blocked & bit) != 0 || t.action(f.sig()).kind() == SigAction.Kind.IGNORE) {
                // force_sig_info_to_task: a fault cannot be blocked or ignored away.
                t.actions[f.sig()] = SigAction.dfl();
                t.blocked &= ~bit;
            }
            return send(x, x.pid(), f.sig(), SigInfo.fault(f.sig(), f.code(), f.addr()));
        } else if (r instanceof Action a) {
            return sigaction(x.pid(), a);
        } else if (r instanceof ProcMask m) {
            return procmask(task(x.pid()), m);
        } else if (r instanceof Pending) {
            TaskSignals t = task(x.pid());
            return new Mask(t.pendingSet & t.blocked);
        } else if (r instanceof SetRlimit l) {
            TaskSignals t = task(x.pid());
            if (l.limit() < 0) {
                return new Error(Errno.EINVAL);
            }
            if (l.limit() > t.rlimit && !Cred.of(x).root()) {
                return new Error(Errno.EPERM);
            }
            t.rlimit = l.limit();
            return new SignalProtocol.Done();
        }
        throw new IllegalArgumentException("unknown request " + r);
    }

    /** kill(2) and rt_sigqueueinfo: ESRCH, then EINVAL, then the permission check, as kill_pid_info orders them. */
    private Reply fromUser(Exec x, int pid, int sig, boolean queued, int value) {
        if (!alive(x.kernel(), pid)) {
            return new Error(Errno.ESRCH);
        }
        if (sig != 0 && !Signo.valid(sig)) {
            return new Error(Errno.EINVAL);
        }
        Cred me = Cred.of(x);
        // check_kill_permission: same user (real or effective), or CAP_KILL.
        if (!me.capable(Cred.Cap.CAP_KILL) && me.uid() != Cred.ofTask(x.kernel(), pid).uid()) {
            return new Error(Errno.EPERM);
        }
        if (sig == 0) {
            return new Sent(0, Result.DELIVERED);
        }
        return send(x, pid, sig, queued ? SigInfo.queued(sig, x.pid(), me.uid(), value) : SigInfo.user(sig, x.pid(), me.uid()));
    }

    private static boolean alive(KernelObjects k, int pid) {
        TaskInfo t = k.task(pid);
        return t != null && !t.exited();
    }

    /** __send_signal_locked: drop what is ignored, merge standard signals, queue siginfo within the user's limit, wake. */
    private Reply send(Exec x, int pid, int sig, SigInfo info) {
        KernelObjects k = x.kernel();
        TaskSignals t = task(pid);
        TaskInfo target = k.task(pid);
        long bit = Signo.bit(sig);
        Result res;
        if (!target.user() || ((t.blocked & bit) == 0 && t.ignores(sig))) {
            // Kernel threads ignore every signal: user space cannot signal the kernel this way.
            res = Result.IGNORED;
        } else if (!Signo.realtime(sig) && (t.pendingSet & bit) != 0) {
            res = Result.ALREADY_PENDING;
        } else {
            // Standard signals from kill(2) or the kernel may exceed the limit; realtime ones never.
            boolean override = !Signo.realtime(sig) && info.code() >= 0;
            int uid = Cred.ofTask(k, pid).uid();
            if (override || queuedBy(k, uid) + 1 <= t.rlimit) {
                t.queue.add(info);
                res = Result.DELIVERED;
            } else if (Signo.realtime(sig) && info.code() != SigInfo.SI_USER) {
                x.trace("signal_generate", generate(sig, info, target, Result.OVERFLOW_FAIL));
                return new Error(Errno.EAGAIN);
            } else {
                res = Result.LOSE_INFO;
            }
            t.pendingSet |= bit;
            if ((t.blocked & bit) == 0) {
                x.notifyTask(pid);
            }
        }
        x.trace("signal_generate", generate(sig, info, target, res.traceCode()));
        return new Sent(sig, res);
    }

    private static String generate(int sig, SigInfo info, TaskInfo target, int result) {
        return "sig=" + sig + " errno=0 code=" + info.code() + " comm=" + target.comm() + " pid=" + target.pid()
                + " grp=1 res=" + result;
    }

    /** The siginfo entries queued for the live tasks of {@code uid} (the user's sigpending count). */
    private int queuedBy(KernelObjects k, int uid) {
        int n = 0;
        for (var e : tasks.entrySet()) {
            if (alive(k, e.getKey()) && Cred.ofTask(k, e.getKey()).uid() == uid) {
                n += e.getValue().queue.size();
            }
        }
        return n;
    }

    private Reply sigaction(int pid, Action a) {
        int sig = a.sig();
        if (!Signo.valid(sig) || (a.action() != null && (sig == Signo.SIGKILL || sig == Signo.SIGSTOP))) {
            return new Error(Errno.EINVAL);
        }
        TaskSignals t = task(pid);
        SigAction old = t.action(sig);
        if (a.action() != null) {
            t.actions[sig] = a.action();
            if (t.ignores(sig)) {
                // POSIX: setting SIG_IGN discards a pending instance, blocked or not.
                t.discard(sig);
            }
        }
        return new OldAction(old);
    }

    private static Reply procmask(TaskSignals t, ProcMask m) {
        long old = t.blocked;
        long set = m.set() & ~UNBLOCKABLE;
        switch (m.how()) {
            case ProcMask.SIG_BLOCK -> t.blocked |= set;
            case ProcMask.SIG_UNBLOCK -> t.blocked &= ~set;
            case ProcMask.SIG_SETMASK -> t.blocked = set;
            default -> {
                return new Error(Errno.EINVAL);
            }
        }
        return new Mask(old);
    }

    // ---- queries for other mechanisms ----

    /** sigsuspend's first half: the mask in force until a handler has run; the old one comes back at its sigreturn. */
    public void suspend(int pid, long mask) {
        TaskSignals t = task(pid);
        if (t.savedMask == null) {
            t.savedMask = t.blocked;
            t.blocked = mask & ~UNBLOCKABLE;
        }
    }

    /**
     * fatal_signal_pending: SIGKILL, or (as complete_signal turns it into one) any deliverable signal
     * whose action is a terminating default. Killable waits end early for these only.
     */
    @Override
    public boolean fatalPending(int pid) {
        TaskSignals t = tasks.get(pid);
        if (t == null) {
            return false;
        }
        long ready = t.pendingSet & ~t.blocked;
        for (int sig = 1; sig <= Signo.NSIG; sig++) {
            if ((ready & Signo.bit(sig)) != 0 && t.action(sig).kind() == SigAction.Kind.DEFAULT
                    && (defaultAction(sig) == Default.TERM || defaultAction(sig) == Default.CORE)) {
                return true;
            }
        }
        return false;
    }

    /** The signals pending for {@code pid}, blocked or not (for tests and traces). */
    public long pendingSet(int pid) {
        TaskSignals t = tasks.get(pid);
        return t == null ? 0 : t.pendingSet;
    }

    public long blocked(int pid) {
        TaskSignals t = tasks.get(pid);
        return t == null ? 0 : t.blocked;
    }

    // ---- delivery (UserWork) ----

    @Override
    public boolean pending(int pid) {
        TaskSignals t = tasks.get(pid);
        return t != null && (t.pendingSet & ~t.blocked) != 0;
    }

    @Override
    public List<Op> take(int pid) {
        TaskSignals t = tasks.get(pid);
        if (t == null) {
            return List.of();
        }
        List<Op> frames = new ArrayList<>();
        Long restore = t.savedMask;
        t.savedMask = null;
        while (true) {
            int sig = nextSignal(t);
            if (sig == 0) {
                break;
            }
            SigInfo info = collect(t, sig);
            SigAction a = t.action(sig);
            if (t.ignores(sig)) {
                continue;
            }
            String deliver = "sig=" + sig + " errno=0 code=" + info.code() + " sa_handler=" + a.kind().name().toLowerCase()
                    + " sa_flags=" + Integer.toHexString(a.flags());
            if (a.kind() == SigAction.Kind.DEFAULT) {
                Default d = defaultAction(sig);
                if (d == Default.STOP) {
                    return List.of(Sys.act("signal_deliver", x -> x.trace("signal_deliver", deliver)), new Unmodelled(sig));
                }
                // do_group_exit: frames already set up for other signals never run.
                return List.of(Sys.act("signal_deliver", x -> x.trace("signal_deliver", deliver)), ProcessExit.killedBy(sig));
            }
            long before = restore != null ? restore : t.blocked;
            restore = null;
            t.blocked |= (a.mask() | ((a.flags() & SigAction.SA_NODEFER) != 0 ? 0 : Signo.bit(sig))) & ~UNBLOCKABLE;
            if ((a.flags() & SigAction.SA_RESETHAND) != 0) {
                t.actions[sig] = SigAction.dfl();
            }
            List<Op> frame = new ArrayList<>();
            frame.add(Sys.act("signal_deliver", x -> x.trace("signal_deliver", deliver)));
            frame.addAll(a.handler().run(info));
            frame.add(new Ops.SysEnter("rt_sigreturn"));
            frame.add(new Sigreturn(before));
            frame.add(new Ops.SysExit("rt_sigreturn", 0));
            // The newest frame is on top of the user stack: its handler runs first.
            frames.addAll(0, frame);
        }
        if (restore != null) {
            // sigsuspend woken by a signal that needed no handler after all.
            t.blocked = restore;
        }
        return frames;
    }

    /** next_signal: synchronous faults first, then the lowest number. */
    private static int nextSignal(TaskSignals t) {
        long ready = t.pendingSet & ~t.blocked;
        if (ready == 0) {
            return 0;
        }
        long sync = ready & SYNCHRONOUS_MASK;
        return Long.numberOfTrailingZeros(sync != 0 ? sync : ready) + 1;
    }

    /** collect_signal: the first queued siginfo; the signal stays pending while another one is queued. */
    private static SigInfo collect(TaskSignals t, int sig) {
        SigInfo first = null;
        boolean more = false;
        for (Iterator<SigInfo> it = t.queue.iterator(); it.hasNext(); ) {
            SigInfo i = it.next();
            if (i.signo() == sig) {
                if (first == null) {
                    first = i;
                    it.remove();
                } else {
                    more = true;
                    break;
                }
            }
        }
        if (!more) {
            t.pendingSet &= ~Signo.bit(sig);
        }
        return first != null ? first : SigInfo.lost(sig);
    }

    /** rt_sigreturn's kernel half: the mask saved in the frame comes back. */
    record Sigreturn(long mask) implements Op {
        public Outcome execute(Exec x) {
            Signals.of(x.kernel()).task(x.pid()).blocked = mask & ~UNBLOCKABLE;
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "rt_sigreturn";
        }
    }

    /** A stop signal's default action: job control is not modelled, so the run says so instead of guessing. */
    record Unmodelled(int sig) implements Op {
        public Outcome execute(Exec x) {
            return new Outcome.Failed(Signo.name(sig) + " would stop " + x.comm() + "/" + x.pid()
                    + ": job control (stopped tasks, SIGCONT) is not modelled");
        }

        public String describe() {
            return "stop by " + Signo.name(sig);
        }

        public boolean userMode() {
            return true;
        }
    }
}
