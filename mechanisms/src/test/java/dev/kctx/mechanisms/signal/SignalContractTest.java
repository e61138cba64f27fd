package dev.kctx.mechanisms.signal;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.user.ProcessExit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.mechanisms.Progs.console;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.say;
import static dev.kctx.mechanisms.Progs.sleep;
import static dev.kctx.mechanisms.signal.SignalProtocol.ProcMask.SIG_BLOCK;
import static dev.kctx.mechanisms.signal.SignalProtocol.ProcMask.SIG_UNBLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every signal number keeps, one run per number: standard signals (1..31) merge
 * while pending, realtime ones (32..64) queue; the default action terminates, or ignores
 * (SIGCHLD, SIGURG, SIGWINCH, SIGCONT), as signal(7) says.
 */
class SignalContractTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** Every signal a handler can catch. */
    static IntStream catchable() {
        return IntStream.rangeClosed(1, Signo.NSIG).filter(s -> s != Signo.SIGKILL && s != Signo.SIGSTOP);
    }

    /** Every signal whose default action is not a stop (job control is not modelled). */
    static IntStream notStopping() {
        return IntStream.rangeClosed(1, Signo.NSIG).filter(s -> Signals.defaultAction(s) != Signals.Default.STOP);
    }

    @ParameterizedTest(name = "signal {0}")
    @MethodSource("catchable")
    @DisplayName("three instances sent while blocked: one delivery for a standard signal, three for a realtime one")
    void mergesOrQueues(int sig) {
        Program p = program(
                SigUser.sigaction(sig, SigAction.handler(i -> List.of(say("delivered " + i.value()))).withMask(Signo.ALL)),
                SigUser.sigprocmask(SIG_BLOCK, Signo.set(sig)),
                SigUser.sigqueue(x -> x.pid(), sig, 1), SigUser.sigqueue(x -> x.pid(), sig, 2), SigUser.sigqueue(x -> x.pid(), sig, 3),
                SigUser.sigprocmask(SIG_UNBLOCK, Signo.set(sig)));
        RunResult r = DemoRuns.run(testKit, MachineSpec.builder().cpus(1).process("p", 0, 0, p, 100).build(), ms(5));
        assertEquals(Signo.realtime(sig) ? List.of("delivered 1", "delivered 2", "delivered 3") : List.of("delivered 1"), console(r),
                Signo.name(sig) + (Signo.realtime(sig) ? " queues" : " merges"));
    }

    @ParameterizedTest(name = "signal {0}")
    @MethodSource("notStopping")
    @DisplayName("the default action: terminate with the signal as wait status, or ignore and go on")
    void defaultAction(int sig) {
        Program victim = program(SigUser.raise(sig), say("survived"));
        Program observer = program(sleep(ms(1)), say(x -> "status " + ProcessExit.waitStatus(x.kernel(), 100)));
        RunResult r = DemoRuns.run(testKit, MachineSpec.builder().cpus(2).process("victim", 0, 0, victim, 100)
                .process("observer", 1, 0, observer, 101).build(), ms(5));
        boolean ignored = Signals.defaultAction(sig) == Signals.Default.IGN;
        assertEquals(ignored ? List.of("survived", "status 0") : List.of("status " + sig), console(r),
                Signo.name(sig) + " is " + Signals.defaultAction(sig));
    }

    @Test
    @DisplayName("a stop signal's default action ends the run with a model error: job control is not modelled")
    void stopIsNotModelled() {
        MachineSpec spec = MachineSpec.builder().cpus(1).process("p", 0, 0, program(SigUser.raise(Signo.SIGTSTP)), 100).build();
        TestProbe<Machine.Finished> probe = testKit.createTestProbe();
        ActorRef<Machine.Command> m = testKit.spawn(Machine.create(spec, false));
        m.tell(new Machine.Start(ms(5), probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(30)).result();
        testKit.stop(m);
        assertTrue(r.failure().orElse("").contains("SIGTSTP would stop p/100: job control"), "says so: " + r.failure());
    }
}
