package dev.kctx.tests.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The main code of kctx keeps the shape of the house: {@link Layering}'s rules hold on it. */
@DisplayName("The main code's package structure")
class LayeringTest {
    static final JavaClasses MAIN = Layering.mainCode();

    @Test
    @DisplayName("has no import cycle between packages")
    void noPackageCycles() {
        Layering.noPackageCycles("dev.kctx").check(MAIN);
    }

    @Test
    @DisplayName("imports only down the module layers contexts <- actors <- mechanisms <- cli")
    void moduleLayers() {
        Layering.moduleLayers("dev.kctx").check(MAIN);
    }
}
