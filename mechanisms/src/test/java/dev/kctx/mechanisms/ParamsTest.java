package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.module.ParamDef;
import dev.kctx.mechanisms.module.ParamType;
import dev.kctx.mechanisms.params.PrintVma;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("kernels since 3.17 ignore an unknown parameter with a warning and load the module")
    void unknownIgnored() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .boot(Modules.class, () -> new Modules(PrintVma.builds()).unknownParams(Modules.UnknownParams.IGNORE))
                .process("sh", 0, 0, Transcripts.shell(List.of("insmod printvma.ko pid=1 pid_mem=4242", "dmesg", "lsmod")), 4242)
                .build();
        RunResult r = Transcripts.run(testKit, spec);
        assertEquals(DemoTranscriptsTest.lines(
                "# insmod printvma.ko pid=1 pid_mem=4242",
                "# dmesg",
                "printvma: unknown parameter 'pid' ignored",
                "Got the process id to look up as 4242",
                "sh[4242]",
                DemoTranscriptsTest.PRINTVMA_SH,
                "# lsmod",
                "Module                  Size  Used by",
                "printvma               16384  0"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("parameter names match with '-' for '_'; a number out of int range is ERANGE; a pid that is not the caller's is only logged")
    void parsing() {
        RunResult r = Transcripts.run(testKit, PrintVma.builds(), List.of(
                "insmod 0444/printvma.ko pid-mem=0x10",
                "cat /sys/module/printvma/parameters/pid_mem",
                "rmmod printvma",
                "insmod printvma.ko pid_mem=99999999999",
                "insmod printvma.ko pid_mem",
                "dmesg"));
        assertEquals(List.of(
                "# insmod 0444/printvma.ko pid-mem=0x10",
                "# cat /sys/module/printvma/parameters/pid_mem",
                "16",
                "# rmmod printvma",
                "# insmod printvma.ko pid_mem=99999999999",
                "insmod: ERROR: could not insert module printvma.ko: Numerical result out of range",
                "# insmod printvma.ko pid_mem",
                "insmod: ERROR: could not insert module printvma.ko: Invalid parameters",
                "# dmesg",
                "Got the process id to look up as 16",
                "Print segment information module exiting.",
                "printvma: `99999999999' invalid for parameter `pid_mem'",
                "printvma: `' invalid for parameter `pid_mem'"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("parameter files: 0444 readable by a user, 0644 writable only by root (EACCES otherwise), 0 absent; the module sees a written value")
    void files() {
        ModuleDef m = new ModuleDef("knobs", List.of(
                new ParamDef("hidden", ParamType.INT, 0, 1L),
                new ParamDef("shown", ParamType.INT, 0444, 2L),
                new ParamDef("tunable", ParamType.BOOL, 0644, Boolean.FALSE),
                new ParamDef("name", ParamType.CHARP, 0640, "kctx")), c -> 0,
                c -> c.printk("knobs: tunable=" + c.param("tunable") + " name=" + c.param("name")));
        RunResult r = Transcripts.run(testKit, List.of(m), List.of(
                "insmod knobs.ko name=first",
                "ls /sys/module/knobs/parameters",
                "echo Y > /sys/module/knobs/parameters/tunable",
                "cat /sys/module/knobs/parameters/tunable",
                "echo maybe > /sys/module/knobs/parameters/tunable",
                "rmmod knobs",
                "insmod knobs.ko",
                "setuid 1000",
                "cat /sys/module/knobs/parameters/shown",
                "cat /sys/module/knobs/parameters/name",
                "echo N > /sys/module/knobs/parameters/tunable",
                "dmesg"));
        assertEquals(List.of(
                "# insmod knobs.ko name=first",
                "# ls /sys/module/knobs/parameters",
                "name  shown  tunable",
                "# echo Y > /sys/module/knobs/parameters/tunable",
                "# cat /sys/module/knobs/parameters/tunable",
                "Y",
                "# echo maybe > /sys/module/knobs/parameters/tunable",
                "sh: echo: write error: Invalid argument",
                "# rmmod knobs",
                "# insmod knobs.ko",
                "# setuid 1000",
                "$ cat /sys/module/knobs/parameters/shown",
                "2",
                "$ cat /sys/module/knobs/parameters/name",
                "cat: /sys/module/knobs/parameters/name: Permission denied",
                "$ echo N > /sys/module/knobs/parameters/tunable",
                "sh: /sys/module/knobs/parameters/tunable: Permission denied",
                "$ dmesg",
                "knobs: tunable=true name=first"), Transcripts.console(r), "the transcript");
        assertTrue(r.reports().isEmpty(), r.reports().toString());
    }
}
