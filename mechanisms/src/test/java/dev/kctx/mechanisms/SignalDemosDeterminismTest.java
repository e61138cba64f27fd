package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.demo.TranscriptDemo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The signal, upcall and mmap demos give byte-identical traces and transcripts run after run. */
class SignalDemosDeterminismTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static Stream<TranscriptDemo> demos() {
        return Stream.of(SeedDemos.SIGNAL, SeedDemos.UPCALL, SeedDemos.MMAP);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("demos")
    @DisplayName("two runs of the same demo and seed: the same trace, the same transcript")
    void sameRunTwice(TranscriptDemo d) {
        RunResult a = DemoRuns.demo(testKit, d);
        RunResult b = DemoRuns.demo(testKit, d);
        assertEquals(a.traceText(), b.traceText(), "the trace of " + d.name());
        assertEquals(TranscriptDemo.transcript(a), TranscriptDemo.transcript(b), "the transcript of " + d.name());
    }
}
