package dev.kctx.mechanisms.signal;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.deferred.KernelStep;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.user.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static dev.kctx.mechanisms.Progs.console;
import static dev.kctx.mechanisms.Progs.events;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.say;
import static dev.kctx.mechanisms.Progs.setuid;
import static dev.kctx.mechanisms.Progs.sleep;
import static dev.kctx.mechanisms.signal.SignalProtocol.ProcMask.SIG_BLOCK;
import static dev.kctx.mechanisms.signal.SignalProtocol.ProcMask.SIG_UNBLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signal protocol on running machines: every path of kernel/signal.c that the model reproduces. */
class SignalProtocolTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static RunResult run(MachineSpec.Builder b) {
        return DemoRuns.run(testKit, b.build(), ms(50));
    }

    static RunResult one(Program p) {
        return run(MachineSpec.builder().cpus(1).process("p", 0, 0, p, 100));
    }

    /** A handler printing the signal, its value and si_code. */
    static SigAction printer() {
        return SigAction.handler(i -> List.of(say(Signo.name(i.signo()) + " value " + i.value() + " code " + i.code())));
    }

    static Op pending() {
        return say(x -> "pending: " + SignalExample.names((Long) Sys.regs(x).vars.get(SigUser.SIGSET)));
    }

    @Test
    @DisplayName("three SIGUSR1 sent while it is blocked merge into one pending signal, delivered once when unblocked")
    void standardSignalsMerge() {
        RunResult r = one(program(
                SigUser.sigaction(Signo.SIGUSR1, printer()),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(Signo.SIGUSR1)),
                SigUser.raise(Signo.SIGUSR1), SigUser.raise(Signo.SIGUSR1), SigUser.raise(Signo.SIGUSR1),
                SigUser.sigpending(), pending(),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(Signo.SIGUSR1)),
                say("after unblock")));
        assertEquals(List.of("pending: SIGUSR1", "SIGUSR1 value 0 code 0", "after unblock"), console(r),
                "blocked: pending but not delivered; unblocked: delivered once, before the call returns to the program");
        List<String> results = events(r, "signal_generate").stream().map(a -> a.substring(a.lastIndexOf(' ') + 1)).toList();
        assertEquals(List.of("res=0", "res=2", "res=2"), results,
                "the first is queued, the other two find it already pending (TRACE_SIGNAL_ALREADY_PENDING)");
    }

    @Test
    @DisplayName("the first instance of a standard signal carries its siginfo: two sigqueue(SIGUSR1) while blocked deliver once, with"
            + " the first one's value and SI_QUEUE (legacy_queue drops only the second)")
    void standardSignalKeepsFirstSiginfo() {
        RunResult r = one(program(
                SigUser.sigaction(Signo.SIGUSR1, printer()),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(Signo.SIGUSR1)),
                SigUser.sigqueue(x -> x.pid(), Signo.SIGUSR1, 7), SigUser.sigqueue(x -> x.pid(), Signo.SIGUSR1, 8),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(Signo.SIGUSR1)),
                say("after unblock")));
        assertEquals(List.of("SIGUSR1 value 7 code -1", "after unblock"), console(r), "one delivery, the first instance's si_value");
    }

    @Test
    @DisplayName("three instances of a realtime signal are queued and delivered three times, in the order sent, each with its value")
    void realtimeSignalsQueue() {
        RunResult r = one(program(
                SigUser.sigaction(40, printer()),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(40)),
                SigUser.sigqueue(x -> x.pid(), 40, 1), SigUser.sigqueue(x -> x.pid(), 40, 2), SigUser.sigqueue(x -> x.pid(), 40, 3),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(40)),
                say("after unblock")));
        assertEquals(List.of("SIGRTMIN+6 value 1 code -1", "SIGRTMIN+6 value 2 code -1", "SIGRTMIN+6 value 3 code -1", "after unblock"),
                console(r), "each instance arrives with its si_int, code SI_QUEUE");
    }

    @Test
    @DisplayName("pending realtime signals are delivered lowest number first (handlers that block everything run one after another)")
    void lowerNumbersFirst() {
        SigAction a = printer().withMask(Signo.ALL);
        RunResult r = one(program(
                SigUser.sigaction(35, a), SigUser.sigaction(40, a), SigUser.sigaction(50, a),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(35, 40, 50)),
                SigUser.sigqueue(x -> x.pid(), 50, 50), SigUser.sigqueue(x -> x.pid(), 40, 40), SigUser.sigqueue(x -> x.pid(), 35, 35),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(35, 40, 50))));
        assertEquals(List.of("SIGRTMIN+1 value 35 code -1", "SIGRTMIN+6 value 40 code -1", "SIGRTMIN+16 value 50 code -1"), console(r),
                "dequeued 35, 40, 50 whatever the sending order");
    }

    @Test
    @DisplayName("handlers that do not block each other get nested frames: dequeued 35, 40, 50, the last frame's handler runs first")
    void nestedFrames() {
        RunResult r = one(program(
                SigUser.sigaction(35, printer()), SigUser.sigaction(40, printer()), SigUser.sigaction(50, printer()),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(35, 40, 50)),
                SigUser.sigqueue(x -> x.pid(), 50, 50), SigUser.sigqueue(x -> x.pid(), 40, 40), SigUser.sigqueue(x -> x.pid(), 35, 35),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(35, 40, 50))));
        assertEquals(List.of("SIGRTMIN+16 value 50 code -1", "SIGRTMIN+6 value 40 code -1", "SIGRTMIN+1 value 35 code -1"), console(r),
                "the exit-to-user loop sets up one frame per deliverable signal, each on top of the previous one");
        List<String> delivered = events(r, "signal_deliver").stream().map(a -> a.substring(0, a.indexOf(' '))).toList();
        assertEquals(List.of("sig=50", "sig=40", "sig=35"), delivered, "the handlers' order as the trace shows it");
    }

    @Test
    @DisplayName("RLIMIT_SIGPENDING: a realtime sigqueue beyond the limit fails with EAGAIN; nothing is lost of what was queued")
    void sigqueueLimit() {
        RunResult r = one(program(
                SigUser.sigaction(40, printer()),
                SigUser.setrlimitSigpending(2),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(40)),
                SigUser.sigqueue(x -> x.pid(), 40, 1), SigUser.perror("sigqueue 1"),
                SigUser.sigqueue(x -> x.pid(), 40, 2), SigUser.perror("sigqueue 2"),
                SigUser.sigqueue(x -> x.pid(), 40, 3), SigUser.perror("sigqueue 3"),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(40))));
        assertEquals(List.of("sigqueue 3: Resource temporarily unavailable", "SIGRTMIN+6 value 1 code -1", "SIGRTMIN+6 value 2 code -1"),
                console(r), "the third finds the user's two queued signals at the limit of two");
        assertTrue(events(r, "signal_generate").get(2).endsWith("res=3"), "traced as TRACE_SIGNAL_OVERFLOW_FAIL");
    }

    @Test
    @DisplayName("RLIMIT_SIGPENDING: kill(2) of a realtime signal at the limit still sets it pending, without its siginfo")
    void killAtLimitLosesInfo() {
        SigAction show = SigAction.handler(i -> List.of(say(Signo.name(i.signo()) + " from pid " + i.pid() + " value " + i.value())))
                .withMask(Signo.ALL);
        RunResult r = one(program(
                SigUser.sigaction(40, show), SigUser.sigaction(41, show),
                SigUser.setrlimitSigpending(2),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(40, 41)),
                SigUser.sigqueue(x -> x.pid(), 41, 1), SigUser.sigqueue(x -> x.pid(), 41, 2),
                SigUser.kill(x -> x.pid(), 40), SigUser.perror("kill"),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(40, 41))));
        assertEquals(List.of("SIGRTMIN+6 from pid 0 value 0", "SIGRTMIN+7 from pid 100 value 1", "SIGRTMIN+7 from pid 100 value 2"),
                console(r), "the kill succeeded; collect_signal found no siginfo and made up an empty one");
        assertTrue(events(r, "signal_generate").get(2).endsWith("res=4"), "traced as TRACE_SIGNAL_LOSE_INFO");
    }

    @Test
    @DisplayName("RLIMIT_SIGPENDING counts the queued signals of every process of the target's user")
    void limitIsPerUser() {
        Program first = program(setuid(1000), SigUser.sigaction(40, printer()), SigUser.setrlimitSigpending(3),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(40)),
                SigUser.sigqueue(x -> x.pid(), 40, 1), SigUser.sigqueue(x -> x.pid(), 40, 2),
                sleep(ms(1)),
                SigUser.sigqueue(x -> x.pid(), 40, 3), SigUser.perror("third sigqueue"));
        Program other = program(setuid(1000), SigUser.sigprocmask(SIG_BLOCK, Signo.set(40)),
                SigUser.sigqueue(x -> x.pid(), 40, 9), sleep(ms(5)));
        RunResult r = run(MachineSpec.builder().cpus(2).process("first", 0, 0, first, 100).process("other", 1, 0, other, 101));
        assertEquals(List.of("third sigqueue: Resource temporarily unavailable"), console(r),
                "two of its own plus one of the other process make three, the limit");
    }

    @Test
    @DisplayName("kill(2): another user's process is EPERM, a missing one ESRCH, a bad number EINVAL, signal 0 only checks; root"
            + " may kill anyone")
    void killPermissions() {
        Program root = program(sleep(ms(2)), SigUser.kill(102, Signo.SIGTERM), SigUser.perror("root kill"), sleep(ms(1)),
                say(x -> "status of 102: " + ProcessExit.waitStatus(x.kernel(), 102)));
        Program peer = program(setuid(1000), SigUser.sigaction(Signo.SIGUSR1, printer()), sleep(ms(5)));
        Program user = program(setuid(1000), sleep(us(100)),
                SigUser.kill(100, Signo.SIGUSR1), SigUser.perror("kill root's"),
                SigUser.kill(101, Signo.SIGUSR1), SigUser.perror("kill own"),
                SigUser.kill(99999, Signo.SIGUSR1), SigUser.perror("kill missing"),
                SigUser.kill(101, 65), SigUser.perror("kill 65"),
                SigUser.kill(100, 0), SigUser.perror("kill root's with 0"),
                SigUser.kill(101, 0), SigUser.perror("kill own with 0"),
                SigUser.sigaction(Signo.SIGKILL, printer()), SigUser.perror("sigaction SIGKILL"),
                sleep(ms(10)), say("not reached"));
        RunResult r = run(MachineSpec.builder().cpus(3).process("root", 0, 0, root, 100).process("peer", 1, 0, peer, 101)
                .process("user", 2, 0, user, 102));
        assertEquals(List.of(
                "kill root's: Operation not permitted",
                "kill missing: No such process",
                "kill 65: Invalid argument",
                "kill root's with 0: Operation not permitted",
                "sigaction SIGKILL: Invalid argument",
                "SIGUSR1 value 0 code 0",
                "status of 102: 15"), console(r),
                "the user may signal its own process only (its peer on CPU 1 wakes for the handler after the calls of this instant);"
                        + " root's SIGTERM ends the sleeper");
    }

    @Test
    @DisplayName("default actions: SIGCHLD is ignored, SIG_IGN ignores SIGTERM, the default SIGTERM terminates (status 143 in the shell)")
    void defaultActions() {
        Program victim = program(
                SigUser.raise(Signo.SIGCHLD), say("SIGCHLD ignored"),
                SigUser.sigaction(Signo.SIGTERM, SigAction.ign()), SigUser.raise(Signo.SIGTERM), say("SIGTERM ignored"),
                SigUser.sigaction(Signo.SIGTERM, SigAction.dfl()), SigUser.raise(Signo.SIGTERM), say("not reached"));
        RunResult r = shell(Map.of("/root/victim", (a, e) -> victim.ops()), "./victim", "echo $?");
        assertEquals(List.of("# ./victim", "SIGCHLD ignored", "SIGTERM ignored", "Terminated", "# echo $?", "143"), console(r),
                "the shell reports the death and 128 + 15");
    }

    @Test
    @DisplayName("SIGKILL cannot be blocked; SA_RESETHAND handles once, then the default action applies")
    void killAndResethand() {
        Program unblockable = program(SigUser.sigprocmask(SIG_BLOCK, Signo.ALL), SigUser.raise(Signo.SIGKILL), say("not reached"));
        Program once = program(SigUser.sigaction(Signo.SIGUSR1, printer().withFlags(SigAction.SA_RESETHAND)),
                SigUser.raise(Signo.SIGUSR1), SigUser.raise(Signo.SIGUSR1), say("not reached"));
        RunResult r = shell(Map.of("/root/unblockable", (a, e) -> unblockable.ops(), "/root/once", (a, e) -> once.ops()),
                "./unblockable", "echo $?", "./once", "echo $?");
        assertEquals(List.of("# ./unblockable", "Killed", "# echo $?", "137",
                "# ./once", "SIGUSR1 value 0 code 0", "User defined signal 1", "# echo $?", "138"), console(r),
                "blocking SIGKILL is silently dropped from the mask; the second SIGUSR1 finds SIG_DFL");
    }

    @Test
    @DisplayName("setting SIG_IGN discards a pending signal even while it is blocked")
    void ignoreDiscardsPending() {
        RunResult r = one(program(
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(Signo.SIGUSR1)), SigUser.raise(Signo.SIGUSR1),
                SigUser.sigpending(), pending(),
                SigUser.sigaction(Signo.SIGUSR1, SigAction.ign()),
                SigUser.sigpending(), pending()));
        assertEquals(List.of("pending: SIGUSR1", "pending: "), console(r), "POSIX: the pending instance is discarded");
    }

    @Test
    @DisplayName("send_sig_info from a hard IRQ passes the gate clean and wakes a process in pause(), which returns EINTR after"
            + " the handler")
    void fromHardIrq() {
        Program p = program(
                SigUser.sigaction(44,
                        SigAction.handler(i -> List.of(say(x -> "value " + i.value() + " at " + x.now() / 1000 + "us in " + x.level())))),
                SigUser.pause(), SigUser.perror("pause"), say("back in main"));
        Program irq = Program.of(new KernelStep("send", x -> SignalKernel.sendSigInfo(x, 44,
                new SigInfo(44, SigInfo.SI_QUEUE, 0, 0, 7, 0), 100)));
        RunResult r = run(MachineSpec.builder().cpus(1).process("p", 0, 0, p, 100)
                .irq("dev", 5, List.of(0), new Arrivals.At(List.of(ms(1))), irq));
        assertEquals(List.of("value 7 at 1000us in USER", "pause: Interrupted system call", "back in main"), console(r),
                "the handler runs in user mode as pause returns");
        assertEquals(List.of(), r.reports(), "no report: signals may be sent from any context");
    }

    @Test
    @DisplayName("a signal interrupts user code that is computing: the handler runs at once, then the rest of the computation")
    void interruptsUserCode() {
        Program p = program(SigUser.sigaction(Signo.SIGUSR1,
                SigAction.handler(i -> List.of(say(x -> "handler at " + x.now() / 1000 + "us")))),
                new Ops.Compute(ms(2)), say(x -> "computed until " + x.now() / 1000 + "us"));
        Program sender = Program.of(new KernelStep("send", x -> SignalKernel.sendSig(x, Signo.SIGUSR1, 100)));
        RunResult r = run(MachineSpec.builder().cpus(2).process("p", 0, 0, p, 100).kthread("sender", 1, us(500), sender));
        List<String> lines = console(r);
        assertEquals("handler at 500us", lines.get(0), "signal_wake_up kicks the CPU running the target");
        assertTrue(lines.get(1).startsWith("computed until 20"), "the remaining 1.5ms of work follows: " + lines.get(1));
    }

    @Test
    @DisplayName("user space cannot signal the kernel: kill of a kernel thread returns 0 and the thread is not affected")
    void kernelThreadsIgnoreSignals() {
        Program kt = program(new Ops.Msleep(ms(2)), new Ops.Printk("kthread still here"));
        Program p = program(SigUser.kill(50, Signo.SIGKILL), SigUser.perror("kill"), say(x -> "kill returned " + Sys.regs(x).ret),
                sleep(ms(3)), SigUser.kill(50, Signo.SIGKILL), SigUser.perror("kill after exit"));
        RunResult r = run(MachineSpec.builder().cpus(2).kthread("kt", 1, 0, kt, 50).process("p", 0, 0, p, 100));
        assertEquals(List.of("kill returned 0", "kill after exit: No such process"), console(r), "accepted, then dropped");
        assertTrue(r.dmesg().get(0).endsWith("kthread still here"), "the kernel thread ran to its end: " + r.dmesg());
        assertTrue(events(r, "signal_generate").get(0).endsWith("res=1"), "traced as TRACE_SIGNAL_IGNORED");
    }

    @Test
    @DisplayName("sigsuspend waits with the given mask and puts the old one back after the handler")
    void sigsuspendRestoresMask() {
        Program p = program(SigUser.sigaction(44, printer()), SigUser.sigprocmask(SIG_BLOCK, Signo.set(44)),
                SigUser.sigsuspend(0), SigUser.perror("sigsuspend"),
                SigUser.sigprocmask(SIG_BLOCK, 0), say(x -> "mask: " + SignalExample.names((Long) Sys.regs(x).vars.get(SigUser.SIGSET))));
        SigInfo five = new SigInfo(44, SigInfo.SI_QUEUE, 0, 0, 5, 0);
        Program sender = Program.of(new KernelStep("send", x -> SignalKernel.sendSigInfo(x, 44, five, 100)));
        RunResult r = run(MachineSpec.builder().cpus(2).process("p", 0, 0, p, 100).kthread("sender", 1, ms(1), sender));
        assertEquals(List.of("SIGRTMIN+10 value 5 code -1", "sigsuspend: Interrupted system call", "mask: SIGRTMIN+10"), console(r),
                "44 was deliverable only inside sigsuspend");
    }

    static RunResult shell(Map<String, dev.kctx.mechanisms.user.Executables.Image> programs, String... commands) {
        Program.Builder b = Program.builder();
        for (String c : commands) {
            b.op(dev.kctx.mechanisms.shell.Shell.command(c));
        }
        return run(dev.kctx.mechanisms.Progs.machine(1, List.of(), programs).process("sh", 0, 0, b.build(), 4242));
    }
}
