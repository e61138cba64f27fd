package dev.kctx.mechanisms.upcall;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Progs;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.signal.SigAction;
import dev.kctx.mechanisms.signal.SigUser;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.ProcessExit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static dev.kctx.mechanisms.Progs.console;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.say;
import static dev.kctx.mechanisms.Progs.setuid;
import static dev.kctx.mechanisms.upcall.Umh.UMH_KILLABLE;
import static dev.kctx.mechanisms.upcall.Umh.UMH_NO_WAIT;
import static dev.kctx.mechanisms.upcall.Umh.UMH_WAIT_EXEC;
import static dev.kctx.mechanisms.upcall.Umh.UMH_WAIT_PROC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** call_usermodehelper on running machines: wait modes, return values, failures, killable waits, atomic callers. */
class UmhTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** /sbin/helper: prints its uid, works 100us (or work=N us), exits with exit=N; /sbin/suicide raises SIGTERM. */
    static final Map<String, Executables.Image> PROGRAMS = Map.of(
            "/sbin/helper", (argv, envp) -> {
                int code = 0;
                long work = us(100);
                for (String a : argv) {
                    if (a.startsWith("exit=")) {
                        code = Integer.parseInt(a.substring(5));
                    } else if (a.startsWith("work=")) {
                        work = us(Long.parseLong(a.substring(5)));
                    }
                }
                return Progs.ops(say(x -> "helper " + x.pid() + " uid " + Cred.of(x).uid() + " at " + x.now() / 1000 + "us"),
                        new Ops.Compute(work), ProcessExit.exit(code));
            },
            "/sbin/suicide", (argv, envp) -> Progs.ops(SigUser.raise(Signo.SIGTERM)));

    /** A call whose result is printed with the time and context it returned in. */
    static Op call(String path, int wait, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(path));
        argv.addAll(List.of(args));
        return Umh.call(path, argv, UpcallExample.ENVP, wait, (x, r) -> x.console(Umh.waitName(wait) + " " + path + " = "
                + Umh.explain(r) + " at " + x.now() / 1000 + "us in " + x.level()));
    }

    static MachineSpec.Builder machine(int cpus) {
        return Progs.machine(cpus, List.of(), PROGRAMS).boot(Umh.Settings.class, () -> new Umh.Settings(cpus - 1));
    }

    static RunResult run(MachineSpec.Builder b) {
        return DemoRuns.run(testKit, b.build(), ms(30));
    }

    @Test
    @DisplayName("from a kernel thread: UMH_NO_WAIT returns at once, UMH_WAIT_EXEC once the program runs, UMH_WAIT_PROC at its"
            + " exit with the wait status")
    void waitModes() {
        Program caller = program(call("/sbin/helper", UMH_NO_WAIT, "work=1000"), call("/sbin/helper", UMH_WAIT_EXEC, "work=1000"),
                call("/sbin/helper", UMH_WAIT_PROC, "exit=3"));
        RunResult r = run(machine(3).kthread("caller", 0, 0, caller));
        assertEquals(List.of(
                "UMH_NO_WAIT /sbin/helper = 0 at 0us in KERNEL",
                "helper 1000 uid 0 at 50us",
                "helper 1001 uid 0 at 1100us",
                "UMH_WAIT_EXEC /sbin/helper = 0 at 1100us in KERNEL",
                "helper 1002 uid 0 at 2150us",
                "UMH_WAIT_PROC /sbin/helper = 768 (exit status 3) at 2250us in KERNEL"), console(r),
                "helpers take CPU 2 one after another: NO_WAIT returned before its helper even started; WAIT_EXEC once the"
                        + " second helper's 50us exec was done, while it works on; WAIT_PROC when exit(3) ended the third: 3 << 8");
    }

    @Test
    @DisplayName("UMH_WAIT_PROC answers a helper's death by signal with the signal number; helpers run as root whoever calls")
    void statusAndCredentials() {
        Program caller = program(setuid(1000), new Ops.SysEnter("finit_module"), call("/sbin/suicide", UMH_WAIT_PROC),
                call("/sbin/helper", UMH_WAIT_PROC), new Ops.SysExit("finit_module", 0));
        RunResult r = run(machine(2).process("caller", 0, 0, caller, 100));
        List<String> lines = console(r);
        assertEquals("UMH_WAIT_PROC /sbin/suicide = 15 (killed by SIGTERM) at 50us in KERNEL", lines.get(0),
                "the wait status of a SIGTERM death");
        assertTrue(lines.get(1).startsWith("helper ") && lines.get(1).contains(" uid 0 "),
                "the helper is root though its caller is uid 1000: " + lines);
        assertTrue(lines.get(2).startsWith("UMH_WAIT_PROC /sbin/helper = 0 (exit status 0)"), "exit(0) gives 0: " + lines);
    }

    @Test
    @DisplayName("a missing program: UMH_NO_WAIT still returns 0 (no useful error), the waiting modes return -ENOENT; no path at"
            + " all is -EINVAL")
    void missingProgram() {
        Program caller = program(call("/sbin/none", UMH_NO_WAIT), call("/sbin/none", UMH_WAIT_EXEC), call("/sbin/none", UMH_WAIT_PROC),
                Umh.call(null, List.of(), List.of(), UMH_WAIT_PROC, (x, r) -> x.console("no path = " + Umh.explain(r))));
        RunResult r = run(machine(2).kthread("caller", 0, 0, caller));
        assertEquals(List.of(
                "UMH_NO_WAIT /sbin/none = 0 at 0us in KERNEL",
                "UMH_WAIT_EXEC /sbin/none = -2 (ENOENT) at 100us in KERNEL",
                "UMH_WAIT_PROC /sbin/none = -2 (ENOENT) at 150us in KERNEL",
                "no path = -22 (EINVAL)"), console(r), "kernel_execve's -ENOENT survives the helper's do_exit(0)");
    }

    /** A process that makes a syscall which calls a helper working 5ms; {@code mode} is the wait. */
    static Program syscallCaller(int mode) {
        return program(SigUser.sigaction(Signo.SIGUSR1,
                SigAction.handler(i -> List.of(say(x -> "SIGUSR1 handled at " + x.now() / 1000 + "us")))),
                new Ops.SysEnter("finit_module"), call("/sbin/helper", mode, "work=5000", "exit=1"), new Ops.SysExit("finit_module", 0),
                say("back in user mode"));
    }

    static Program killer(int sig) {
        return program(Progs.sleep(ms(1)), SigUser.kill(100, sig), SigUser.perror("kill"), Progs.sleep(ms(10)),
                say(x -> "status of 100: " + ProcessExit.waitStatus(x.kernel(), 100)));
    }

    @Test
    @DisplayName("UMH_KILLABLE: SIGKILL ends the wait with -ERESTARTSYS and the caller dies; the helper runs on")
    void killableWaitKilled() {
        RunResult r = run(machine(3).process("caller", 0, 0, syscallCaller(UMH_WAIT_PROC | UMH_KILLABLE), 100)
                .process("killer", 1, 0, killer(Signo.SIGKILL), 101));
        assertEquals(List.of(
                "helper 1000 uid 0 at 50us",
                "UMH_WAIT_PROC|UMH_KILLABLE /sbin/helper = -512 (ERESTARTSYS) at 1000us in KERNEL",
                "status of 100: 9"), console(r), "the caller returned at the kill, not at the helper's exit");
        assertTrue(Progs.events(r, "sched_process_exit").stream().anyMatch(a -> a.contains("pid=1000")),
                "the helper exited later on its own");
    }

    @Test
    @DisplayName("without UMH_KILLABLE the same SIGKILL waits for the helper: the call returns its status, then the caller dies")
    void uninterruptibleWait() {
        RunResult r = run(machine(3).process("caller", 0, 0, syscallCaller(UMH_WAIT_PROC), 100)
                .process("killer", 1, 0, killer(Signo.SIGKILL), 101));
        assertEquals(List.of(
                "helper 1000 uid 0 at 50us",
                "UMH_WAIT_PROC /sbin/helper = 256 (exit status 1) at 5050us in KERNEL",
                "status of 100: 9"), console(r), "TASK_UNINTERRUPTIBLE: the kill waits until the call returns");
    }

    @Test
    @DisplayName("UMH_KILLABLE: a signal with a handler is not fatal, the wait goes on and the handler runs after the call")
    void killableWaitIgnoresNonFatal() {
        RunResult r = run(machine(3).process("caller", 0, 0, syscallCaller(UMH_WAIT_PROC | UMH_KILLABLE), 100)
                .process("killer", 1, 0, killer(Signo.SIGUSR1), 101));
        assertEquals(List.of(
                "helper 1000 uid 0 at 50us",
                "UMH_WAIT_PROC|UMH_KILLABLE /sbin/helper = 256 (exit status 1) at 5050us in KERNEL",
                "SIGUSR1 handled at 5050us",
                "back in user mode",
                "status of 100: 0"), console(r), "woken by the signal, back to sleep; the handler on the way out; a normal exit");
    }

    @Test
    @DisplayName("from a soft IRQ a waiting mode is sleep-in-atomic at the call and scheduling-while-atomic at the wait;"
            + " UMH_NO_WAIT from a hard IRQ is clean")
    void atomicCallers() {
        RunResult r = run(machine(2)
                .irq("dev", 5, List.of(0), new Arrivals.At(List.of(ms(1))), Program.of(call("/sbin/helper", UMH_NO_WAIT),
                        new Ops.RaiseSoftirq(SoftirqVector.NET_RX)))
                .softirq(SoftirqVector.NET_RX, Program.of(call("/sbin/helper", UMH_WAIT_EXEC))));
        assertEquals(List.of(
                "UMH_NO_WAIT /sbin/helper = 0 at 1000us in HARDIRQ",
                "helper 1000 uid 0 at 1050us",
                "helper 1001 uid 0 at 1200us",
                "UMH_WAIT_EXEC /sbin/helper = 0 at 1200us in SOFTIRQ"), console(r),
                "the soft IRQ really waited for the exec on the other CPU, behind the first helper's 150us");
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC, ReportKind.SCHEDULING_WHILE_ATOMIC),
                r.reports().stream().map(Report::kind).toList(),
                "both from the soft IRQ's call, none from the hard IRQ's UMH_NO_WAIT");
        r.reports().forEach(rep -> assertEquals(ContextLevel.SOFTIRQ, rep.where().level(), "in the soft IRQ"));
    }

    @Test
    @DisplayName("a kernel thread holding a spin lock that calls with UMH_WAIT_PROC is sleep-in-atomic")
    void underSpinLock() {
        RunResult r = run(machine(2).kthread("caller", 0, 0, Program.builder().spinLock("L").op(call("/sbin/helper", UMH_WAIT_PROC))
                .spinUnlock("L").build()));
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC, ReportKind.SCHEDULING_WHILE_ATOMIC),
                r.reports().stream().map(Report::kind).toList(),
                "preemption is off under the lock");
        assertEquals(List.of("L"), r.reports().get(0).locksHeld().stream().map(l -> l.replaceAll("[ {].*", "")).toList(),
                "the report names the lock");
    }
}
