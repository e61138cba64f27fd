package dev.kctx.testkit;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a test method run once per scenario file with an {@code expect:} block in a folder, each
 * run shown under the file's name:
 * <pre>{@code
 * @KctxScenarios("src/test/scenarios")
 * void scenario(RunningMachine m) {
 *     // optional: probes, assertions of your own; the extension checks the expect: block after the body
 * }
 * }</pre>
 * For each file the extension ({@link ScenarioFolderExtension}) starts the scenario's machine under
 * an {@code ActorTestKit} it manages (one per engine, shut down after all tests), paused at virtual
 * time 0; runs the method body; then runs the machine to its end and checks the {@code expect:}
 * block, as {@link KernelAssertions#expectScenario} does. A failure shows the unmet expectation, the
 * machine, the reports, a trace excerpt and the {@code ./kctx run} line that replays the file. The
 * method may take a {@link RunningMachine}, a {@link KctxMachine}, the file's {@link java.nio.file.Path}
 * and the {@code ActorTestKit} as parameters, in any order; it returns void.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(ScenarioFolderExtension.class)
public @interface KctxScenarios {

    /**
     * The folder of scenario files ({@code *.yaml}, {@code *.yml}; not its subfolders), relative to
     * the working directory (under Maven, the project's base directory). Files without an
     * {@code expect:} block are skipped; a folder with none is an error.
     */
    String value();

    /**
     * The engine to run on: {@code "message"}, {@code "inline"}, or {@code ""} (the default) for the
     * one {@code -Dkctx.testkit.engine} names ({@link Engine#fromSystemProperty()}).
     */
    String engine() default "";
}
