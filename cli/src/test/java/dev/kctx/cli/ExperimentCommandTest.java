package dev.kctx.cli;

import dev.kctx.cli.experiment.Experiment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("kctx experiment")
class ExperimentCommandTest {

    @Test
    @DisplayName("--list names the three experiments; an unknown one is a usage error")
    void listAndUnknown() {
        Cli.Result list = Cli.run("experiment", "--list");
        assertEquals(0, list.exit());
        for (String name : List.of("relay-vs-netlink", "irqsave-hold", "softirq-storm")) {
            assertTrue(list.out().contains(name), "listed: " + name);
        }
        Cli.Result bad = Cli.run("experiment", "nope");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown experiment 'nope'"), bad.err());
        assertEquals(2, Cli.run("experiment", "irqsave-hold", "--seeds", "0").exit());
    }

    @Test
    @DisplayName("relay-vs-netlink writes its four files; the table has both directions, both machines, loads 0..16,"
            + " median and max of both designs and their ratio; the same seeds give the same CSV")
    void relayVsNetlink(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("experiment", "relay-vs-netlink", "--seeds", "1", "--out", dir.resolve("a").toString(), "--jobs", "2");
        assertEquals(0, r.exit(), r.err());
        for (String f : List.of("results.csv", "results.md", "latency.png", "latency.svg")) {
            assertTrue(Files.size(dir.resolve("a").resolve(f)) > 0, "wrote " + f);
        }
        List<String> csv = Files.readAllLines(dir.resolve("a/results.csv"));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        assertTrue(header.containsAll(List.of("direction", "cpus", "load", "relay median us", "relay max us",
                "netlink median us", "netlink max us", "relay/netlink", "relay kernel-side us", "netlink kernel-side us")),
                header.toString());
        assertEquals(1 + 2 * 2 * 6, csv.size(), "one row per direction, machine and load");
        int load = header.indexOf("load");
        int ratio = header.indexOf("relay/netlink");
        for (String direction : List.of("to-irq", "from-irq")) {
            for (String cpus : List.of("1", "2")) {
                List<String[]> rows = csv.stream().skip(1).map(l -> l.split(","))
                        .filter(c -> c[0].equals(direction) && c[1].equals(cpus)).toList();
                assertEquals(List.of("0", "1", "2", "4", "8", "16"), rows.stream().map(c -> c[load]).toList());
                for (String[] c : rows) {
                    double expected = Double.parseDouble(c[header.indexOf("relay median us")])
                            / Double.parseDouble(c[header.indexOf("netlink median us")]);
                    assertEquals(expected, Double.parseDouble(c[ratio]), 0.01 * expected, "the ratio is relay/netlink");
                }
            }
        }
        String md = Files.readString(dir.resolve("a/results.md"));
        assertTrue(md.contains("| direction | cpus | load |") && md.contains("## What the data show"), md);
        assertTrue(md.contains("to-irq, 1 CPU: relay grows with load, netlink flat -> as the seed claims"),
                "the model shows the seed's claim for user -> IRQ: " + md);
        assertEquals(4, md.lines().filter(l -> l.startsWith("- ") && l.contains(" -> ")).count(), "one verdict per curve pair");
        assertTrue(Files.readString(dir.resolve("a/latency.svg")).contains("CPU-bound user processes (load)"));

        Cli.Result again = Cli.run("experiment", "relay-vs-netlink", "--seeds", "1", "--out", dir.resolve("b").toString(), "--jobs", "1");
        assertEquals(0, again.exit(), again.err());
        assertEquals(Files.readString(dir.resolve("a/results.csv")), Files.readString(dir.resolve("b/results.csv")),
                "the same seeds give the same CSV, one or two machines at a time");
    }

    @Test
    @DisplayName("the progress bar counts runs on stderr and is erased at the end")
    void progress(@TempDir Path dir) {
        System.setProperty(ProgressBar.AFTER_PROPERTY, "0");
        try {
            Cli.Result r = Cli.run("experiment", "irqsave-hold", "--seeds", "1", "--progress", "--out", dir.toString());
            assertEquals(0, r.exit(), r.err());
            long runs = Experiment.all().stream().filter(e -> e.name().equals("irqsave-hold")).findFirst().orElseThrow().runs(1);
            assertTrue(r.err().contains("/ " + runs + " runs"), "counts runs: " + r.err());
            assertTrue(r.err().endsWith("\r"), "erased at the end");
        } finally {
            System.clearProperty(ProgressBar.AFTER_PROPERTY);
        }
    }
}
