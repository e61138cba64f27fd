package dev.kctx.tests.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.kctx.tests.arch.fixture.cycle.a.A;
import dev.kctx.tests.arch.fixture.cycle.b.B;
import dev.kctx.tests.arch.fixture.layers.actors.Mid;
import dev.kctx.tests.arch.fixture.layers.cli.Top;
import dev.kctx.tests.arch.fixture.layers.contexts.Low;
import dev.kctx.tests.arch.fixture.layers.mechanisms.Upper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test of the test: {@link Layering}'s rules, pointed at small fixtures (in src/test) that
 * break them on purpose, report what they must, so that a green {@link LayeringTest} means
 * something.
 */
@DisplayName("The layering rules")
class LayeringRulesTest {
    private static final String FIXTURE = "dev.kctx.tests.arch.fixture";
    private static final JavaClasses CYCLE = new ClassFileImporter().importClasses(A.class, B.class);
    private static final JavaClasses LAYERS = new ClassFileImporter().importClasses(Low.class, Mid.class, Upper.class, Top.class);

    @Test
    @DisplayName("report a cycle between two packages that import each other")
    void reportCycle() {
        EvaluationResult r = Layering.noPackageCycles(FIXTURE + ".cycle").evaluate(CYCLE);
        assertTrue(r.hasViolation(), "a -> b -> a is a cycle");
        String report = r.getFailureReport().toString();
        assertTrue(report.contains("Cycle detected") && report.contains("cycle.a.A") && report.contains("cycle.b.B"),
                "the report names the cycle and its classes:\n" + report);
    }

    @Test
    @DisplayName("report nothing for packages that import one way")
    void acceptAcyclic() {
        EvaluationResult r = Layering.noPackageCycles(FIXTURE + ".layers").evaluate(LAYERS);
        assertFalse(r.hasViolation(), "cli -> mechanisms -> actors <- contexts has no cycle:\n" + r.getFailureReport());
    }

    @Test
    @DisplayName("report a lower module importing a higher one, and only that")
    void reportUpwardImport() {
        EvaluationResult r = Layering.moduleLayers(FIXTURE + ".layers").evaluate(LAYERS);
        assertTrue(r.hasViolation(), "contexts -> actors goes up the layers");
        String report = r.getFailureReport().toString();
        assertTrue(report.contains("layers.contexts.Low") && report.contains("layers.actors.Mid"),
                "the report names the offending import:\n" + report);
        assertFalse(report.contains("Upper") || report.contains("Top"), "imports down the layers are allowed:\n" + report);
    }
}
