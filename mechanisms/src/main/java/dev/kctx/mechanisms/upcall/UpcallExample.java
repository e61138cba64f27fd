package dev.kctx.mechanisms.upcall;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.contexts.Durations;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.deferred.Timers;
import dev.kctx.mechanisms.deferred.Workqueue;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.FileCalls;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A module that calls user-mode helpers on request: writing {@code "MODE PATH ARGS..."} to
 * /sys/kernel/debug/upcall_example runs call_usermodehelper in a work item (process context, a
 * kworker); {@code "timer MODE PATH ARGS..."} runs it in a timer callback (soft IRQ context) at
 * the next tick. Each call's return value goes to the kernel log. The helper /sbin/kctx_helper
 * appends a line (its pid, uid, argv) to /tmp/kctx_helper.log, works a little and exits with the
 * status its {@code exit=N} argument asks for ({@code work=DURATION} makes it work longer).
 */
public final class UpcallExample {
    public static final String NAME = "upcall_example";
    public static final String CONTROL = "/sys/kernel/debug/upcall_example";
    public static final String HELPER = "/sbin/kctx_helper";
    public static final String LOG = "/tmp/kctx_helper.log";
    /** The seed's environment for helpers. */
    public static final List<String> ENVP = List.of("HOME=/", "TERM=linux", "PATH=/sbin:/bin:/usr/sbin:/usr/bin");
    /** What the helper does by default besides logging. */
    public static final long HELPER_WORK_NS = 200_000L;

    private UpcallExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), UpcallExample::init, m -> { });
    }

    /** /sbin/kctx_helper. */
    public static Map<String, Executables.Image> programs() {
        return Map.of(HELPER, UpcallExample::helper);
    }

    /**
     * A machine for upcalls: the shell and the timer tick on CPU 0; the worker thread and the
     * helpers it starts on CPU 1 (as the unbound workqueue would place them), so that a helper can
     * run while CPU 0 is stuck in a soft IRQ that waits for it.
     */
    public static MachineSpec.Builder machine(MachineSpec.Builder b) {
        return workers(Timers.install(b.cpus(2)), 1).boot(Executables.class, () -> new Executables(programs()));
    }

    /** The work queue's worker thread on {@code cpu}, and the helpers it starts there too. */
    public static MachineSpec.Builder workers(MachineSpec.Builder b, int cpu) {
        return Workqueue.install(b, cpu).boot(Umh.Settings.class, () -> new Umh.Settings(cpu));
    }

    private static int init(ModuleCtx m) {
        m.createFile(CONTROL, 0200, new Control());
        return 0;
    }

    /** The control file's write handler: parse, then hand the call to a worker or a timer. */
    record Control() implements FileOps {
        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            List<String> w = new ArrayList<>(Arrays.asList(new String(c.copyFromUser(data), StandardCharsets.UTF_8).strip().split("\\s+")));
            boolean timer = !w.isEmpty() && w.get(0).equals("timer");
            if (timer) {
                w.remove(0);
            }
            if (w.size() < 2) {
                throw new KernelError(Errno.EINVAL);
            }
            int mode;
            try {
                mode = Umh.parseWait(w.get(0));
            } catch (IllegalArgumentException e) {
                throw new KernelError(Errno.EINVAL);
            }
            String path = w.get(1);
            List<String> argv = w.subList(1, w.size());
            Op call = Umh.call(path, argv, ENVP, mode, (x, r) -> x.printk(NAME + ": " + x.contextName() + ": call_usermodehelper("
                    + path + ", " + Umh.waitName(mode) + ") = " + Umh.explain(r)));
            if (timer) {
                Timers.modTimer(c.exec(), NAME + "@" + c.now(), 1, List.of(call));
            } else {
                Workqueue.queueWork(c.exec(), List.of(call));
            }
            return IoResult.Done.of(data.length);
        }
    }

    /** The helper program: log a line, work, exit with the asked status. */
    static List<Op> helper(List<String> argv, List<String> envp) {
        int code = 0;
        long work = HELPER_WORK_NS;
        for (String a : argv.subList(1, argv.size())) {
            if (a.startsWith("exit=")) {
                code = dev.kctx.mechanisms.user.Libc.atoi(a.substring(5));
            } else if (a.startsWith("work=")) {
                try {
                    work = Durations.parse(a.substring(5));
                } catch (IllegalArgumentException e) {
                    // not a duration: the helper keeps its default work, as a C helper ignores what it cannot parse
                }
            }
        }
        return helperRun(argv, LOG, work, code);
    }

    /**
     * A helper's run: append "comm[pid]: uid U, argv: ..." to {@code log} (none when null), work
     * for {@code work} ns, exit with {@code code}. Scenario files declare helpers of this shape.
     */
    public static List<Op> helperRun(List<String> argv, String log, long work, int code) {
        List<Op> p = new ArrayList<>();
        if (log != null) {
            p.addAll(Libc.open("log", log, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_APPEND));
            p.addAll(FileCalls.write("log", x -> (Executables.comm(argv.get(0)) + "[" + x.pid() + "]: uid " + Cred.of(x).uid()
                    + ", argv: " + String.join(" ", argv) + "\n").getBytes(StandardCharsets.UTF_8)));
            p.addAll(FileCalls.close("log"));
        }
        p.add(new Ops.Compute(work));
        p.add(ProcessExit.exit(code));
        return p;
    }
}
