package dev.kctx.tests.faults;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.signal.SigAction;
import dev.kctx.mechanisms.signal.SigUser;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.tests.properties.Sim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults at the scenario level, each ending in the errno or the exit status Linux gives and with
 * the engine's invariants ({@link EngineInvariants}) holding at the end: a process killed in the
 * middle of a system call, a handled signal interrupting one, a kill that cannot wake a task in
 * uninterruptible sleep, a consumer that stops reading, rmmod while a socket of the module's
 * family is open.
 */
@DisplayName("Injected faults")
class FaultInjectionTest {
    static final int FAMILY = 25;
    static final int VICTIM = 4700;
    static final int OTHER = 4701;

    @AfterAll
    static void shutdown() {
        Sim.shutdown();
    }

    /** Catches the machine's kernel objects, to inspect them after the run. */
    record Inspect(AtomicReference<KernelObjects> into) implements Op {
        public Outcome execute(Exec x) {
            into.set(x.kernel());
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "inspect";
        }
    }

    /** One run of a two-CPU machine with a netlink family module, its kernel objects and console. */
    record Run(RunResult result, KernelObjects kernel, List<Integer> pids) {
        List<String> console() {
            return result.console();
        }

        /** When {@code pid} exited, or -1. */
        long exitTime(int pid) {
            return result.trace().stream().filter(e -> e.event().equals("sched_process_exit") && e.subject() == pid)
                    .mapToLong(TraceRecord::timeNs).findFirst().orElse(-1);
        }

        void invariantsHold() {
            assertEquals(List.of(), EngineInvariants.check(result, kernel, pids), "the engine's invariants hold at the end");
            assertEquals(java.util.Optional.empty(), result.failure(), "the run ended normally");
        }

        MechanismSnapshot netlink() {
            return NetCounters.get(kernel).snapshot().stream().filter(s -> s.mechanism().equals("netlink")).findFirst().orElseThrow();
        }
    }

    static ModuleDef family() {
        return new ModuleDef("fam", List.of(), c -> Netlink.get(c.ctx().kernel()).kernelCreate(c, FAMILY,
                Netlink.Config.of(in -> { })) == null ? -12 : 0, null);
    }

    static Run run(long until, MachineSpec.Builder b, int... pids) {
        AtomicReference<KernelObjects> k = new AtomicReference<>();
        b.cpus(2).boot(Modules.class, () -> new Modules(List.of(family())))
                .kthread("inspector", 1, 0, Program.of(new Inspect(k)));
        RunResult r = Sim.run(b.build(), until, Sim.DEFAULT);
        return new Run(r, k.get(), Arrays.stream(pids).boxed().toList());
    }

    @SafeVarargs
    static Program program(List<Op>... parts) {
        List<Op> ops = new ArrayList<>();
        for (List<Op> p : parts) {
            ops.addAll(p);
        }
        return new Program(ops, 1);
    }

    static List<Op> say(String line) {
        return List.of(Sys.act("say", x -> x.console(line)));
    }

    /** Prints {@code label: = RET} or {@code label: = -1 ERRNO (text)} for the last call. */
    static List<Op> show(String label) {
        return List.of(Sys.act("show", x -> x.console(label + " " + Sys.regs(x).shown())));
    }

    static SigAction printer() {
        return SigAction.handler(i -> say("handler: " + Signo.name(i.signo())));
    }

