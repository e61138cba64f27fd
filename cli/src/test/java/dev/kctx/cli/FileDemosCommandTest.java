package dev.kctx.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileDemosCommandTest {

    @Test
    @DisplayName("demo --list names procfs, sysfs, debugfs and configfs, and each runs to its last transcript line")
    void fileInterfaceDemos() {
        Cli.Result list = Cli.run("demo", "--list");
        for (String d : new String[] {"procfs", "sysfs", "debugfs", "configfs"}) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(d + " ")), "the list names " + d);
        }
        assertEnds("procfs", "cat: /proc/procfs_seq: No such file or directory");
        assertEnds("sysfs", "sh: /sys/kernel/sysfs_example/value: Permission denied");
        assertEnds("debugfs", "ls: cannot open directory '/sys/kernel/debug': Permission denied");
        assertEnds("configfs", "# ls /sys/kernel/config");
    }

    private static void assertEnds(String demo, String lastLine) {
        Cli.Result r = Cli.run("demo", demo);
        assertEquals(0, r.exit(), demo + " runs: " + r.err());
        assertTrue(r.out().startsWith("# insmod " + demo + "_example.ko\n"), demo + " starts with its insmod");
        assertTrue(r.out().endsWith(lastLine + "\n"), demo + " ends with: " + lastLine + "\n---\n" + r.out());
    }
}
