package dev.kctx.tests.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import dev.kctx.actors.Machine;
import dev.kctx.bench.Harness;
import dev.kctx.cli.Main;
import dev.kctx.contexts.ReportKind;
import dev.kctx.mechanisms.Errno;
import dev.kctx.testkit.KctxMachine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the house as rules (STYLE.md 20): no import cycle between packages, and imports
 * only down the module layers contexts <- actors <- mechanisms <- (bench) <- cli (the testkit
 * may use them all; nothing uses it). Each rule takes the root package, so that a test can point it at a small
 * fixture that breaks it on purpose.
 */
final class Layering {
    private Layering() {
    }

    /** Every package under {@code root} (each its own slice) is free of cycles with every other. */
    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").namingSlices("$1")
                .should().beFreeOfCycles()
                .because("a lower layer knows nothing of what sits on it (the VFS of procfs, netlink of genetlink)");
    }

    /** The modules' packages import only down the layers. */
    static ArchRule moduleLayers(String root) {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("contexts").definedBy(root + ".contexts..")
                .layer("actors").definedBy(root + ".actors..")
                .layer("mechanisms").definedBy(root + ".mechanisms..")
                .optionalLayer("bench").definedBy(root + ".bench..")
                .layer("cli").definedBy(root + ".cli..")
                .optionalLayer("testkit").definedBy(root + ".testkit..")
                .whereLayer("testkit").mayNotBeAccessedByAnyLayer()
                .whereLayer("cli").mayOnlyBeAccessedByLayers("testkit")
                .whereLayer("bench").mayOnlyBeAccessedByLayers("cli", "testkit")
                .whereLayer("mechanisms").mayOnlyBeAccessedByLayers("bench", "cli", "testkit")
                .whereLayer("actors").mayOnlyBeAccessedByLayers("mechanisms", "bench", "cli", "testkit")
                .whereLayer("contexts").mayOnlyBeAccessedByLayers("actors", "mechanisms", "bench", "cli", "testkit")
                .because("the modules depend one way: contexts <- actors <- mechanisms <- cli");
    }

    /**
     * The main code of the modules: where a class of each was loaded from (its jar, or its
     * target/classes), so neither test classes nor third-party jars are read.
     */
    static JavaClasses mainCode() {
        Set<Location> where = new LinkedHashSet<>();
        for (Class<?> c : List.of(ReportKind.class, Machine.class, Errno.class, Harness.class, Main.class, KctxMachine.class)) {
            where.add(Location.of(c.getProtectionDomain().getCodeSource().getLocation()));
        }
        return new ClassFileImporter().importLocations(where);
    }
}
