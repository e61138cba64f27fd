package dev.kctx.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioLoader;
import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns every scenario file with an {@code expect:} block in a folder into a JUnit 5 dynamic test:
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> scenarios() {
 *     return ScenarioTests.in(Path.of("src/test/scenarios"), testKit);
 * }
 * }</pre>
 * Each test starts the machine under {@code testKit}, runs it to the end and checks the block; a
 * failure shows the unmet expectation, the reports, a trace excerpt and the replay command. The
 * JUnit 5 extension {@link KctxScenarios} is the same as an annotation on a test method.
 */
public final class ScenarioTests {
    private ScenarioTests() {
    }

    /**
     * One dynamic test per {@code *.yaml} / {@code *.yml} file in {@code folder} (not its subfolders)
     * with an {@code expect:} block, by name. {@link KctxScenarios} does the same as a JUnit 5
     * extension, and hands each file's running machine to the test method.
     */
    public static Stream<DynamicTest> in(Path folder, ActorTestKit testKit) {
        return withExpect(folder).stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> check(f, testKit)));
    }

    /** The scenario files in {@code folder} with an {@code expect:} block, by name; an error if it has no scenario file at all. */
    static List<Path> withExpect(Path folder) {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the scenario folder " + folder.toAbsolutePath(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no scenario files (*.yaml) in " + folder.toAbsolutePath());
        }
        return files.stream().filter(ScenarioTests::hasExpect).toList();
    }

    private static boolean hasExpect(Path f) {
        Scenario s = ScenarioLoader.load(f);
        return s.expect().isPresent();
    }

    /** Runs one scenario file under {@code testKit} and checks its {@code expect:} block. */
    public static void check(Path file, ActorTestKit testKit) {
        try (RunningMachine m = KctxMachine.scenario(file).start(testKit)) {
            KernelAssertions.expectScenario(m);
        }
    }
}
