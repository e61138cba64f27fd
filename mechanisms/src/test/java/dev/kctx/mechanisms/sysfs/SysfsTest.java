package dev.kctx.mechanisms.sysfs;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Calls;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Progs;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.OpenFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysfsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static final String DIR = "/sys/kernel/sysfs_example";

    /**
     * A module with the attributes the limits need: big (show of 5000 bytes), sink (store records
     * the length it got and consumes all of it), noStore (0644 but show only), secret (0200, store only),
     * counter (show counts its calls).
     */
    static ModuleDef limits(AtomicInteger stored, AtomicInteger shows) {
        return new ModuleDef("limits", List.of(), m -> {
            Sysfs.Kobject k = Sysfs.createAndAdd(m, "limits", Sysfs.KERNEL);
            Sysfs.createGroup(m, k, List.of(
                    Sysfs.Attribute.ro("big", c -> "b".repeat(5000)),
                    Sysfs.Attribute.rw("sink", c -> stored.get() + "\n", (c, text) -> {
                        stored.set(text.length());
                        return (long) text.length();
                    }),
                    new Sysfs.Attribute("noStore", 0644, c -> "no store\n", null),
                    Sysfs.Attribute.wo("secret", (c, text) -> (long) text.length()),
                    Sysfs.Attribute.ro("counter", c -> shows.incrementAndGet() + "\n")));
            return 0;
        }, null);
    }

    @Test
    @DisplayName("an attribute reads its value and a write changes it through store, in the writer's process context")
    void showAndStore() {
        Calls p = Calls.program().shell("insmod sysfs_example.ko")
                .open("v", DIR + "/value", OpenFlags.O_RDONLY).read("first", "v", 4096)
                .writeFile("set", DIR + "/value", "7\n")
                .lseek("rewind", "v", 0, 0).read("again", "v", 4096)
                .open("ver", DIR + "/version", OpenFlags.O_RDONLY).read("version", "ver", 4096);
        RunResult r = p.run(testKit, List.of(SysfsExample.module()));
        p.assertRead("first", "42\n");
        p.assertRet("set", 2);
        p.assertRead("again", "7\n");
        p.assertRead("version", "1.0\n");
        assertTrue(Calls.dmesg(r).contains("sysfs_example: value set to 7"), "store ran and logged");
    }

    @Test
    @DisplayName("show runs again for each read from offset 0, not for a read that continues")
    void showAgainAtOffsetZero() {
        AtomicInteger shows = new AtomicInteger();
        Calls p = Calls.program().shell("insmod limits.ko")
                .open("c", "/sys/kernel/limits/counter", OpenFlags.O_RDONLY)
                .read("one", "c", 1).read("rest", "c", 10).read("eof", "c", 10)
                .lseek("rewind", "c", 0, 0).read("two", "c", 10);
        p.run(testKit, List.of(limits(new AtomicInteger(), shows)));
        p.assertRead("one", "1");
        p.assertRead("rest", "\n");
        p.assertRead("eof", "");
        p.assertRead("two", "2\n");
    }

    @Test
    @DisplayName("store receives at most PAGE_SIZE bytes (kernfs_fop_write_iter) and the write returns what store returned")
    void storeLimit() {
        AtomicInteger stored = new AtomicInteger();
        Calls p = Calls.program().shell("insmod limits.ko")
                .writeFile("long", "/sys/kernel/limits/sink", "s".repeat(5000))
                .writeFile("empty", "/sys/kernel/limits/sink", "");
        p.run(testKit, List.of(limits(stored, new AtomicInteger())));
        assertEquals(4096, stored.get(), "store saw PAGE_SIZE bytes");
        p.assertRet("long", 4096);
        p.assertRet("empty", 0);
    }

    @Test
    @DisplayName("the shell's echo loops on the short write: the rest of a 5001-byte line goes to a second store() at offset 4096")
    void echoSendsTheRest() {
        AtomicInteger stored = new AtomicInteger();
        Calls p = Calls.program().shell("insmod limits.ko").shell("echo " + "s".repeat(5000) + " > /sys/kernel/limits/sink");
        RunResult r = p.run(testKit, List.of(limits(stored, new AtomicInteger())));
        assertEquals(List.of("NR 1 = 4096", "NR 1 = 905"), Progs.events(r, "sys_exit").stream().filter(a -> a.startsWith("NR 1 ")).toList(),
                "two write(2)s: a page, then the rest with the newline");
        assertEquals(905, stored.get(), "the second store() got the rest");
    }

    @Test
    @DisplayName("show output of a page or more is cut to PAGE_SIZE-1 with the kernel's 'returned bad count' message")
    void showLimit() {
        Calls p = Calls.program().shell("insmod limits.ko")
                .open("b", "/sys/kernel/limits/big", OpenFlags.O_RDONLY).read("big", "b", 100_000).read("eof", "b", 100_000);
        RunResult r = p.run(testKit, List.of(limits(new AtomicInteger(), new AtomicInteger())));
        p.assertRead("big", "b".repeat(4095));
        p.assertRead("eof", "");
        assertTrue(Calls.dmesg(r).contains("fill_read_buffer: big_show [limits] returned bad count"), Calls.dmesg(r).toString());
    }

    @Test
    @DisplayName("EACCES even for root: writing a 0444 attribute, reading a write-only one; a 0644 attribute without store opens"
            + " and its write is EIO (kobj_attr_store); writing a store-only one works")
    void modeAndMethodChecks() {
        Calls p = Calls.program().shell("insmod sysfs_example.ko").shell("insmod limits.ko")
                .open("ro", DIR + "/version", OpenFlags.O_WRONLY)
                .open("rdwr", DIR + "/version", OpenFlags.O_RDWR)
                .writeFile("nostore", "/sys/kernel/limits/noStore", "x")
                .open("nostoreread", "/sys/kernel/limits/noStore", OpenFlags.O_RDONLY)
                .open("wo", "/sys/kernel/limits/secret", OpenFlags.O_RDONLY)
                .writeFile("secret", "/sys/kernel/limits/secret", "x");
        p.run(testKit, List.of(SysfsExample.module(), limits(new AtomicInteger(), new AtomicInteger())));
        p.assertErrno("open ro", Errno.EACCES);
        p.assertErrno("open rdwr", Errno.EACCES);
        assertTrue(p.result("open nostore#fd").ret() >= 3, "the 0644 attribute without store opens for write");
        p.assertErrno("nostore", Errno.EIO);
        assertTrue(p.result("open nostoreread").ret() >= 3, "the 0644 show-only attribute still reads");
        p.assertErrno("open wo", Errno.EACCES);
        p.assertRet("secret", 1);
    }

    @Test
    @DisplayName("store's error is the write's: EINVAL for a value kstrtoint refuses, ERANGE past int")
    void storeErrors() {
        Calls p = Calls.program().shell("insmod sysfs_example.ko")
                .writeFile("word", DIR + "/value", "seven\n")
                .writeFile("huge", DIR + "/value", "99999999999\n")
                .open("v", DIR + "/value", OpenFlags.O_RDONLY).read("value", "v", 100);
        p.run(testKit, List.of(SysfsExample.module()));
        p.assertErrno("word", Errno.EINVAL);
        p.assertErrno("huge", Errno.ERANGE);
        p.assertRead("value", "42\n");
    }

    @Test
    @DisplayName("non-root: reads a 0644 attribute, gets EACCES writing it, EACCES making a directory in /sys; root gets EPERM (sysfs has no mkdir)")
    void permissions() {
        Calls p = Calls.program().shell("insmod sysfs_example.ko")
                .mkdir("rootmkdir", DIR + "/sub")
                .shell("setuid 1000")
                .open("r", DIR + "/value", OpenFlags.O_RDONLY).read("read", "r", 100)
                .open("w", DIR + "/value", OpenFlags.O_WRONLY)
                .mkdir("usermkdir", DIR + "/sub");
        p.run(testKit, List.of(SysfsExample.module()));
        p.assertErrno("rootmkdir", Errno.EPERM);
        p.assertRead("read", "42\n");
        p.assertErrno("open w", Errno.EACCES);
        p.assertErrno("usermkdir", Errno.EACCES);
    }

    @Test
    @DisplayName("rmmod removes the kobject: the path is ENOENT and a file still open fails with ENODEV")
    void removedWhileOpen() {
        Calls p = Calls.program().shell("insmod sysfs_example.ko")
                .open("v", DIR + "/value", OpenFlags.O_RDWR)
                .shell("rmmod sysfs_example")
                .read("read", "v", 100).write("write", "v", "1")
                .open("again", DIR + "/value", OpenFlags.O_RDONLY)
                .close("v");
        RunResult r = p.run(testKit, List.of(SysfsExample.module()));
        p.assertErrno("read", Errno.ENODEV);
        p.assertErrno("write", Errno.ENODEV);
        p.assertErrno("open again", Errno.ENOENT);
        assertTrue(Calls.dmesg(r).contains("sysfs_example: value was 42 at unload"), "exit ran: the attribute did not pin the module");
    }

    @Test
    @DisplayName("a taken kobject name: the kernel's two messages and NULL (the module's init then fails); a taken attribute name is EEXIST")
    void duplicates() {
        ModuleDef twice = new ModuleDef("twice", List.of(), m -> {
            Sysfs.Kobject k = Sysfs.createAndAdd(m, "twice", Sysfs.KERNEL);
            Sysfs.createFile(m, k, Sysfs.Attribute.ro("a", c -> "a\n"));
            try {
                Sysfs.createFile(m, k, Sysfs.Attribute.ro("a", c -> "b\n"));
            } catch (KernelError e) {
                m.printk("second a: " + e.errno());
            }
            assertNull(Sysfs.createAndAdd(m, "twice", Sysfs.KERNEL), "the duplicate kobject is refused");
            return Errno.ENOMEM.negative();
        }, null);
        Calls p = Calls.program().shell("insmod twice.ko").open("gone", "/sys/kernel/twice", OpenFlags.O_RDONLY);
        RunResult r = p.run(testKit, List.of(twice));
        assertEquals(List.of("sysfs: cannot create duplicate filename '/kernel/twice/a'",
                "second a: EEXIST",
                "sysfs: cannot create duplicate filename '/kernel/twice'",
                "kobject_add_internal failed for twice with -EEXIST, don't try to register things with the same name in the same directory."),
                Calls.dmesg(r));
        p.assertErrno("open gone", Errno.ENOENT);
    }

    @Test
    @DisplayName("attributes refuse world-writable modes when they are defined, as VERIFY_OCTAL_PERMISSIONS does at build time")
    void worldWritable() {
        assertThrows(IllegalArgumentException.class, () -> new Sysfs.Attribute("w", 0666, c -> "", (c, t) -> 0L));
    }
}
