package dev.kctx.mechanisms.shell;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Progs;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** kmod's name normalisation and its own refusals (tools/rmmod.c, tools/modprobe.c, libkmod modname_normalize). */
class KmodTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** char_dev_driver, built as char-dev-driver.ko (kbuild's KBUILD_MODNAME has '_' for '-'); its debugfs file pins it while open. */
    static ModuleDef driver() {
        FileOps fops = new FileOps() {
            @Override
            public String owner() {
                return "char_dev_driver";
            }

            @Override
            public IoResult read(FileCtx c, OpenFile f, int count) {
                return IoResult.Done.read(new byte[0]);
            }
        };
        return new ModuleDef("char_dev_driver", List.of(), m -> {
            m.createFile("/sys/kernel/debug/cdd", 0444, fops);
            return 0;
        }, m -> m.printk("char_dev_driver: exit")).withFile("char-dev-driver.ko");
    }

    @Test
    @DisplayName("'-' and '_' name the same module for rmmod and modprobe; insmod takes the file; lsmod shows the kernel's name")
    void normalisation() {
        RunResult r = Transcripts.run(testKit, List.of(driver()), List.of(
                "insmod char-dev-driver.ko",
                "lsmod",
                "rmmod char-dev-driver",
                "rmmod char-dev-driver",
                "modprobe char-dev-driver",
                "modprobe char_dev_driver",
                "rmmod char_dev_driver.ko",
                "modprobe -r char-dev-driver",
                "modprobe no-such-module",
                "dmesg"));
        assertEquals(List.of(
                "# insmod char-dev-driver.ko",
                "# lsmod",
                "Module                  Size  Used by",
                "char_dev_driver        16384  0",
                "# rmmod char-dev-driver",
                "# rmmod char-dev-driver",
                "rmmod: ERROR: Module char_dev_driver is not currently loaded",
                "# modprobe char-dev-driver",
                "# modprobe char_dev_driver",
                "# rmmod char_dev_driver.ko",
                "# modprobe -r char-dev-driver",
                "# modprobe no-such-module",
                "modprobe: FATAL: Module no-such-module not found in directory /lib/modules/6.6.0",
                "# dmesg",
                "char_dev_driver: exit",
                "char_dev_driver: exit"), Transcripts.console(r), "the transcript");
        assertEquals(2, Progs.events(r, "sys_exit").stream().filter(a -> a.startsWith("NR 175 ")).count(),
                "init_module for insmod and the first modprobe; none for the module already live");
    }

    @Test
    @DisplayName("a module in use: rmmod and modprobe -r refuse on their own from /sys/module/NAME/refcnt, without delete_module")
    void inUse() {
        RunResult r = Transcripts.run(testKit, List.of(driver()), List.of(
                "insmod char-dev-driver.ko",
                "exec 3< /sys/kernel/debug/cdd",
                "rmmod char-dev-driver",
                "echo $?",
                "modprobe -r char-dev-driver",
                "cat /sys/module/char_dev_driver/refcnt",
                "exec 3<&-",
                "rmmod char-dev-driver",
                "echo $?"));
        assertEquals(List.of(
                "# insmod char-dev-driver.ko",
                "# exec 3< /sys/kernel/debug/cdd",
                "# rmmod char-dev-driver",
                "rmmod: ERROR: Module char_dev_driver is in use",
                "# echo $?",
                "1",
                "# modprobe -r char-dev-driver",
                "modprobe: FATAL: Module char_dev_driver is in use.",
                "# cat /sys/module/char_dev_driver/refcnt",
                "1",
                "# exec 3<&-",
                "# rmmod char-dev-driver",
                "# echo $?",
                "0"), Transcripts.console(r), "the transcript");
        assertEquals(List.of("NR 176 = 0"), Progs.events(r, "sys_exit").stream().filter(a -> a.startsWith("NR 176 ")).toList(),
                "delete_module was called once, when the module was free");
    }
}
