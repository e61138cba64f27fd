package dev.kctx.mechanisms.shell;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.debugfs.DebugfsExample;
import dev.kctx.mechanisms.procfs.ProcfsExample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileToolsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("wc -c and dd report failures with coreutils' messages; dd without of= prints what it read")
    void messages() {
        RunResult r = Transcripts.run(testKit, List.of(ProcfsExample.module()), List.of(
                "wc -c /proc/nothing",
                "dd if=/proc/nothing status=none",
                "insmod procfs_example.ko",
                "dd if=/proc/procfs_seq of=/proc/new bs=100 count=1 status=noxfer",
                "dd if=/proc/procfs_seq bs=10 count=3 status=noxfer",
                "ls /proc/nothing",
                "ls /proc/procfs_seq",
                "ls -F /proc/procfs_seq/"));
        assertEquals(List.of(
                "# wc -c /proc/nothing",
                "wc: /proc/nothing: No such file or directory",
                "# dd if=/proc/nothing status=none",
                "dd: failed to open '/proc/nothing': No such file or directory",
                "# insmod procfs_example.ko",
                "# dd if=/proc/procfs_seq of=/proc/new bs=100 count=1 status=noxfer",
                "dd: failed to open '/proc/new': Permission denied",
                "# dd if=/proc/procfs_seq bs=10 count=3 status=noxfer",
                "000 seq_file record",
                "001 seq_fi",
                "3+0 records in",
                "3+0 records out",
                "# ls /proc/nothing",
                "ls: cannot access '/proc/nothing': No such file or directory",
                "# ls /proc/procfs_seq",
                "/proc/procfs_seq",
                "# ls -F /proc/procfs_seq/",
                "ls: cannot access '/proc/procfs_seq/': Not a directory"), Transcripts.console(r));
    }

    @Test
    @DisplayName("dd skip= on a file that cannot seek (a debugfs u32: ESPIPE) reads the skipped blocks instead")
    void skipWithoutSeek() {
        RunResult r = Transcripts.run(testKit, List.of(DebugfsExample.module()), List.of(
                "insmod debugfs_example.ko",
                "echo 123456 > /sys/kernel/debug/debugfs_example/counter",
                "dd if=/sys/kernel/debug/debugfs_example/counter bs=2 skip=1 status=noxfer"));
        List<String> out = Transcripts.console(r);
        assertEquals(List.of("3456", "2+1 records in", "2+1 records out"), out.subList(out.size() - 3, out.size()));
    }

    @Test
    @DisplayName("commands this shell cannot run faithfully are refused when the program is built")
    void refused() {
        assertThrows(IllegalArgumentException.class, () -> Shell.command("dd if=/proc/devices"), "dd needs status=none|noxfer");
        assertThrows(IllegalArgumentException.class, () -> Shell.command("dd if=/proc/devices conv=notrunc status=none"));
        assertThrows(IllegalArgumentException.class, () -> Shell.command("wc -l /proc/devices"));
        assertThrows(IllegalArgumentException.class, () -> Shell.command("ls -l /proc"), "only -F is modelled");
        assertTrue(Shell.COMMANDS.containsAll(List.of("wc", "dd")), "wc and dd are known");
    }
}
