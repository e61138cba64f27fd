package dev.kctx.mechanisms.signal;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.FileCalls;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The seed's signal example: the module signal_kernel has a debugfs file (root only, write only)
 * to which a process writes its pid; the write handler sends it realtime signal 44 with the value
 * 1234 (si_code SI_QUEUE, so the handler gets the value). A second file, signalburst, sends three
 * SIGUSR1 and three signal-44s with values 1, 2, 3 to the pid written to it. The programs:
 * /root/signal_user (the seed's) and /root/signal_burst.
 */
public final class SignalExample {
    public static final String NAME = "signal_kernel";
    /** The seed's signal: realtime, hard coded because SIGRTMIN differs between kernel and glibc. */
    public static final int SIG_TEST = 44;
    public static final String CONF_PID = "/sys/kernel/debug/signalconfpid";
    public static final String BURST = "/sys/kernel/debug/signalburst";
    public static final String SIGNAL_USER = "/root/signal_user";
    public static final String SIGNAL_BURST = "/root/signal_burst";

    private SignalExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), SignalExample::init, m -> { });
    }

    /** The user programs, for a machine's {@link Executables}. */
    public static Map<String, Executables.Image> programs() {
        return Map.of(SIGNAL_USER, (argv, envp) -> signalUser(), SIGNAL_BURST, (argv, envp) -> signalBurst());
    }

    private static int init(ModuleCtx m) {
        // debugfs_create_file("signalconfpid", 0200, NULL, NULL, &my_fops): only root may write it.
        m.createFile(CONF_PID, 0200, new WritePid(false));
        m.createFile(BURST, 0200, new WritePid(true));
        return 0;
    }

    /** write_pid: read the pid (sscanf "%d"), log it, signal that task. */
    record WritePid(boolean burst) implements FileOps {
        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            if (data.length > 10) {
                throw new KernelError(Errno.EINVAL);
            }
            int pid = scanInt(new String(c.copyFromUser(data), StandardCharsets.US_ASCII));
            c.printk("pid = " + pid);
            var task = c.kernel().task(pid);
            if (task == null || task.exited()) {
                c.printk("no such pid");
                throw new KernelError(Errno.ENODEV);
            }
            List<Integer> rets = new ArrayList<>();
            if (!burst) {
                // SI_QUEUE rather than SI_KERNEL, or the value would not reach the handler.
                rets.add(SignalKernel.sendSigInfo(c.exec(), SIG_TEST, new SigInfo(SIG_TEST, SigInfo.SI_QUEUE, 0, 0, 1234, 0), pid));
            } else {
                for (int i = 1; i <= 3; i++) {
                    rets.add(SignalKernel.sendSig(c.exec(), Signo.SIGUSR1, pid));
                }
                for (int i = 1; i <= 3; i++) {
                    rets.add(SignalKernel.sendSigInfo(c.exec(), SIG_TEST, new SigInfo(SIG_TEST, SigInfo.SI_QUEUE, 0, 0, i, 0), pid));
                }
                c.printk("signalburst: sent SIGUSR1 three times, then signal 44 with values 1, 2, 3");
            }
            for (int ret : rets) {
                if (ret < 0) {
                    c.printk("error sending signal");
                    throw new KernelError(Errno.byNumber(ret));
                }
            }
            return IoResult.Done.of(data.length);
        }
    }

    static int scanInt(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        int start = i;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        try {
            return Integer.parseInt(s.substring(start, i));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The seed's handler: printf("received value %i\n", info->si_int). */
    static List<Op> receiveData(SigInfo info) {
        return List.of(FileCalls.printf(x -> "received value " + info.value()));
    }

    private static List<Op> exitOnError(String what) {
        return List.of(FileCalls.perror(what, List.of(ProcessExit.exit(255))));
    }

    /** signal_user.c: a handler for 44 with SA_SIGINFO, then the pid to the debugfs file; the handler runs on the way back from write. */
    static List<Op> signalUser() {
        List<Op> p = new ArrayList<>(SigUser.sigaction(SIG_TEST, SigAction.handler(SignalExample::receiveData)));
        p.addAll(Libc.open("configfd", CONF_PID, OpenFlags.O_WRONLY));
        p.addAll(exitOnError("open"));
        p.addAll(FileCalls.write("configfd", x -> (x.pid() + "\0").getBytes(StandardCharsets.US_ASCII)));
        p.addAll(exitOnError("fwrite"));
        return p;
    }

    /**
     * signal_burst: both signals blocked while the module sends them, so all six are pending at
     * once; the handlers block every signal while they run, so they run one after another.
     */
    static List<Op> signalBurst() {
        long both = Signo.set(Signo.SIGUSR1, SIG_TEST);
        List<Op> p = new ArrayList<>(SigUser.sigaction(Signo.SIGUSR1,
                SigAction.handler(info -> List.of(FileCalls.printf(x -> "received SIGUSR1"))).withMask(Signo.ALL)));
        p.addAll(SigUser.sigaction(SIG_TEST, SigAction.handler(SignalExample::receiveData).withMask(Signo.ALL)));
        p.addAll(SigUser.sigprocmask(SignalProtocol.ProcMask.SIG_BLOCK, both));
        p.addAll(Libc.open("fd", BURST, OpenFlags.O_WRONLY));
        p.addAll(exitOnError("open"));
        p.addAll(FileCalls.write("fd", x -> String.valueOf(x.pid()).getBytes(StandardCharsets.US_ASCII)));
        p.addAll(exitOnError("write"));
        p.addAll(FileCalls.close("fd"));
        p.addAll(SigUser.sigpending());
        p.add(FileCalls.printf(x -> "pending while blocked: " + names((Long) Sys.regs(x).vars.get(SigUser.SIGSET))));
        p.add(FileCalls.printf(x -> "unblocking"));
        p.addAll(SigUser.sigprocmask(SignalProtocol.ProcMask.SIG_UNBLOCK, both));
        p.add(FileCalls.printf(x -> "done"));
        return p;
    }

    static String names(long set) {
        StringJoiner j = new StringJoiner(" ");
        for (int sig = 1; sig <= Signo.NSIG; sig++) {
            if ((set & Signo.bit(sig)) != 0) {
                j.add(Signo.name(sig));
            }
        }
        return j.toString();
    }
}
