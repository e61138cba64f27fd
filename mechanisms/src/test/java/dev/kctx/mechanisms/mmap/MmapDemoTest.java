package dev.kctx.mechanisms.mmap;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.demo.SeedDemos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MmapDemoTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("kctx demo mmap: the seed's two messages with one fault, a timer's change announced by a signal, SIGBUS beyond"
            + " the page, SIGSEGV after munmap, nothing left pinned")
    void transcript() {
        RunResult r = DemoRuns.demo(testKit, SeedDemos.MMAP);
        String fault = "mmap_example: fault at page 0, handing over the kernel's page";
        assertEquals(List.of(
                "# insmod mmap_kernel.ko",
                "# ./mmap_user",
                "initial message: hello from kernel this is file: mmap_example",
                "changed message: hello from *user* this is file: mmap_example",
                "# dmesg -c",
                fault,
                "# ./mmap_notify",
                "wrote *user* into the page; waiting for the kernel",
                "signal 44 (value 1): hello from *softirq* this is file: mmap_example",
                "# dmesg -c",
                fault,
                "mmap_example: timer: the page says \"hello from *user* this is file: mmap_example\"",
                "mmap_example: timer: page rewritten, signal 44 to pid 4244",
                "# ./mmap_beyond",
                "page 0: hello from kernel this is file: mmap_example",
                "Bus error",
                "# echo $?",
                "135",
                "# ./mmap_unmapped",
                "mapped: hello from kernel this is file: mmap_example",
                "Segmentation fault",
                "# echo $?",
                "139",
                "# dmesg",
                fault,
                "mmap_example: no page at offset 1: SIGBUS",
                fault,
                "# rmmod mmap_kernel",
                "# lsmod",
                "Module                  Size  Used by"), Transcripts.console(r), "the transcript");
        assertEquals(List.of(), r.reports(), "the timer's page write and signal are legal in soft IRQ context");
    }
}
