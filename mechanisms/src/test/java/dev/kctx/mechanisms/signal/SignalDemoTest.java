package dev.kctx.mechanisms.signal;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.demo.SeedDemos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SignalDemoTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("kctx demo signal: the seed's value 1234 arrives, three SIGUSR1 merge into one, three signal-44s arrive in order")
    void transcript() {
        RunResult r = DemoRuns.demo(testKit, SeedDemos.SIGNAL);
        assertEquals(List.of(
                "# insmod signal_kernel.ko",
                "# ./signal_user",
                "received value 1234",
                "# dmesg -c",
                "pid = 4243",
                "# ./signal_burst",
                "pending while blocked: SIGUSR1 SIGRTMIN+10",
                "unblocking",
                "received SIGUSR1",
                "received value 1",
                "received value 2",
                "received value 3",
                "done",
                "# dmesg -c",
                "pid = 4244",
                "signalburst: sent SIGUSR1 three times, then signal 44 with values 1, 2, 3",
                "# setuid 1000",
                "$ ./signal_user",
                "open: Permission denied"), Transcripts.console(r), "the transcript");
        assertEquals(List.of(), r.reports(), "sending signals from a write handler is clean");
    }
}
