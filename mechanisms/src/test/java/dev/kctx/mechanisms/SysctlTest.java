package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.sysctl.CtlEntry;
import dev.kctx.mechanisms.sysctl.Sysctl;
import dev.kctx.mechanisms.sysctl.SysctlExample;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.shell.Reboot;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.RamFile;
import dev.kctx.mechanisms.vfs.Vfs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysctlTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A machine whose disk already has /etc/sysctl.conf with {@code conf}. */
    private static MachineSpec withConf(String conf, List<ModuleDef> modules, Program body) {
        return MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(modules))
                .boot(Vfs.class, () -> {
                    Vfs v = new Vfs();
                    v.createFile(Sysctl.CONF, 0644, null, new RamFile(conf.getBytes(StandardCharsets.UTF_8)));
                    return v;
                })
                .process("sh", 0, 0, body, 4242).build();
    }

    @Test
    @DisplayName("proc_dointvec parses like proc_get_long: base 0, a minus sign, whitespace between values; garbage or nothing is EINVAL and changes nothing")
    void intvecParsing() {
        CtlEntry e = CtlEntry.intvec("v", 0644, 1, 2, 3);
        e.store("0x10 010\t-7\n");
        assertArrayEquals(new int[] {16, 8, -7}, e.ints(), "hex, octal and negative");
        assertEquals("16\t8\t-7\n", e.show(), "shown tab-separated with a newline");
        e.store("5");
        assertArrayEquals(new int[] {5, 8, -7}, e.ints(), "a short write changes only the first values");
        e.store("1 2 3 4 5");
        assertArrayEquals(new int[] {1, 2, 3}, e.ints(), "values beyond the vector are not read");
        for (String bad : List.of("", "\n", "abc", "12abc", "2147483648", "0x", "+5", "--1")) {
            assertThrows(KernelError.class, () -> e.store(bad), "refused: '" + bad + "'");
        }
        assertArrayEquals(new int[] {1, 2, 3}, e.ints(), "refused writes leave the value");
        e.store("-2147483648");
        assertEquals(Integer.MIN_VALUE, e.ints()[0], "INT_MIN fits");
    }

    @Test
    @DisplayName("proc_dointvec_minmax refuses values outside [extra1, extra2] with EINVAL; proc_dostring keeps maxlen-1 bytes up to the first newline")
    void minmaxAndString() {
        CtlEntry m = CtlEntry.intMinmax("swappiness", 0644, 0, 200, 60);
        m.store("200");
        assertEquals("200\n", m.show(), "the upper bound is allowed");
        KernelError err = assertThrows(KernelError.class, () -> m.store("201"));
        assertEquals(Errno.EINVAL, err.errno(), "above the range");
        assertThrows(KernelError.class, () -> m.store("-1"), "below the range");
        assertEquals("200\n", m.show(), "unchanged");
        m.reset();
        assertEquals("60\n", m.show(), "reset gives the default");
        CtlEntry s = CtlEntry.string("hostname", 0644, 8, "(none)");
        s.store("abcdefghijk");
        assertEquals("abcdefg\n", s.show(), "cut to maxlen-1 = 7 characters");
        s.store("two\nlines");
        assertEquals("two\n", s.show(), "up to the newline");
        s.store("");
        assertEquals("\n", s.show(), "an empty string is allowed");
        assertThrows(IllegalArgumentException.class, () -> CtlEntry.intMinmax("x", 0644, 0, 10, 11), "a default outside the range");
        assertThrows(IllegalArgumentException.class, () -> CtlEntry.intvec("x", 0755, 1), "execute bits");
    }

    @Test
    @DisplayName("the kernel's tunables have their defaults; sysctl reads keys, directories, -n values, -a everything, and names unknown keys as procps does")
    void defaultsAndReading() {
        RunResult r = Transcripts.run(testKit, List.of(), List.of(
                "sysctl kernel.hostname kernel.ostype kernel.pid_max kernel.printk vm.swappiness net.core.somaxconn",
                "sysctl -n vm.swappiness",
                "sysctl net",
                "sysctl vm/swappiness",
                "sysctl no.such",
                "ls /proc/sys"));
        assertEquals(List.of(
                "# sysctl kernel.hostname kernel.ostype kernel.pid_max kernel.printk vm.swappiness net.core.somaxconn",
                "kernel.hostname = (none)",
                "kernel.ostype = Linux",
                "kernel.pid_max = 32768",
                "kernel.printk = 7\t4\t1\t7",
                "vm.swappiness = 60",
                "net.core.somaxconn = 4096",
                "# sysctl -n vm.swappiness",
                "60",
                "# sysctl net",
                "net.core.somaxconn = 4096",
                "# sysctl vm/swappiness",
                "vm.swappiness = 60",
                "# sysctl no.such",
                "sysctl: cannot stat /proc/sys/no/such: No such file or directory",
                "# ls /proc/sys",
                "kernel  net  vm"), Transcripts.console(r), "the transcript");
        RunResult all = Transcripts.run(testKit, List.of(), List.of("sysctl -a"));
        assertEquals(List.of("# sysctl -a", "kernel.hostname = (none)", "kernel.ostype = Linux", "kernel.pid_max = 32768",
                "kernel.printk = 7\t4\t1\t7", "net.core.somaxconn = 4096", "vm.swappiness = 60"), Transcripts.console(all),
                "-a walks /proc/sys in directory order");
    }

    @Test
    @DisplayName("reads: an int entry is read whole at offset 0 and then EOF; a string entry continues at the offset")
    void readOffsets() {
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(), Transcripts.program(
                Libc.open("fd", "/proc/sys/vm/swappiness", OpenFlags.O_RDONLY),
                Libc.read("fd", 1), Libc.printf(rg -> "int 1st " + rg.shown() + " '" + new String(rg.data, StandardCharsets.UTF_8) + "'"),
                Libc.read("fd", 1), Libc.printf(rg -> "int 2nd " + rg.shown()),
                Libc.close("fd"),
                Libc.open("fd", "/proc/sys/kernel/hostname", OpenFlags.O_RDONLY),
                Libc.read("fd", 2), Libc.printf(rg -> "str 1st '" + new String(rg.data, StandardCharsets.UTF_8) + "'"),
                Libc.read("fd", 2), Libc.printf(rg -> "str 2nd '" + new String(rg.data, StandardCharsets.UTF_8) + "'"),
                Libc.close("fd"))));
        assertEquals(List.of("int 1st = 1 '6'", "int 2nd = 0", "str 1st '(n'", "str 2nd 'on'"), Transcripts.console(r),
                "__do_proc_dointvec returns nothing after offset 0; _proc_do_string continues");
    }

    @Test
    @DisplayName("permissions: a user reads but gets EACCES writing (sysctl: permission denied); root gets EACCES writing a 0444 entry, and procps refuses it first with EPERM")
    void permissions() {
        RunResult r = Transcripts.run(testKit, List.of(), List.of(
                "echo Plan9 > /proc/sys/kernel/ostype",
                "sysctl -w kernel.ostype=Plan9",
                "setuid 1000",
                "sysctl -w vm.swappiness=10",
                "echo 10 > /proc/sys/vm/swappiness",
                "sysctl -p",
                "cat /proc/sys/vm/swappiness"));
        assertEquals(List.of(
                "# echo Plan9 > /proc/sys/kernel/ostype",
                "sh: /proc/sys/kernel/ostype: Permission denied",
                "# sysctl -w kernel.ostype=Plan9",
                "sysctl: setting key \"kernel.ostype\": Operation not permitted",
                "# setuid 1000",
                "$ sysctl -w vm.swappiness=10",
                "sysctl: permission denied on key \"vm.swappiness\"",
                "$ echo 10 > /proc/sys/vm/swappiness",
                "sh: /proc/sys/vm/swappiness: Permission denied",
                "$ sysctl -p",
                "sysctl: cannot open \"/etc/sysctl.conf\": No such file or directory",
                "$ cat /proc/sys/vm/swappiness",
                "60"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("/etc/sysctl.conf is applied at boot and again after reboot; sysctl -p reports bad lines first, then applies in order, ', ignoring' for '-' keys")
    void confAtBootAndReboot() {
        String conf = "# tuning\nvm.swappiness = 5\n; old style comment\nkernel.hostname=boxy\nbroken line\n"
                + "-kernel.ostype = Plan9\nvm.swappiness = 500\n";
        RunResult r = Transcripts.run(testKit, withConf(conf, List.of(), Transcripts.program(
                "sysctl vm.swappiness kernel.hostname",
                "sysctl -w vm.swappiness=9",
                "sysctl -p",
                "sysctl -w vm.swappiness=9",
                "reboot",
                "sysctl vm.swappiness kernel.hostname")));
        assertEquals(List.of(
                "# sysctl vm.swappiness kernel.hostname",
                "vm.swappiness = 5",
                "kernel.hostname = boxy",
                "# sysctl -w vm.swappiness=9",
                "vm.swappiness = 9",
                "# sysctl -p",
                "sysctl: /etc/sysctl.conf(5): invalid syntax, continuing...",
                "vm.swappiness = 5",
                "kernel.hostname = boxy",
                "sysctl: setting key \"kernel.ostype\": Operation not permitted",
                "sysctl: setting key \"vm.swappiness\": Invalid argument",
                "# sysctl -w vm.swappiness=9",
                "vm.swappiness = 9",
                "# reboot",
                "# sysctl vm.swappiness kernel.hostname",
                "vm.swappiness = 5",
                "kernel.hostname = boxy"), Transcripts.console(r), "boot applied the valid lines; the run-time 9 was lost at reboot");
    }

    @Test
    @DisplayName("a module's table appears with insmod and goes with rmmod (directory too); a duplicate is refused with the kernel's log line; open files do not pin the module and then read ENOENT")
    void moduleTable() {
        ModuleDef dup = new ModuleDef("dup", List.of(), m -> {
            Sysctl.register(m, "kctx", List.of(CtlEntry.intvec("threshold", 0644, 1)));
            return 0;
        }, m -> { });
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(SysctlExample.module(), dup), Transcripts.program(
                "insmod sysctl_example.ko",
                "ls /proc/sys",
                "sysctl -w kctx.limits=\"1 2\"",
                "cat /proc/sys/kctx/limits",
                "insmod dup.ko",
                Libc.open("fd", "/proc/sys/kctx/threshold", OpenFlags.O_RDONLY),
                "rmmod sysctl_example",
                Libc.read("fd", 16),
                Libc.printf(rg -> "read after rmmod " + rg.shown()),
                Libc.close("fd"),
                "ls /proc/sys",
                "dmesg")));
        assertEquals(List.of(
                "# insmod sysctl_example.ko",
                "# ls /proc/sys",
                "kctx  kernel  net  vm",
                "# sysctl -w kctx.limits=\"1 2\"",
                "kctx.limits = 1 2",
                "# cat /proc/sys/kctx/limits",
                "1\t2",
                "# insmod dup.ko",
                "insmod: ERROR: could not insert module dup.ko: Cannot allocate memory",
                "# rmmod sysctl_example",
                "read after rmmod = -1 ENOENT (No such file or directory)",
                "# ls /proc/sys",
                "kernel  net  vm",
                "# dmesg",
                "sysctl_example: registered /proc/sys/kctx",
                "sysctl duplicate entry: /kctx/threshold",
                "sysctl_example: unregistered /proc/sys/kctx"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("reboot: only root (the tool says so, reboot(2) answers EPERM); it unloads modules, empties /tmp and mknod'd nodes, closes the caller's descriptors, starts a fresh log")
    void reboot() {
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(CdevExample.module()), Transcripts.program(
                "insmod cdev_example.ko",
                "mknod /dev/cdev_example c 248 0",
                "echo data > /tmp/scratch",
                "echo kept > /etc/motd",
                Libc.open("fd", "/etc/motd", OpenFlags.O_RDONLY),
                "reboot",
                Libc.read("fd", 16),
                Libc.printf(rg -> "old descriptor " + rg.shown()),
                "lsmod",
                "ls /tmp",
                "ls /dev",
                "cat /etc/motd",
                "ls /sys/module",
                "dmesg",
                "setuid 1000",
                "reboot",
                Sys.call("reboot", c -> {
                    Reboot.restart(c);
                    return IoResult.Done.of(0);
                }),
                Libc.printf(rg -> "reboot(2) " + rg.shown()))));
        assertEquals(List.of(
                "# insmod cdev_example.ko",
                "# mknod /dev/cdev_example c 248 0",
                "# echo data > /tmp/scratch",
                "# echo kept > /etc/motd",
                "# reboot",
                "old descriptor = -1 EBADF (Bad file descriptor)",
                "# lsmod",
                "Module                  Size  Used by",
                "# ls /tmp",
                "# ls /dev",
                "# cat /etc/motd",
                "kept",
                "# ls /sys/module",
                "# dmesg",
                "# setuid 1000",
                "$ reboot",
                "reboot: must be superuser.",
                "reboot(2) = -1 EPERM (Operation not permitted)"), Transcripts.console(r), "the transcript");
        assertTrue(Transcripts.dmesg(r).contains("reboot: Restarting system"), "the kernel logged the restart");
        assertTrue(Transcripts.dmesg(r).stream().noneMatch(l -> l.contains("unregistered")), "exit functions do not run at reboot");
    }
}
