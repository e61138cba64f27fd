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
    @DisplayName("--list names the four experiments, --help explains them; an unknown one is a usage error")
    void listAndUnknown() {
        Cli.Result list = Cli.run("experiment", "--list");
        assertEquals(0, list.exit());
        Cli.Result help = Cli.run("experiment", "--help");
        assertEquals(0, help.exit());
        for (String name : List.of("relay-vs-netlink", "irqsave-hold", "softirq-storm", "wakeup-latency")) {
            assertTrue(list.out().contains(name), "listed: " + name);
            assertTrue(help.out().contains("  " + name + " "), "in the help: " + name);
        }
        assertTrue(help.out().contains("cond_resched") && help.out().contains("--quick"), help.out());
        Cli.Result bad = Cli.run("experiment", "nope");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown experiment 'nope'"), bad.err());
        assertEquals(2, Cli.run("experiment", "irqsave-hold", "--seeds", "0").exit());
    }

    @Test
    @DisplayName("relay-vs-netlink writes its four files; the table has both directions, both machines, loads 0..16,"
            + " median and max of the three designs and the relays' ratios to netlink; what the data show under EEVDF;"
            + " the same seeds give the same CSV")
    void relayVsNetlink(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("experiment", "relay-vs-netlink", "--seeds", "1", "--out", dir.resolve("a").toString(), "--jobs", "2");
        assertEquals(0, r.exit(), r.err());
        for (String f : List.of("results.csv", "results.md", "latency.png", "latency.svg")) {
            assertTrue(Files.size(dir.resolve("a").resolve(f)) > 0, "wrote " + f);
        }
        List<String> csv = Files.readAllLines(dir.resolve("a/results.csv"));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        assertTrue(header.containsAll(List.of("direction", "cpus", "load", "relay median us", "relay max us",
                "relay-fifo median us", "relay-fifo max us", "netlink median us", "netlink max us", "relay/netlink",
                "relay-fifo/netlink", "relay kernel-side us", "relay-fifo kernel-side us", "netlink kernel-side us")),
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
        List<String> verdicts = md.lines().filter(l -> l.startsWith("- ") && l.contains(" -> ")).toList();
        assertEquals(4, verdicts.size(), "one verdict per direction and machine");
        for (String v : verdicts) {
            assertTrue(v.contains("-> the seed's claim (relay grows, netlink flat): relay no, relay-fifo no"),
                    "under EEVDF the seed's claim holds for neither relay: " + v);
        }
        assertTrue(md.contains("from-irq, 1 CPU: relay grows, ") && md.contains(", netlink grows with load"),
                "IRQ -> user on 1 CPU: the fair relay and netlink grow with load: " + md);
        String[] busiest = csv.stream().skip(1).map(l -> l.split(","))
                .filter(c -> c[0].equals("from-irq") && c[1].equals("1") && c[2].equals("16")).findFirst().orElseThrow();
        assertTrue(number(busiest, header, "netlink median us") > 1000,
                "IRQ -> user, 16 processes on 1 CPU: the reader woken from NET_RX waits for the running hog's slice and"
                        + " the next tick (RUN_TO_PARITY): " + String.join(",", busiest));
        assertTrue(number(busiest, header, "relay-fifo median us") < number(busiest, header, "netlink median us") / 4,
                "IRQ -> user, 16 processes on 1 CPU: a FIFO relayd preempts the hog, which then loses its run to parity,"
                        + " so the reader it wakes runs sooner than netlink's: " + String.join(",", busiest));
        for (String[] c : csv.stream().skip(1).map(l -> l.split(",")).toList()) {
            String where = c[0] + " " + c[1] + " CPU(s), load " + c[2];
            assertTrue(number(c, header, "relay-fifo kernel-side us") <= 5,
                    where + ": a SCHED_FIFO relayd runs as soon as it is woken, whatever the load");
            if (c[0].equals("to-irq")) {
                assertTrue(number(c, header, "relay median us") < 1000,
                        where + ": the fair relay no longer waits a slice per process (EEVDF wake-up preemption, the tick)");
                assertTrue(number(c, header, "relay-fifo median us") <= 1.5 * number(c, header, "netlink median us") + 20,
                        where + ": user -> IRQ, a FIFO relay is as fast as netlink");
            }
        }
        assertTrue(Files.readString(dir.resolve("a/latency.svg")).contains("CPU-bound user processes (load)"));

        Cli.Result again = Cli.run("experiment", "relay-vs-netlink", "--seeds", "1", "--out", dir.resolve("b").toString(), "--jobs", "1");
        assertEquals(0, again.exit(), again.err());
        assertEquals(Files.readString(dir.resolve("a/results.csv")), Files.readString(dir.resolve("b/results.csv")),
                "the same seeds give the same CSV, one or two machines at a time");
    }

    @Test
    @DisplayName("wakeup-latency --quick writes its table and plot: every load, model and policy at 1 and 16 hogs;"
            + " a fair sleeper waits a median <= 0.5 ms and a p99 <= 8 ms among user processes, a SCHED_FIFO one <= 0.05 ms")
    void wakeupLatency(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("experiment", "wakeup-latency", "--quick", "--seeds", "1", "--out", dir.toString(), "--jobs", "2");
        assertEquals(0, r.exit(), r.err());
        for (String f : List.of("results.csv", "results.md", "latency.png", "latency.svg")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, "wrote " + f);
        }
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        assertEquals(List.of("load", "preempt", "hogs", "fair nice 0 median us", "fair nice 0 p99 us", "fair nice 0 max us",
                "fair nice -10 median us", "fair nice -10 p99 us", "fair nice -10 max us", "SCHED_FIFO 50 median us",
                "SCHED_FIFO 50 p99 us", "SCHED_FIFO 50 max us", "wake-ups"), header);
        assertEquals(1 + 3 * 3 * 2, csv.size(), "one row per load, model and number of hogs (1, 16)");
        int userRows = 0;
        for (String[] c : csv.stream().skip(1).map(l -> l.split(",")).toList()) {
            assertTrue(Long.parseLong(c[header.indexOf("wake-ups")]) > 300, "the periodic task woke often: " + String.join(",", c));
            if (c[0].equals("user processes")) {
                userRows++;
                String where = c[2] + " user processes, preempt=" + c[1];
                assertTrue(number(c, header, "fair nice 0 median us") <= 500, where + ": fair median <= 0.5 ms");
                assertTrue(number(c, header, "fair nice 0 p99 us") <= 8000, where + ": fair p99 <= 8 ms");
                assertTrue(number(c, header, "SCHED_FIFO 50 max us") <= 50, where + ": FIFO max <= 0.05 ms");
            }
        }
        assertEquals(6, userRows, "1 and 16 user processes under three models");
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.startsWith("# wakeup-latency (--quick)"), md);
        assertTrue(md.contains("-> the reference holds (fair median <= 500 us and p99 <= 8000 us, FIFO max <= 50 us)"), md);
        assertTrue(Files.readString(dir.resolve("latency.svg")).contains("kthreads without cond_resched, preempt=none"));
    }

    private static double number(String[] row, List<String> header, String column) {
        return Double.parseDouble(row[header.indexOf(column)]);
    }

    @Test
    @DisplayName("the progress bar counts runs on stderr (whole lines off a terminal)")
    void progress(@TempDir Path dir) {
        System.setProperty(ProgressBar.AFTER_PROPERTY, "0");
        try {
            Cli.Result r = Cli.run("experiment", "irqsave-hold", "--seeds", "1", "--progress", "--out", dir.toString());
            assertEquals(0, r.exit(), r.err());
            long runs = Experiment.all().stream().filter(e -> e.name().equals("irqsave-hold")).findFirst().orElseThrow().runs(1);
            assertTrue(r.err().contains("/ " + runs + " runs"), "counts runs: " + r.err());
            assertTrue(r.err().endsWith("\n") && !r.err().contains("\r"), "whole lines off a terminal: " + r.err());
        } finally {
            ProgressBarTest.restoreDelay();
        }
    }
}
