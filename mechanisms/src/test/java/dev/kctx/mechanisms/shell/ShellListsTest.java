package dev.kctx.mechanisms.shell;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.procfs.ProcfsExample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shell's lists: {@code ;}, {@code &&} and {@code ||} with POSIX sh's exit-status rules (2.9.3). */
class ShellListsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("&& runs the next command only after status 0, || only after a failure; ; always; skipped commands keep $?")
    void statusRules() {
        RunResult r = Transcripts.run(testKit, List.of(ProcfsExample.module()), List.of(
                "cat /proc/nothere && echo not-reached",
                "echo $?",
                "cat /proc/nothere || echo recovered",
                "echo $?",
                "insmod procfs_example.ko && echo loaded || echo not-loaded",
                "insmod procfs_example.ko && echo loaded || echo not-loaded",
                "ls /nothere; echo $?; echo after",
                "echo 'a && b; c || d' && echo quoted",
                "rmmod procfs_example; rmmod procfs_example || echo gone"));
        assertEquals(List.of(
                "# cat /proc/nothere && echo not-reached",
                "cat: /proc/nothere: No such file or directory",
                "# echo $?",
                "1",
                "# cat /proc/nothere || echo recovered",
                "cat: /proc/nothere: No such file or directory",
                "recovered",
                "# echo $?",
                "0",
                "# insmod procfs_example.ko && echo loaded || echo not-loaded",
                "loaded",
                "# insmod procfs_example.ko && echo loaded || echo not-loaded",
                "insmod: ERROR: could not insert module procfs_example.ko: Module already loaded",
                "not-loaded",
                "# ls /nothere; echo $?; echo after",
                "ls: cannot access '/nothere': No such file or directory",
                "2",
                "after",
                "# echo 'a && b; c || d' && echo quoted",
                "a && b; c || d",
                "quoted",
                "# rmmod procfs_example; rmmod procfs_example || echo gone",
                "rmmod: ERROR: Module procfs_example is not currently loaded",
                "gone"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("a list with an empty command is sh's syntax error, refused when the line is read")
    void syntaxErrors() {
        assertThrows(IllegalArgumentException.class, () -> Shell.command("&& echo x"), "nothing before &&");
        assertThrows(IllegalArgumentException.class, () -> Shell.command("echo x ||"), "nothing after ||");
        assertThrows(IllegalArgumentException.class, () -> Shell.command("echo x ;; echo y"), "an empty command between");
        assertEquals(1, Shell.andOrList("echo x;").size(), "a trailing ; ends the list");
    }
}
