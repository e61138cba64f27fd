package dev.kctx.cli.scenario;

import dev.kctx.actors.MachineSpec;
import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("The faults section")
class FaultsSectionTest {
    @TempDir
    static Path dir;

    static final String NIC = """
            machine: {seed: 3}
            irqs:
              - name: nic
                line: 11
                arrivals: {every: 50us}
                handler:
                  - kmalloc: {size: 256, flags: GFP_ATOMIC, on_failure: [printk: "nic: no rx buffer"]}
            run: {until: 5ms}
            """;

    @Test
    @DisplayName("maps to the engine's faults, and no section means no faults")
    void maps() {
        Scenario s = ScenarioLoader.load("faults: {gfp_atomic_fail: 0.25, irq_loss: 1, spurious_irqs: 1.5e3}\n" + NIC, "f");
        assertEquals(new MachineSpec.Faults(0.25, 1, 1500), s.spec().faults());
        assertEquals(MachineSpec.Faults.NONE, ScenarioLoader.load(NIC, "f").spec().faults());
    }

    @Test
    @DisplayName("injected faults are counted, reach kmalloc's on_failure path, and repeat exactly with the seed")
    void runs() throws IOException {
        Path f = dir.resolve("faults.yaml");
        Files.writeString(f, "faults: {gfp_atomic_fail: 0.5, irq_loss: 0.2, spurious_irqs: 4000}\n" + NIC + """
                expect:
                  clean: true
                  counters:
                    faults.gfp_atomic_failed: {min: 1}
                    faults.irq_lost: {min: 1}
                    faults.irq_spurious: {min: 1}
                """);
        Kctx.Result r = Kctx.run("run", f.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("nic: no rx buffer"), "the NULL path ran: " + r.out());
        assertEquals(r.out(), Kctx.run("run", f.toString()).out(), "the same faults on a second run");
        Path none = dir.resolve("none.yaml");
        Files.writeString(none, NIC + "expect: {counters: {faults.gfp_atomic_failed: 0, faults.irq_lost: 0}}\n");
        Kctx.Result clean = Kctx.run("run", none.toString());
        assertEquals(0, clean.code(), clean.out());
        assertTrue(!clean.out().contains("no rx buffer"), "without faults GFP_ATOMIC never fails");
        Path wrong = dir.resolve("wrong.yaml");
        Files.writeString(wrong, NIC + "expect: {counters: {faults.irq_lost: {min: 1}}}\n");
        Kctx.Result unmet = Kctx.run("run", wrong.toString());
        assertEquals(1, unmet.code(), "an unmet counter expectation fails the run: " + unmet.out());
        assertTrue(unmet.out().contains("counter faults.irq_lost: 0 (expected at least 1)"), unmet.out());
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                arguments("faults: {gfp_atomic_fail: 1.5}\n", "1:27", "gfp_atomic_fail (a probability) is 1.5, out of range; expected a number from 0 to 1"),
                arguments("faults: {irq_loss: -0.1}\n", "1:20", "irq_loss (a probability) is -0.1, out of range"),
                arguments("faults: {irq_loss: .nan}\n", "1:20", "irq_loss (a probability) is .nan, out of range"),
                arguments("faults: {irq_loss: often}\n", "1:20", "expected a number from 0 to 1"),
                arguments("faults: {spurious_irqs: 1e12}\n", "1:25", "spurious_irqs is 1e12, out of range; expected a number from 0 to 1000000000"),
                arguments("faults: {irq_los: 0.1}\n", "1:10", "unknown key 'irq_los' in faults"),
                arguments("faults: 0.1\n", "1:9", "faults is"),
                arguments("expect: {counters: {Faults.Lost: 1}}\n", "1:21", "'Faults.Lost' is not a counter name"),
                arguments("expect: {counters: {faults.irq_lost: lots}}\n", "1:38", "expected a number, or {min: N, max: N}"),
                arguments("kthreads: [{name: w, body: [kmalloc: {flags: GFP_ATOMIC, on_failure: 3}]}]\n", "1:70", "on_failure of kmalloc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    @DisplayName("a bad value exits 2 with one located line")
    void badValue(String yaml, String lineCol, String fragment) throws IOException {
        Path f = dir.resolve("bad-" + Integer.toHexString(yaml.hashCode()) + ".yaml");
        Files.writeString(f, yaml);
        Kctx.Result r = Kctx.run("check", f.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith(f + ":" + lineCol + ": ") && r.err().split("\n").length == 1, r.err());
        assertTrue(r.err().contains(fragment), "mentions '" + fragment + "': " + r.err());
    }
}
