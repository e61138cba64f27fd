package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("NMI sources in scenario files")
class NmiScenarioTest {

    @TempDir
    static Path dir;

    @Test
    @DisplayName("'nmi: true' runs the handler in NMI context over a hard IRQ handler, traced as nmi_handler in trace.txt")
    void nmiSourceRunsAndIsTraced() throws IOException {
        Path f = dir.resolve("nmi.yaml");
        Files.writeString(f, """
                machine: {cpus: 1}
                irqs:
                  - {name: nic, line: 11, arrivals: {at: [100us]}, handler: [compute: 20us]}
                  - {name: perf, line: 2, nmi: true, arrivals: {at: [110us]}, handler: [compute: 2us, printk: sample]}
                run: {until: 1ms}
                expect: {clean: true}
                """);
        Kctx.Result r = Kctx.run("run", f.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> trace = Files.readAllLines(dir.resolve("out/trace.txt"));
        assertTrue(trace.stream().anyMatch(l -> l.contains("0.000112: nmi_handler: perf() delta_ns: 2000 handled: 1")),
                "nmi:nmi_handler at the handler's return:\n" + String.join("\n", trace));
        assertTrue(trace.stream().anyMatch(l -> l.contains("0.000122: irq_handler_exit: irq=11")),
                "the NIC handler resumed after the NMI:\n" + String.join("\n", trace));
    }

    @Test
    @DisplayName("an NMI source with a thread is refused with the reason")
    void nmiWithThreadIsRefused() throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, """
                machine: {cpus: 1}
                irqs:
                  - {name: perf, line: 2, nmi: true, arrivals: {at: [1us]}, handler: [compute: 1us], thread: [compute: 1us]}
                run: {until: 1ms}
                """);
        Kctx.Result r = Kctx.run("run", f.toString());
        assertNotEquals(0, r.code(), "refused");
        assertTrue(r.err().contains("an NMI source cannot have a thread"), r.out() + r.err());
    }
}
