package dev.kctx.mechanisms.shell;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.TaskTable;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.user.ProcessExit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.mechanisms.Progs.console;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The shell's kill")
class ShellKillTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int SHELL = 4242;
    static final int VICTIM = 4243;
    static final int OTHER = 4244;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A root shell on CPU 0 running {@code commands}, and two root processes sleeping on CPU 1. */
    static RunResult run(String... commands) {
        Program.Builder b = Program.builder();
        for (String c : commands) {
            b.op(Shell.command(c));
        }
        return DemoRuns.run(testKit, MachineSpec.builder().cpus(2)
                .process("victim", 1, 0, program(sleep(ms(30))), VICTIM)
                .process("other", 1, 0, program(sleep(ms(30))), OTHER)
                .process("sh", 0, ms(1), b.build(), SHELL).build(), ms(50));
    }

    static TaskTable.Row row(RunResult r, int pid) {
        return r.atEnd(TaskTable.class).orElseThrow().row(pid);
    }

    @Test
    @DisplayName("kill -9 ends a process asleep in nanosleep at once: it dies of SIGKILL, the other sleeper exits 0 later")
    void killNine() {
        RunResult r = run("kill -9 " + VICTIM);
        assertEquals(List.of("# kill -9 " + VICTIM), console(r), "kill prints nothing when kill(2) succeeds");
        TaskTable.Row v = row(r, VICTIM);
        assertEquals('X', v.state(), "the victim is dead");
        assertEquals(Signo.SIGKILL, v.signal(), "killed by SIGKILL");
        assertEquals(null, v.exit(), "no exit code for a death by signal");
        assertEquals(Integer.valueOf(0), row(r, OTHER).exit(), "the other sleeper woke at 30 ms and returned from main");
    }

    @Test
    @DisplayName("signal names with and without SIG, -s NAME, numbers and SIGRTMIN+n all reach kill(2); without a signal it is SIGTERM")
    void signalSpellings() {
        assertEquals(Signo.SIGTERM, row(run("kill " + VICTIM), VICTIM).signal(), "default SIGTERM");
        assertEquals(Signo.SIGUSR1, row(run("kill -s USR1 " + VICTIM), VICTIM).signal(), "-s USR1");
        assertEquals(Signo.SIGHUP, row(run("kill -SIGHUP " + VICTIM), VICTIM).signal(), "-SIGHUP");
        assertEquals(Signo.SIGRTMIN + 2, row(run("kill -RTMIN+2 " + VICTIM), VICTIM).signal(), "-RTMIN+2");
        RunResult both = run("kill -15 " + VICTIM + " " + OTHER);
        assertEquals(Signo.SIGTERM, row(both, VICTIM).signal(), "one kill(2) per pid: the first");
        assertEquals(Signo.SIGTERM, row(both, OTHER).signal(), "one kill(2) per pid: the second");
    }

    @Test
    @DisplayName("the kernel's refusals in bash's words: ESRCH, EPERM for another user's process, EINVAL for a bad number; an unknown name is refused before any call")
    void refusals() {
        RunResult r = run("kill 99999", "kill -99 " + VICTIM, "kill -FOO " + VICTIM, "kill -0 " + VICTIM, "setuid 1000",
                "kill -9 " + VICTIM + " 99999");
        assertEquals(List.of(
                "# kill 99999",
                "kill: (99999) - No such process",
                "# kill -99 " + VICTIM,
                "kill: 99: invalid signal specification",
                "# kill -FOO " + VICTIM,
                "kill: FOO: invalid signal specification",
                "# kill -0 " + VICTIM,
                "# setuid 1000",
                "$ kill -9 " + VICTIM + " 99999",
                "kill: (" + VICTIM + ") - Operation not permitted",
                "kill: (99999) - No such process"), console(r));
        assertEquals(Integer.valueOf(0), row(r, VICTIM).exit(), "none of these killed the victim");
    }

    @Test
    @DisplayName("what the shell cannot run is refused when the program is built")
    void refusedAtBuild() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Shell.command("kill")).getMessage().contains("needs a PID"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Shell.command("kill -9")).getMessage().contains("needs a PID"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Shell.command("kill -s")).getMessage().contains("signal name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Shell.command("kill %1")).getMessage().contains("not a process id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Shell.command("kill 0")).getMessage().contains("process groups"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Shell.command("kill -l")).getMessage().contains("kill -l"));
    }

    @Test
    @DisplayName("Signo.parse reads names as kill(1) does, with bash's SIGRTMIN+n and SIGRTMAX-n")
    void parse() {
        assertEquals(Signo.SIGKILL, Signo.parse("KILL"));
        assertEquals(Signo.SIGKILL, Signo.parse("sigkill"));
        assertEquals(Signo.SIGKILL, Signo.parse("9"));
        assertEquals(99, Signo.parse("99"), "numbers go to the kernel as they are");
        assertEquals(37, Signo.parse("SIGRTMIN+3"));
        assertEquals(Signo.SIGRTMIN, Signo.parse("RTMIN"));
        assertEquals(63, Signo.parse("RTMAX-1"));
        assertEquals(-1, Signo.parse("RTMIN-1"), "bash has no SIGRTMIN-n");
        assertEquals(-1, Signo.parse("RTMAX+1"));
        assertEquals(-1, Signo.parse("RTMIN+31"), "beyond SIGRTMAX");
        assertEquals(-1, Signo.parse("FOO"));
        assertEquals(-1, Signo.parse(""));
    }

    @Test
    @DisplayName("the task table shows each task as the run left it: R running, S interruptible sleep, D uninterruptible sleep, X with its exit code")
    void taskStates() {
        RunResult r = DemoRuns.run(testKit, MachineSpec.builder().cpus(3)
                .kthread("stuck", 0, 0, program(new Ops.Msleep(ms(100))), 50)
                .process("sleeper", 1, 0, program(sleep(ms(100))), 4300)
                .process("spinner", 2, 0, program(new Ops.Compute(ms(100))), 4301)
                .process("quitter", 2, 0, program(ProcessExit.exit(3)), 4302).build(), ms(10));
        assertEquals('D', row(r, 50).state(), "msleep sleeps uninterruptibly");
        assertEquals('S', row(r, 4300).state(), "nanosleep sleeps interruptibly");
        assertEquals('R', row(r, 4301).state(), "still computing");
        assertEquals('X', row(r, 4302).state(), "exited");
        assertEquals(Integer.valueOf(3), row(r, 4302).exit(), "with exit(3)'s code");
        assertEquals(0, row(r, 4302).signal(), "not killed");
    }
}
