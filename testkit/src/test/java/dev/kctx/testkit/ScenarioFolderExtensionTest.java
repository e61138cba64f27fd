package dev.kctx.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;

@DisplayName("The @KctxScenarios extension")
class ScenarioFolderExtensionTest {
    /** Written fresh by each test; the fixture's annotation names it. */
    private static final String FOLDER = "target/scenario-folder-extension";
    private static final Path SCENARIOS = Path.of("src/test/resources/scenarios");

    /** Run by the tests below through JUnit's EngineTestKit, not by the build itself (surefire skips nested classes). */
    static class Fixture {
        @KctxScenarios(value = FOLDER, engine = "message")
        void scenario(RunningMachine m, Path file, KctxMachine machine, ActorTestKit kit) {
            assertEquals(Optional.of(file), m.machine().file(), "the method gets the file's machine");
            assertSame(m.machine(), machine, "and the machine it runs");
            assertEquals(Engine.MESSAGE, Engine.of(kit.system().settings().config()), "under the engine the annotation names");
            assertEquals(0, m.nowNs(), "paused at virtual time 0");
        }
    }

    private static Path folder(String... namesAndTexts) throws IOException {
        Path f = Path.of(FOLDER);
        if (Files.exists(f)) {
            try (Stream<Path> s = Files.walk(f)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(f);
        for (int i = 0; i < namesAndTexts.length; i += 2) {
            Files.writeString(f.resolve(namesAndTexts[i]), namesAndTexts[i + 1]);
        }
        return f;
    }

    private static EngineExecutionResults runFixture() {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(Fixture.class)).execute();
    }

    @Test
    @DisplayName("runs the method once per scenario file with an expect: block, named after the file; a failure shows the report, a trace excerpt and the replay line")
    void oneTestPerFile() throws IOException {
        String clean = Files.readString(SCENARIOS.resolve("softirq-kmalloc-clean.yaml"));
        // the buggy driver, expected to be clean
        String buggy = Files.readString(SCENARIOS.resolve("softirq-kmalloc.yaml")).replace("reports: {sleep-in-atomic: 1}", "clean: true");
        Path f = folder("a-clean.yaml", clean, "b-buggy.yaml", buggy, "c-no-expect.yaml", clean.substring(0, clean.indexOf("expect:")));
        EngineExecutionResults r = runFixture();
        r.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        List<String> names = r.testEvents().started().stream().map(e -> e.getTestDescriptor().getDisplayName()).toList();
        assertEquals(List.of("a-clean.yaml", "b-buggy.yaml"), names, "one test per file with an expect: block, by file name");
        Event failed = r.testEvents().failed().list().get(0);
        assertEquals("b-buggy.yaml", failed.getTestDescriptor().getDisplayName(), "the buggy file fails");
        String text = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertTrue(text.startsWith("kctx: unmet expectation:\n  clean:"), "the unmet expectation: " + text);
        assertTrue(text.contains("BUG: sleeping function called from invalid context"), "the report: " + text);
        assertTrue(text.contains("softirq_entry: vec=3 [action=NET_RX]"), "a trace excerpt: " + text);
        assertTrue(text.contains("replay: ./kctx run " + f.resolve("b-buggy.yaml").toAbsolutePath().normalize() + " --seed 1 --until 3000000ns"),
                "the replay line: " + text);
        r.testEvents().failed().assertThatEvents().haveExactly(1, finishedWithFailure());
    }

    @Test
    @DisplayName("a folder without any expect: block is an error that names the folder")
    void noExpectations() throws IOException {
        String clean = Files.readString(SCENARIOS.resolve("softirq-kmalloc-clean.yaml"));
        folder("only.yaml", clean.substring(0, clean.indexOf("expect:")));
        EngineExecutionResults r = runFixture();
        Event failed = r.containerEvents().failed().list().get(0);
        String text = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertTrue(text.contains("no scenario file in") && text.contains("scenario-folder-extension") && text.contains("expect: block"), text);
    }
}
