package dev.kctx.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {

    @Test
    @DisplayName("demo preemption --seed 7 twice, and with 1 and 4 dispatcher threads, prints byte-identical output")
    void deterministic() {
        Cli.Result a = Cli.run("demo", "preemption", "--seed", "7");
        Cli.Result b = Cli.run("demo", "preemption", "--seed", "7");
        Cli.Result one = Cli.run("demo", "preemption", "--seed", "7", "--threads", "1");
        Cli.Result four = Cli.run("demo", "preemption", "--seed", "7", "--threads", "4");
        assertEquals(0, a.exit(), "the demo runs: " + a.err());
        assertEquals(a.out(), b.out(), "two runs print the same bytes");
        assertEquals(a.out(), one.out(), "one dispatcher thread prints the same bytes");
        assertEquals(a.out(), four.out(), "four dispatcher threads print the same bytes");
    }

    @Test
    @DisplayName("the demo prints an ftrace-style trace and the per-CPU summary with the latencies")
    void traceAndSummary() {
        Cli.Result r = Cli.run("demo", "preemption", "--seed", "3", "--cpus", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("# tracer: nop\n"), "ftrace header first");
        assertTrue(r.out().contains("irq_handler_entry: irq=11 name=nic"), "the NIC interrupt is traced");
        assertTrue(r.out().contains("softirq_entry: vec=3 [action=NET_RX]"), "NET_RX is traced");
        assertTrue(r.out().contains("# summary: preemption, 3 CPUs, seed 3"), "summary header names cpus and seed");
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("2 ")), "a row for CPU 2");
        assertTrue(r.out().contains("irq -> softirq") && r.out().contains("median="), "the irq-to-softirq latency is summarised");
        assertTrue(r.out().contains("softirq wake_up -> kthread running"), "the wake-up latency is summarised");
    }

    @Test
    @DisplayName("different seeds change the run")
    void seedChangesRun() {
        assertTrue(!Cli.run("demo", "preemption", "--seed", "1").out().equals(Cli.run("demo", "preemption", "--seed", "2").out()),
                "seed 1 and seed 2 differ");
    }

    @Test
    @DisplayName("--list names the demos; unknown demos and bad options exit 2 with one line")
    void listAndErrors() {
        Cli.Result list = Cli.run("demo", "--list");
        assertEquals(0, list.exit());
        assertTrue(list.out().contains("preemption"), "the list names preemption");
        Cli.Result unknown = Cli.run("demo", "nosuch");
        assertEquals(2, unknown.exit(), "unknown demo is bad input");
        assertEquals(1, unknown.err().lines().count(), "one line: " + unknown.err());
        assertTrue(unknown.err().contains("expected one of [preemption"), "it names the valid demos");
        Cli.Result badUntil = Cli.run("demo", "preemption", "--until", "-5ms");
        assertEquals(2, badUntil.exit(), "negative duration is bad input: " + badUntil.err());
        Cli.Result badCpus = Cli.run("demo", "preemption", "--cpus", "zero");
        assertEquals(2, badCpus.exit(), "a non-number is bad input");
    }

    @Test
    @DisplayName("a transcript demo runs its whole session by default (past the 12 ms of --until's default); an explicit --until cuts it short")
    void transcriptRunsToTheEnd() {
        Cli.Result full = Cli.run("demo", "sysctl");
        assertEquals(0, full.exit(), full.err());
        assertTrue(full.out().endsWith("$ sysctl vm.swappiness\nvm.swappiness = 20\n"), "the last command ran: " + full.out());
        Cli.Result cut = Cli.run("demo", "sysctl", "--until", "2ms");
        assertEquals(0, cut.exit(), cut.err());
        assertTrue(cut.out().startsWith("# sysctl vm.swappiness kernel.hostname\n") && !cut.out().contains("reboot"),
                "only the first commands ran: " + cut.out());
        for (String demo : java.util.List.of("chardev", "cdev-wait", "params", "ioctl", "sysctl", "syscall")) {
            assertTrue(Cli.run("demo", "--list").out().contains(demo), "--list names " + demo);
        }
    }

    @Test
    @DisplayName("demo genetlink, netlink and udp print their sessions and are listed")
    void socketDemos() {
        Cli.Result list = Cli.run("demo", "--list");
        for (String d : java.util.List.of("genetlink", "netlink", "udp")) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(d + " ")), "--list names " + d);
        }
        Cli.Result g = Cli.run("demo", "genetlink");
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().contains("\nkernel says: hello world from kernel space\n"), g.out());
        assertTrue(g.out().endsWith("# ./gnuser\nreceived error\nerror received NACK - leaving\n"), g.out());
        Cli.Result n = Cli.run("demo", "netlink");
        assertEquals(0, n.exit(), n.err());
        assertTrue(n.out().contains("\nrecvmsg: No buffer space available\n"), n.out());
        Cli.Result u = Cli.run("demo", "udp");
        assertEquals(0, u.exit(), u.err());
        assertTrue(u.out().contains("\nreceived 3 of 20 datagrams\n"), u.out());
        assertEquals(u.out(), Cli.run("demo", "udp", "--threads", "4").out(), "the same bytes with four dispatcher threads");
    }

    @Test
    @DisplayName("--version and --help work")
    void versionAndHelp() {
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("kctx "), v.out());
        Cli.Result h = Cli.run("demo", "--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("--seed"), "help lists --seed");
    }
}
