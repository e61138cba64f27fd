package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.demo.TranscriptDemo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The procfs, sysfs, debugfs and configfs demos, word for word (kernel-log timestamps aside). */
class FileInterfaceDemosTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static List<String> run(TranscriptDemo demo) {
        TestProbe<Machine.Finished> probe = testKit.createTestProbe();
        ActorRef<Machine.Command> m = testKit.spawn(Machine.create(demo.spec(1), true));
        m.tell(new Machine.Start(1_000_000_000L, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(30)).result();
        testKit.stop(m);
        assertTrue(r.failure().isEmpty(), () -> "the demo completed: " + r.failure().orElse(""));
        assertTrue(r.reports().isEmpty(), () -> "no context violations: " + r.reports());
        return Transcripts.console(r);
    }

    @Test
    @DisplayName("procfs demo: the simple entry stops at 4096 bytes mid-line; the seq_file entry gives 5000, a page per read at most, seekable")
    void procfs() {
        assertEquals(List.of(
                "# insmod procfs_example.ko",
                "# dmesg",
                "procfs_example: /proc/procfs_simple: 200 lines formatted into one page",
                "procfs_example: /proc/procfs_seq: 250 records through seq_file",
                "# wc -c /proc/procfs_simple",
                "4096 /proc/procfs_simple",
                "# dd if=/proc/procfs_simple bs=1 skip=4080 status=none",
                "line 136: simple",
                "# wc -c /proc/procfs_seq",
                "5000 /proc/procfs_seq",
                "# dd if=/proc/procfs_seq of=/tmp/seq bs=1024 status=noxfer",
                "4+1 records in",
                "4+1 records out",
                "# dd if=/proc/procfs_seq of=/tmp/seq bs=8192 status=noxfer",
                "0+2 records in",
                "0+2 records out",
                "# wc -c /tmp/seq",
                "5000 /tmp/seq",
                "# dd if=/proc/procfs_seq bs=20 skip=123 count=2 status=none",
                "123 seq_file record",
                "124 seq_file record",
                "# cat /proc/modules",
                "procfs_example 16384 0 - Live 0xffffffffc0a00000 (OE)",
                "# rmmod procfs_example",
                "# cat /proc/procfs_seq",
                "cat: /proc/procfs_seq: No such file or directory"), run(SeedDemos.PROCFS));
    }

    @Test
    @DisplayName("sysfs demo: read, write, EINVAL from store, a read-only attribute refuses root, non-root reads but may not write")
    void sysfs() {
        assertEquals(List.of(
                "# insmod sysfs_example.ko",
                "# ls /sys/kernel/sysfs_example",
                "value  version",
                "# cat /sys/kernel/sysfs_example/value",
                "42",
                "# echo 7 > /sys/kernel/sysfs_example/value",
                "# cat /sys/kernel/sysfs_example/value",
                "7",
                "# echo seven > /sys/kernel/sysfs_example/value",
                "sh: echo: write error: Invalid argument",
                "# cat /sys/kernel/sysfs_example/version",
                "1.0",
                "# echo 2.0 > /sys/kernel/sysfs_example/version",
                "sh: /sys/kernel/sysfs_example/version: Permission denied",
                "# dmesg",
                "sysfs_example: value set to 7",
                "# setuid 1000",
                "$ cat /sys/kernel/sysfs_example/value",
                "7",
                "$ echo 8 > /sys/kernel/sysfs_example/value",
                "sh: /sys/kernel/sysfs_example/value: Permission denied"), run(SeedDemos.SYSFS));
    }

    @Test
    @DisplayName("debugfs demo: variables written and read back, the module logs what it sees, a non-root user is kept out")
    void debugfs() {
        assertEquals(List.of(
                "# insmod debugfs_example.ko",
                "# ls /sys/kernel/debug/debugfs_example",
                "blob  counter  enabled  mask  report  small",
                "# cat /sys/kernel/debug/debugfs_example/counter",
                "0",
                "# echo 1234 > /sys/kernel/debug/debugfs_example/counter",
                "# cat /sys/kernel/debug/debugfs_example/counter",
                "1234",
                "# echo 0xdeadbeef > /sys/kernel/debug/debugfs_example/mask",
                "# cat /sys/kernel/debug/debugfs_example/mask",
                "0xdeadbeef",
                "# echo N > /sys/kernel/debug/debugfs_example/enabled",
                "# cat /sys/kernel/debug/debugfs_example/enabled",
                "N",
                "# cat /sys/kernel/debug/debugfs_example/blob",
                "debugfs_example blob: read-only bytes",
                "# echo 1 > /sys/kernel/debug/debugfs_example/report",
                "# dmesg",
                "debugfs_example: counter=1234 mask=0xdeadbeef small=7 enabled=N",
                "# setuid 1000",
                "$ cat /sys/kernel/debug/debugfs_example/counter",
                "cat: /sys/kernel/debug/debugfs_example/counter: Permission denied",
                "$ ls /sys/kernel/debug",
                "ls: cannot open directory '/sys/kernel/debug': Permission denied"), run(SeedDemos.DEBUGFS));
    }

    @Test
    @DisplayName("configfs demo: mkdir makes an item the module logs, attributes round-trip, rmmod refused until rmdir")
    void configfs() {
        assertEquals(List.of(
                "# insmod configfs_example.ko",
                "# ls /sys/kernel/config",
                "configfs_example",
                "# mkdir /sys/kernel/config/configfs_example/item0",
                "# dmesg -c",
                "configfs_example: registered subsystem configfs_example",
                "configfs_example: make_item item0",
                "# ls /sys/kernel/config/configfs_example/item0",
                "description  value",
                "# echo 17 > /sys/kernel/config/configfs_example/item0/value",
                "# cat /sys/kernel/config/configfs_example/item0/value",
                "17",
                "# echo \"first item\" > /sys/kernel/config/configfs_example/item0/description",
                "# cat /sys/kernel/config/configfs_example/item0/description",
                "first item",
                "# rmmod configfs_example",
                "rmmod: ERROR: Module configfs_example is in use",
                "# lsmod",
                "Module                  Size  Used by",
                "configfs_example       16384  2",
                "# rmdir /sys/kernel/config/configfs_example/item0",
                "# rmmod configfs_example",
                "# dmesg",
                "configfs_example: item0 value = 17",
                "configfs_example: drop_item item0 (value 17)",
                "configfs_example: unregistered",
                "# ls /sys/kernel/config"), run(SeedDemos.CONFIGFS));
    }
}
