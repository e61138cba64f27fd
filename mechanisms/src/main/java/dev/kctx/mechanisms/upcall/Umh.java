package dev.kctx.mechanisms.upcall;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.signal.Signals;
import dev.kctx.mechanisms.upcall.UmhProtocol.Call;
import dev.kctx.mechanisms.upcall.UmhProtocol.Error;
import dev.kctx.mechanisms.upcall.UmhProtocol.Exited;
import dev.kctx.mechanisms.upcall.UmhProtocol.Queued;
import dev.kctx.mechanisms.upcall.UmhProtocol.Reply;
import dev.kctx.mechanisms.upcall.UmhProtocol.Started;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.ProcessExit;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * call_usermodehelper (kernel/umh.c): kernel code starts a user program from the machine's
 * {@link Executables}, as root (a fresh task's credentials), its parent a kernel worker. The call
 * is an operation of the calling context: with UMH_NO_WAIT it returns at once (GFP_ATOMIC, fine
 * in any context); the waiting modes allocate with GFP_KERNEL and sleep on a completion, which
 * from atomic context is sleep-in-atomic at the call and scheduling-while-atomic when it waits.
 *
 * <p>Not modelled: the unbound workqueue worker between caller and helper (the helper is started
 * directly), usermodehelper_disabled (-EBUSY during suspend), CONFIG_STATIC_USERMODEHELPER.
 */
public final class Umh {
    public static final int UMH_NO_WAIT = 0x00;
    public static final int UMH_WAIT_EXEC = 0x01;
    public static final int UMH_WAIT_PROC = 0x02;
    public static final int UMH_KILLABLE = 0x04;
    /** The kernel's restart code a killable wait returns when a fatal signal ended it. */
    public static final int ERESTARTSYS = 512;
    /** Time the new task takes to reach the program (copy the credentials, kernel_execve). */
    public static final long EXEC_NS = 50_000L;

    /** Where helpers run: -1, the default, is the caller's CPU. Boot with {@code boot(Umh.Settings.class, () -> new Settings(1))}. */
    public record Settings(int helperCpu) {
    }

    /** A helper task: what kernel_execve returned, once it ran. */
    static final class Helper {
        boolean execDone;
        int execRetval;
    }

    private final Map<Integer, Helper> helpers = new TreeMap<>();
    /** The helper each waiting context waits for (the waiter objects are the engine's; looked up, never iterated). */
    private final Map<Object, Integer> waiting = new IdentityHashMap<>();

    private Umh() {
    }

    static Umh of(KernelObjects k) {
        return k.extension(Umh.class, Umh::new);
    }

    /**
     * call_usermodehelper(path, argv, envp, wait) as an operation of the calling context;
     * {@code done} hears the reply in that context when the call returns.
     */
    public static Op call(String path, List<String> argv, List<String> envp, int wait, BiConsumer<Exec, Reply> done) {
        return new CallOp(new Call(path, argv, envp, wait), done);
    }

    /** "UMH_WAIT_PROC|UMH_KILLABLE". */
    public static String waitName(int wait) {
        StringJoiner j = new StringJoiner("|");
        j.add(switch (wait & 3) {
            case UMH_NO_WAIT -> "UMH_NO_WAIT";
            case UMH_WAIT_EXEC -> "UMH_WAIT_EXEC";
            default -> "UMH_WAIT_PROC";
        });
        if ((wait & UMH_KILLABLE) != 0) {
            j.add("UMH_KILLABLE");
        }
        return j.toString();
    }

    /** Parses a wait mode written as above. */
    public static int parseWait(String text) {
        int w = 0;
        for (String p : text.split("\\|")) {
            w |= switch (p.trim()) {
                case "UMH_NO_WAIT" -> UMH_NO_WAIT;
                case "UMH_WAIT_EXEC" -> UMH_WAIT_EXEC;
                case "UMH_WAIT_PROC" -> UMH_WAIT_PROC;
                case "UMH_KILLABLE" -> UMH_KILLABLE;
                default -> throw new IllegalArgumentException("unknown wait mode '" + p.trim() + "'");
            };
        }
        return w;
    }

    /** The reply as a log line shows the value: "768 (exit status 3)", "-2 (ENOENT)". */
    public static String explain(Reply r) {
        if (r instanceof Exited e) {
            int st = e.status();
            return st + (ProcessExit.signaled(st) ? " (killed by " + dev.kctx.mechanisms.Signo.name(ProcessExit.termSig(st)) + ")"
                    : " (exit status " + ProcessExit.exitStatus(st) + ")");
        }
        if (r instanceof Error e) {
            return e.retval() + " (" + e.name() + ")";
        }
        return String.valueOf(r.retval());
    }

    /** The helper task's body: the exec step, then the program, or an exit when there is no program. */
    private static Program helperBody(Executables.Image image, Call c) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Ops.SysEnter("execve"));
        ops.add(new Ops.Compute(EXEC_NS));
        ops.add(new KernelExecve(image != null));
        ops.add(new Ops.SysExit("execve", 0));
        if (image == null) {
            // call_usermodehelper_exec_async: do_exit(0) after a failed kernel_execve.
            ops.add(ProcessExit.exit(0));
            return new Program(ops, 1);
        }
        ops.addAll(image.ops(c.argv(), c.envp()));
        ops.add(ProcessExit.exit(0));
        return new Program(ops, 1);
    }

    private static String execQueue(int pid) {
        return "umh-exec:" + pid;
    }

    /** kernel_execve in the new task, then umh_complete for UMH_WAIT_EXEC. */
    record KernelExecve(boolean found) implements Op {
        public Outcome execute(Exec x) {
            int pid = x.pid();
            Helper h = of(x.kernel()).helpers.get(pid);
            h.execDone = true;
            h.execRetval = found ? 0 : Errno.ENOENT.negative();
            for (WaitHandle w : x.kernel().waitQueue(execQueue(pid)).signal()) {
                x.wake(w);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "kernel_execve";
        }
    }

    record CallOp(Call c, BiConsumer<Exec, Reply> done) implements Op {
        public Outcome execute(Exec x) {
            Umh u = of(x.kernel());
            Object me = x.waitHandle().waiter();
            boolean waits = (c.waitMode() & 3) != UMH_NO_WAIT;
            if (!x.retrying()) {
                // call_usermodehelper_setup: kzalloc(GFP_ATOMIC) for UMH_NO_WAIT, GFP_KERNEL (might sleep) otherwise.
                x.check(waits ? KernelCall.CALL_USERMODEHELPER_WAIT : KernelCall.CALL_USERMODEHELPER_NO_WAIT, this);
                if (c.path() == null) {
                    done.accept(x, new Error(Errno.EINVAL.negative(), "EINVAL"));
                    return Outcome.Next.INSTANCE;
                }
                int pid = spawn(x, u);
                if (!waits) {
                    done.accept(x, new Queued(pid));
                    return Outcome.Next.INSTANCE;
                }
                u.waiting.put(me, pid);
            }
            int pid = u.waiting.get(me);
            Helper h = u.helpers.get(pid);
            boolean proc = (c.waitMode() & UMH_WAIT_PROC) != 0;
            if (proc ? ProcessExit.waitStatus(x.kernel(), pid) >= 0 : h.execDone) {
                u.waiting.remove(me);
                done.accept(x, result(x, pid, h, proc));
                return Outcome.Next.INSTANCE;
            }
            boolean killable = (c.waitMode() & UMH_KILLABLE) != 0;
            String queue = proc ? "exit:" + pid : execQueue(pid);
            KernelObjects.WaitQueue q = x.kernel().waitQueue(queue);
            if (killable && x.taskContext() && x.fatalSignalPending()) {
                // wait_for_completion_state(TASK_KILLABLE) answers -ERESTARTSYS; the helper is left to finish alone.
                u.waiting.remove(me);
                q.removeWaiter(x.waitHandle());
                done.accept(x, new Error(-ERESTARTSYS, "ERESTARTSYS"));
                return Outcome.Next.INSTANCE;
            }
            q.addWaiter(x.waitHandle());
            x.check(KernelCall.SCHEDULE, this);
            // TASK_KILLABLE: shown as D, and only a fatal signal wakes it early.
            return new Outcome.Block(queue, killable ? 'K' : 'D');
        }

        private int spawn(Exec x, Umh u) {
            Executables.Image image = Executables.of(x.kernel()).lookup(c.path());
            Settings s = x.kernel().extension(Settings.class, () -> new Settings(-1));
            int pid = x.spawnProcess(Executables.comm(c.path()), helperBody(image, c), s.helperCpu());
            u.helpers.put(pid, new Helper());
            dev.kctx.actors.program.Tap.emit(x, "upcall", "start", c.path(), pid, () -> String.join(" ", c.argv()));
            return pid;
        }

        private static Reply result(Exec x, int pid, Helper h, boolean proc) {
            if (h.execRetval != 0) {
                return new Error(h.execRetval, Errno.byNumber(h.execRetval).name());
            }
            return proc ? new Exited(pid, ProcessExit.waitStatus(x.kernel(), pid)) : new Started(pid);
        }

        public String describe() {
            return "call_usermodehelper(" + c.path() + ", " + waitName(c.waitMode()) + ")";
        }
    }
}