    static List<Op> socket(int port) {
        return program(NetlinkUser.socket("nl", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("nl", port, 0)).ops();
    }

    static List<Op> send(int port) {
        return NetlinkUser.sendmsg("nl", x -> List.of(NlMsg.ofText(0x10, 0, 0, x.pid(), "hello")), port, 0, true);
    }

    @Test
    @DisplayName("SIGKILL while blocked in recvmsg (interruptible): the call is abandoned, the process dies of SIGKILL, its socket is closed and its port refuses")
    void killedInInterruptibleWait() {
        Run r = run(ms(5), MachineSpec.builder()
                .process("victim", 0, 0, program(socket(VICTIM), NetlinkUser.recvmsg("nl", false), say("victim: not reached")), VICTIM)
                .process("killer", 1, ms(1), program(socket(OTHER), SigUser.kill(VICTIM, Signo.SIGKILL), show("kill"),
                        Sys.nanosleep(us(100)), send(VICTIM), show("send to the dead port"), Sys.nanosleep(ms(10))), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("kill = 0", "send to the dead port = -1 ECONNREFUSED (Connection refused)"), r.console());
        int status = ProcessExit.waitStatus(r.kernel(), VICTIM);
        assertTrue(ProcessExit.signaled(status) && ProcessExit.termSig(status) == Signo.SIGKILL,
                "wait4 sees WIFSIGNALED with WTERMSIG 9: status " + status);
        assertTrue(r.exitTime(VICTIM) >= ms(1) && r.exitTime(VICTIM) < ms(1) + us(100), "it died at once: " + r.exitTime(VICTIM));
        r.invariantsHold();
    }

    @Test
    @DisplayName("a handled signal while blocked in recvmsg: the handler runs and recvmsg returns -1 EINTR; at the end of its program the process closes its socket")
    void handledSignalInterrupts() {
        Run r = run(ms(5), MachineSpec.builder()
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()), socket(VICTIM),
                        NetlinkUser.recvmsg("nl", false), show("recvmsg")), VICTIM)
                .process("killer", 1, ms(1), program(SigUser.kill(VICTIM, Signo.SIGUSR1), show("kill")), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "recvmsg = -1 EINTR (Interrupted system call)"), r.console());
        assertEquals(0, ProcessExit.waitStatus(r.kernel(), VICTIM), "it exited normally, status 0");
        assertTrue(r.netlink().sockets().stream().noneMatch(s -> s.owner() == VICTIM && s.open()), "exit_files closed its socket");
        r.invariantsHold();
    }

    @Test
    @DisplayName("nanosleep: a handled signal ends it early with EINTR; SIGKILL ends the sleeper at once")
    void nanosleepInterrupted() {
        Run r = run(ms(20), MachineSpec.builder()
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()), Sys.nanosleep(ms(10)),
                        show("nanosleep"), Sys.nanosleep(ms(10)), say("victim: not reached")), VICTIM)
                .process("killer", 1, ms(1), program(SigUser.kill(VICTIM, Signo.SIGUSR1), Sys.nanosleep(ms(1)),
                        SigUser.kill(VICTIM, Signo.SIGKILL)), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("handler: SIGUSR1", "nanosleep = -1 EINTR (Interrupted system call)"), r.console());
        assertTrue(r.exitTime(VICTIM) >= ms(2) && r.exitTime(VICTIM) < ms(3), "killed in its second sleep at 2 ms: " + r.exitTime(VICTIM));
        assertEquals(Signo.SIGKILL, ProcessExit.termSig(ProcessExit.waitStatus(r.kernel(), VICTIM)));
        r.invariantsHold();
    }

    @Test
    @DisplayName("SIGKILL cannot wake a task in uninterruptible sleep (D): it dies only when down() returns, on its way back to user space")
    void uninterruptibleSleepIsNotWoken() {
        Run r = run(ms(10), MachineSpec.builder().semaphore("sem", 1)
                .kthread("holder", 1, 0, Program.builder().down("sem").msleep(ms(3)).up("sem").build())
                .process("victim", 0, us(10), Program.builder().syscall("ioctl", b -> b.down("sem").up("sem")).build(), VICTIM)
                .process("killer", 1, ms(1), program(SigUser.kill(VICTIM, Signo.SIGKILL), show("kill")), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("kill = 0"), r.console());
        long died = r.exitTime(VICTIM);
        assertTrue(died >= ms(3), "still in D state until the holder's up() at 3 ms: died at " + died);
        assertEquals(Signo.SIGKILL, ProcessExit.termSig(ProcessExit.waitStatus(r.kernel(), VICTIM)));
        assertTrue(r.result().trace().stream().anyMatch(e -> e.event().equals("sched_switch")
                && e.args().startsWith("prev_comm=victim prev_pid=" + VICTIM + " prev_prio=120 prev_state=D")), "it slept in D");
        r.invariantsHold();
    }

    @Test
    @DisplayName("a handled signal ends wait_event_interruptible inside a system call: the handler runs, the task leaves the wait queue and goes on")
    void waitEventInterruptibleEndsOnSignal() {
        Run r = run(ms(10), MachineSpec.builder()
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        Program.builder().syscall("read", b -> b.waitEventInterruptible("q")).build().ops(),
                        say("victim: read returned")), VICTIM)
                .process("killer", 1, ms(1), program(SigUser.kill(VICTIM, Signo.SIGUSR1), show("kill")), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "victim: read returned"), r.console());
        assertEquals(0, r.kernel().waitQueue("q").waiterCount(), "no task left on the wait queue");
        r.invariantsHold();
    }

    @Test
    @DisplayName("a consumer that stops reading: its queue fills, the kernel's MSG_DONTWAIT sends are dropped with ENOBUFS, a user sender gets EAGAIN, and the reader's next recvmsg reports ENOBUFS")
    void consumerStops() {
        Op kernelSend = new NetlinkOps.Unicast(FAMILY, x -> VICTIM, x -> NlMsg.ofText(0x10, 0, 0, 0, "event"), true, true);
        Run r = run(ms(10), MachineSpec.builder()
                .process("loader", 1, 0, Program.of(Shell.command("insmod fam.ko")), 4690)
                .process("victim", 0, ms(1), program(NetlinkUser.socket("nl", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("nl", VICTIM, 0),
                        NetlinkUser.setsockopt("nl", Option.SO_RCVBUF, 1), NetlinkUser.socket("k", FAMILY), NetlinkUser.bind("k", VICTIM, 0),
                        NetlinkUser.setsockopt("k", Option.SO_RCVBUF, 1), Sys.nanosleep(ms(4)),
                        NetlinkUser.recvmsg("k", true), show("recvmsg after the overrun"), Sys.nanosleep(ms(10))), VICTIM)
                .process("sender", 1, ms(2), program(socket(OTHER), send(VICTIM), show("send 1"), send(VICTIM), show("send 2"),
                        send(VICTIM), show("send 3"), send(VICTIM), show("send 4"), Sys.nanosleep(ms(10))), OTHER)
                .kthread("events", 1, ms(2), Program.builder().repeat(20).op(kernelSend).msleep(us(50)).build()),
                VICTIM, OTHER);
        assertEquals(List.of("# insmod fam.ko", "send 1 = 5", "send 2 = 5", "send 3 = 5",
                "send 4 = -1 EAGAIN (Resource temporarily unavailable)",
                "recvmsg after the overrun = -1 ENOBUFS (No buffer space available)"), r.console().stream()
                .map(l -> l.replaceAll("= \\d+$", "= 5")).toList());
        Map<Errno, Long> dropped = r.netlink().dropped();
        assertTrue(dropped.getOrDefault(Errno.ENOBUFS, 0L) >= 15 && dropped.getOrDefault(Errno.EAGAIN, 0L) == 1, "drops: " + dropped);
        r.invariantsHold();
    }

    @Test
    @DisplayName("rmmod while a socket of the module's netlink family is open: EBUSY, the module stays; after close it unloads and the family is gone (EPROTONOSUPPORT)")
    void rmmodWithSocketOpen() {
        Run r = run(ms(10), MachineSpec.builder()
                .process("sh", 0, 0, program(List.of(Shell.command("insmod fam.ko")), NetlinkUser.socket("k", FAMILY), show("socket"),
                        List.of(Shell.command("rmmod fam")), List.of(Shell.command("lsmod")), NetlinkUser.close("k"),
                        List.of(Shell.command("rmmod fam")), NetlinkUser.socket("k2", FAMILY), show("socket after rmmod")), VICTIM),
                VICTIM);
        List<String> c = r.console();
        assertTrue(c.contains("rmmod: ERROR: Module fam is in use"), c.toString());
        assertEquals("socket after rmmod = -1 EPROTONOSUPPORT (Protocol not supported)", c.get(c.size() - 1));
        assertFalse(r.kernel().extension(Modules.class, () -> null).isLoaded("fam"), "unloaded");
        r.invariantsHold();
    }


    @Test
    @DisplayName("the invariants can fail: a kernel thread that ends holding a mutex leaves a lock owned by a dead task")
    void invariantsCatchADeadOwner() {
        Run r = run(ms(2), MachineSpec.builder().lock("m", dev.kctx.actors.program.KernelObjects.LockType.MUTEX)
                .kthread("leaker", 0, 0, Program.builder().mutexLock("m").compute(us(5)).build()));
        int pid = r.result().trace().stream().filter(e -> e.event().equals("sched_process_exit") && e.args().startsWith("comm=leaker "))
                .mapToInt(TraceRecord::subject).findFirst().orElseThrow();
        assertEquals(List.of("lock-owner-alive: m is held by kthread leaker, which exited"),
                EngineInvariants.check(r.result(), r.kernel(), List.of(pid)));
    }

    // ---- interruptible and killable kernel waits (issue 9) ----

    static final int KTHREAD = 4702;

    /** A scenario-style system call: enter, {@code body}, the exit that prints perror's line when the call failed. */
    static List<Op> syscall(String name, Op... body) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Ops.SysEnter(name));
        ops.addAll(Arrays.asList(body));
        ops.add(Sys.scenarioExit(name));
        return ops;
    }

    static List<Op> killAt(int pid, int sig) {
        return program(SigUser.kill(pid, sig), show("kill")).ops();
    }

    /** The trace's kctx_interrupted lines ("op = value"). */
    static List<String> interrupted(Run r) {
        return r.result().trace().stream().filter(e -> e.event().equals("kctx_interrupted")).map(TraceRecord::args).toList();
    }

    static boolean sleptIn(Run r, int pid, char state) {
        return r.result().trace().stream().anyMatch(e -> e.event().equals("sched_switch")
                && e.args().startsWith("prev_comm=victim prev_pid=" + pid + " prev_prio=120 prev_state=" + state));
    }

    @Test
    @DisplayName("down_interruptible: a handled signal ends the sleep, the handler runs, read fails with EINTR (perror's line), and the later up() goes to the count: no unit lost")
    void downInterruptibleInterrupted() {
        Run r = run(ms(10), MachineSpec.builder().semaphore("sem", 0)
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("read", new Ops.Down("sem", true)), show("read")), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1)), OTHER)
                .kthread("giver", 1, ms(3), Program.builder().up("sem").build(), KTHREAD),
                VICTIM, OTHER, KTHREAD);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "read: Interrupted system call",
                "read = -1 EINTR (Interrupted system call)"), r.console());
        assertEquals(List.of("down_interruptible(sem) = -4"), interrupted(r));
        assertTrue(r.result().trace().stream().anyMatch(e -> e.event().equals("sys_exit") && e.args().endsWith("= -4")), "sys_exit -4");
        KernelObjects.Lock sem = r.kernel().locks().get("sem");
        assertEquals(1, sem.count(), "the up() at 3 ms found no sleeper: the unit is in the count");
        assertEquals(0, sem.grantsPending(), "nothing granted to the interrupted task");
        r.invariantsHold();
    }

    @Test
    @DisplayName("mutex_lock_interruptible with on_interrupt releasing the outer mutex: EINTR, no report; the holder's unlock then frees the mutex")
    void mutexInterruptibleCleansUp() {
        Run r = run(ms(10), MachineSpec.builder().lock("busy", KernelObjects.LockType.MUTEX).lock("m", KernelObjects.LockType.MUTEX)
                .kthread("holder", 1, 0, Program.builder().mutexLock("busy").msleep(ms(3)).mutexUnlock("busy").build(), KTHREAD)
                .process("victim", 0, us(10), program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("ioctl", new Ops.MutexLock("m"), new Ops.MutexLock("busy", Ops.WaitMode.INTERRUPTIBLE,
                                List.of(new Ops.MutexUnlock("m"))), new Ops.MutexUnlock("busy"), new Ops.MutexUnlock("m"))), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1)), OTHER),
                VICTIM, OTHER, KTHREAD);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "ioctl: Interrupted system call"), r.console());
        assertEquals(List.of(), r.result().reports(), "the cleanup released m: lockdep is content");
        assertFalse(r.kernel().locks().get("busy").held(), "the holder's unlock found no waiter: busy is free");
        assertFalse(r.kernel().locks().get("m").held(), "m was released by on_interrupt");
        r.invariantsHold();
    }

    @Test
    @DisplayName("the same without the cleanup: lockdep's 'lock held when returning to user space'")
    void mutexInterruptibleLeaks() {
        Run r = run(ms(10), MachineSpec.builder().lock("busy", KernelObjects.LockType.MUTEX).lock("m", KernelObjects.LockType.MUTEX)
                .kthread("holder", 1, 0, Program.builder().mutexLock("busy").msleep(ms(3)).mutexUnlock("busy").build(), KTHREAD)
                .process("victim", 0, us(10), program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("ioctl", new Ops.MutexLock("m"), new Ops.MutexLock("busy", Ops.WaitMode.INTERRUPTIBLE, List.of()),
                                new Ops.MutexUnlock("busy"), new Ops.MutexUnlock("m")), Sys.nanosleep(ms(20))), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1)), OTHER),
                VICTIM, OTHER, KTHREAD);
        assertEquals(List.of(dev.kctx.contexts.ReportKind.LOCK_HELD_RETURNING_TO_USER),
                r.result().reports().stream().map(dev.kctx.contexts.Report::kind).distinct().toList());
        r.invariantsHold();
    }

    @Test
    @DisplayName("down_killable: a handled signal does not end the D sleep; the handler runs after up(); SIGKILL ends it at once and the process dies")
    void downKillable() {
        Run handled = run(ms(10), MachineSpec.builder().semaphore("sem", 0)
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("read", new Ops.Down("sem", Ops.WaitMode.KILLABLE, List.of())), show("read")), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1)), OTHER)
                .kthread("giver", 1, ms(3), Program.builder().up("sem").build(), KTHREAD),
                VICTIM, OTHER, KTHREAD);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "read = 0"), handled.console(), "the call got its unit at 3 ms");
        assertTrue(sleptIn(handled, VICTIM, 'D'), "TASK_KILLABLE shows as D");
        assertEquals(List.of(), interrupted(handled));
        handled.invariantsHold();

        Run killed = run(ms(10), MachineSpec.builder().semaphore("sem", 0)
                .process("victim", 0, 0, program(syscall("read", new Ops.Down("sem", Ops.WaitMode.KILLABLE, List.of())),
                        say("victim: not reached")), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGKILL)), OTHER)
                .kthread("giver", 1, ms(3), Program.builder().up("sem").build(), KTHREAD),
                VICTIM, OTHER, KTHREAD);
        assertEquals(List.of("kill = 0"), killed.console());
        assertTrue(killed.exitTime(VICTIM) >= ms(1) && killed.exitTime(VICTIM) < ms(2), "died at once: " + killed.exitTime(VICTIM));
        assertEquals(Signo.SIGKILL, ProcessExit.termSig(ProcessExit.waitStatus(killed.kernel(), VICTIM)));
        assertEquals(List.of("down_killable(sem) = -4"), interrupted(killed));
        assertEquals(1, killed.kernel().locks().get("sem").count(), "the later up() went to the count");
        killed.invariantsHold();
    }

    @Test
    @DisplayName("wait_event_killable and mutex_lock_killable end on SIGTERM with no handler (a fatal default action), not on a handled SIGUSR1")
    void killableFatalDefault() {
        Run r = run(ms(10), MachineSpec.builder().lock("busy", KernelObjects.LockType.MUTEX)
                .kthread("holder", 1, 0, Program.builder().mutexLock("busy").msleep(ms(8)).mutexUnlock("busy").build(), KTHREAD)
                .process("victim", 0, us(10), program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("read", new Ops.WaitEvent("q", Ops.WaitMode.KILLABLE, List.of())), show("read")), VICTIM)
                .process("victim", 0, us(10), program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("write", new Ops.MutexLock("busy", Ops.WaitMode.KILLABLE, List.of()), new Ops.MutexUnlock("busy"))), VICTIM + 10)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1), killAt(VICTIM + 10, Signo.SIGUSR1),
                        Sys.nanosleep(ms(1)), killAt(VICTIM, Signo.SIGTERM), killAt(VICTIM + 10, Signo.SIGTERM)), OTHER),
                VICTIM, VICTIM + 10, OTHER, KTHREAD);
        assertEquals(List.of("kill = 0", "kill = 0", "kill = 0", "kill = 0"), r.console().stream().filter(l -> l.startsWith("kill")).toList(),
                "both were alive, asleep, when SIGTERM came at 2 ms");
        assertEquals(List.of("wait_event_killable(q) = -512", "mutex_lock_killable(busy) = -4"), interrupted(r));
        assertEquals(Signo.SIGTERM, ProcessExit.termSig(ProcessExit.waitStatus(r.kernel(), VICTIM)));
        assertEquals(Signo.SIGTERM, ProcessExit.termSig(ProcessExit.waitStatus(r.kernel(), VICTIM + 10)));
        assertTrue(r.exitTime(VICTIM + 10) < ms(3), "the mutex waiter died at 2 ms, not when the holder let go at 8 ms");
        r.invariantsHold();
    }

    @Test
    @DisplayName("msleep_interruptible(10ms) hit at 1 ms: it returns 10 (ms left, plus the extra jiffy) and the call ends with EINTR at 1 ms")
    void msleepInterruptible() {
        Run r = run(ms(20), MachineSpec.builder()
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        syscall("read", new Ops.MsleepInterruptible(ms(10))), say("back")), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1)), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "read: Interrupted system call", "back"), r.console());
        assertEquals(List.of("msleep_interruptible(10ms) = 10"), interrupted(r));
        long exit = r.result().trace().stream().filter(e -> e.event().equals("sys_exit") && e.pid() == VICTIM && e.args().endsWith("= -4"))
                .mapToLong(TraceRecord::timeNs).findFirst().orElse(-1);
        assertTrue(exit >= ms(1) && exit < ms(2), "returned at 1 ms: " + exit);
        r.invariantsHold();
    }

    @Test
    @DisplayName("a kernel thread's interruptible waits are never interrupted: kill() on it is ignored and it sleeps on")
    void kthreadNeverInterrupted() {
        Run r = run(ms(10), MachineSpec.builder().semaphore("sem", 0)
                .kthread("worker", 0, 0, Program.builder().downInterruptible("sem").msleepInterruptible(ms(2)).printk("worker done").build(), KTHREAD)
                .process("killer", 1, ms(1), program(killAt(KTHREAD, Signo.SIGKILL), Sys.nanosleep(ms(2)),
                        List.of(new Ops.SysEnter("ioctl"), new Ops.Up("sem"), new Ops.SysExit("ioctl", 0))), OTHER),
                OTHER, KTHREAD);
        assertEquals(List.of(), interrupted(r));
        assertTrue(r.kernel().kernelLog().stream().anyMatch(l -> l.contains("worker done")), "it woke at up() and slept its 2 ms");
        r.invariantsHold();
    }

    @Test
    @DisplayName("a file system call that waits (a blocking read) and gets a handled signal: EINTR, and it leaves the wait queue")
    void blockingFileCallLeavesItsQueue() {
        Run r = run(ms(10), MachineSpec.builder()
                .process("victim", 0, 0, program(SigUser.sigaction(Signo.SIGUSR1, printer()),
                        Sys.call("read", c -> new dev.kctx.mechanisms.vfs.IoResult.WouldBlock("rxq")), show("read")), VICTIM)
                .process("killer", 1, ms(1), program(killAt(VICTIM, Signo.SIGUSR1)), OTHER),
                VICTIM, OTHER);
        assertEquals(List.of("kill = 0", "handler: SIGUSR1", "read = -1 EINTR (Interrupted system call)"), r.console());
        assertEquals(0, r.kernel().waitQueue("rxq").waiterCount(), "no stale waiter left on rxq");
        r.invariantsHold();
    }

    /** Puts the running task's handle on semaphore {@code sem}'s wait list without sleeping: a broken wait. */
    record StrayWaiter(String sem) implements Op {
        public Outcome execute(Exec x) {
            x.kernel().lock(sem, KernelObjects.LockType.SEMAPHORE).addSleeper(x.waitHandle());
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "stray waiter on " + sem;
        }
    }

    /** Sets a semaphore's count behind its sleepers' backs. */
    record SetCount(String sem, long count) implements Op {
        public Outcome execute(Exec x) {
            x.kernel().lock(sem, KernelObjects.LockType.SEMAPHORE).setCount(count);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "count of " + sem + " = " + count;
        }
    }

    @Test
    @DisplayName("the wait-list invariants can fail: a waiter listed that exited, a semaphore with units and sleepers")
    void waitListInvariantsCatchBrokenLists() {
        Run r = run(ms(2), MachineSpec.builder().semaphore("sem", 0)
                .process("victim", 0, 0, Program.of(new Ops.SysEnter("read"), new StrayWaiter("stray"), new Ops.SysExit("read", 0)), VICTIM)
                .kthread("sleeper", 1, 0, Program.builder().down("sem").build(), KTHREAD)
                .kthread("meddler", 1, us(100), Program.of(new SetCount("sem", 1))),
                VICTIM, KTHREAD);
        List<String> bad = EngineInvariants.waitLists(r.kernel());
        assertEquals(List.of("semaphore-idle-units: sem has count 1 and 1 sleeper(s)",
                "wait-list-asleep: lock stray lists pid " + VICTIM + ", which exited"), bad);
        assertTrue(EngineInvariants.check(r.result(), r.kernel(), r.pids()).containsAll(bad), "check() reports them too");
    }

    @Test
    @DisplayName("the wait-list invariant also catches a waiter woken but left on the list")
    void waitListInvariantCatchesAWokenWaiter() {
        Run r = run(ms(2), MachineSpec.builder()
                .kthread("sleeper", 1, 0, Program.of(new StrayWaiter("stray"), new Ops.Msleep(ms(5))), KTHREAD),
                KTHREAD);
        assertEquals(List.of(), EngineInvariants.waitLists(r.kernel()), "asleep in that very wait (token unchanged): fine");
        Run woken = run(ms(8), MachineSpec.builder()
                .kthread("sleeper", 1, 0, Program.of(new StrayWaiter("stray"), new Ops.Msleep(ms(1)), new Ops.Msleep(ms(20))), KTHREAD),
                KTHREAD);
        assertEquals(List.of("wait-list-asleep: lock stray lists pid " + KTHREAD + ", which is not asleep in that wait"),
                EngineInvariants.waitLists(woken.kernel()), "woken once since, now asleep in another wait");
    }
}
