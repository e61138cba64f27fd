package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.Durations;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.chardev.CdevWait;
import dev.kctx.mechanisms.chardev.Chrdev;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.vfs.CharDevices;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.OpenFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChardevTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private static ModuleDef module(String name, ToIntFunction<ModuleCtx> init) {
        return new ModuleDef(name, List.of(), init, m -> { });
    }

    private static FileOps fops(String owner) {
        return new FileOps() {
            @Override
            public String owner() {
                return owner;
            }
        };
    }

    @Test
    @DisplayName("the seed's transcript: insmod logs major 248 and the mknod hint, echo then cat round-trips, after rmmod both fail with ENXIO")
    void seedTranscript() {
        RunResult r = Transcripts.run(testKit, List.of(CdevExample.module()), List.of(
                "insmod cdev_example.ko",
                "dmesg",
                "mknod /dev/cdev_example c 248 0",
                "echo \"hello kernel\" > /dev/cdev_example",
                "cat /dev/cdev_example",
                "rmmod cdev_example",
                "cat /dev/cdev_example",
                "echo \"hello kernel\" > /dev/cdev_example"));
        assertEquals(List.of(
                "# insmod cdev_example.ko",
                "# dmesg",
                "cdev example: assigned major: 248",
                "create node with mknod /dev/cdev_example c 248 0",
                "# mknod /dev/cdev_example c 248 0",
                "# echo \"hello kernel\" > /dev/cdev_example",
                "# cat /dev/cdev_example",
                "hello kernel",
                "# rmmod cdev_example",
                "# cat /dev/cdev_example",
                "cat: /dev/cdev_example: No such device or address",
                "# echo \"hello kernel\" > /dev/cdev_example",
                "sh: /dev/cdev_example: No such device or address"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("an open file pins the module twice (cdev_get and fops_get): refcnt 2, rmmod EBUSY; after close refcnt 0, rmmod succeeds and the node gives ENXIO")
    void openFilePinsModule() {
        RunResult r = Transcripts.run(testKit, List.of(CdevExample.module()), List.of(
                "insmod cdev_example.ko",
                "mknod /dev/cdev_example c 248 0",
                "exec 3< /dev/cdev_example",
                "cat /sys/module/cdev_example/refcnt",
                "rmmod cdev_example",
                "cat /sys/module/cdev_example/initstate",
                "exec 3<&-",
                "cat /sys/module/cdev_example/refcnt",
                "rmmod cdev_example",
                "exec 4<> /dev/cdev_example",
                "ls /sys/module"));
        assertEquals(List.of(
                "# insmod cdev_example.ko",
                "# mknod /dev/cdev_example c 248 0",
                "# exec 3< /dev/cdev_example",
                "# cat /sys/module/cdev_example/refcnt",
                "2",
                "# rmmod cdev_example",
                "rmmod: ERROR: Module cdev_example is in use",
                "# cat /sys/module/cdev_example/initstate",
                "live",
                "# exec 3<&-",
                "# cat /sys/module/cdev_example/refcnt",
                "0",
                "# rmmod cdev_example",
                "# exec 4<> /dev/cdev_example",
                "sh: /dev/cdev_example: No such device or address",
                "# ls /sys/module"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("a descriptor moved with exec N< stays usable by later commands and dup2 keeps one open file: both descriptors must close before rmmod")
    void dupKeepsOneOpenFile() {
        RunResult r = Transcripts.run(testKit, List.of(CdevExample.module()), List.of(
                "insmod cdev_example.ko",
                "mknod /dev/cdev_example c 248 0",
                "exec 5< /dev/cdev_example",
                "cat /sys/module/cdev_example/refcnt",
                "exec 5<&-",
                "rmmod cdev_example"));
        assertEquals(List.of(
                "# insmod cdev_example.ko",
                "# mknod /dev/cdev_example c 248 0",
                "# exec 5< /dev/cdev_example",
                "# cat /sys/module/cdev_example/refcnt",
                "2",
                "# exec 5<&-",
                "# rmmod cdev_example"), Transcripts.console(r), "open moved to 5 by dup2 and close of 3; one file, two references");
        List<String> calls = Transcripts.events(r, "sys_enter").stream().map(TraceRecord::args).toList();
        assertTrue(calls.contains("NR 33 (0, 0, 0, 0, 0, 0)"), "dup2 (33) moved the descriptor: " + calls);
    }

    @Test
    @DisplayName("register_chrdev with a fixed major: a free one works, a taken one (4, tty) is EBUSY, one above 511 EINVAL; dynamic ones go 248, 247")
    void fixedAndDynamicMajors() {
        ModuleDef fixed = module("fixed60", m -> {
            m.printk("fixed60: major " + m.registerChrdev(60, "fixed60", fops("fixed60")));
            return 0;
        });
        ModuleDef again = module("again60", m -> m.registerChrdev(60, "again60", fops("again60")) > 0 ? 0 : -1);
        ModuleDef tty = module("tty4", m -> m.registerChrdev(4, "tty4", fops("tty4")) > 0 ? 0 : -1);
        ModuleDef big = module("big", m -> {
            Chrdev.registerRegion(m, Chrdev.mkdev(600, 0), 1, "big");
            return 0;
        });
        ModuleDef dyn1 = module("dyn1", m -> {
            m.printk("dyn1: major " + m.registerChrdev(0, "dyn1", fops("dyn1")));
            return 0;
        });
        ModuleDef dyn2 = module("dyn2", m -> {
            m.printk("dyn2: major " + m.registerChrdev(0, "dyn2", fops("dyn2")));
            return 0;
        });
        RunResult r = Transcripts.run(testKit, List.of(fixed, again, tty, big, dyn1, dyn2), List.of(
                "insmod fixed60.ko", "insmod again60.ko", "insmod tty4.ko", "insmod big.ko", "insmod dyn1.ko", "insmod dyn2.ko",
                "rmmod fixed60", "insmod again60.ko", "dmesg"));
        assertEquals(List.of(
                "# insmod fixed60.ko",
                "# insmod again60.ko",
                "insmod: ERROR: could not insert module again60.ko: Device or resource busy",
                "# insmod tty4.ko",
                "insmod: ERROR: could not insert module tty4.ko: Device or resource busy",
                "# insmod big.ko",
                "insmod: ERROR: could not insert module big.ko: Invalid parameters",
                "# insmod dyn1.ko",
                "# insmod dyn2.ko",
                "# rmmod fixed60",
                "# insmod again60.ko",
                "# dmesg",
                "fixed60: major 60",
                "CHRDEV \"big\" major requested (600) is greater than the maximum (511)",
                "dyn1: major 248",
                "dyn2: major 247"), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("alloc_chrdev_region + cdev_add over part of the region: mapped minors open, a reserved minor without a cdev and one outside are ENXIO; an overlapping region is EBUSY, a disjoint one on the same major is fine")
    void regionsAndCdevs() {
        ModuleDef region = module("region", m -> {
            int dev = Chrdev.allocRegion(m, 0, 4, "region");
            Chrdev.cdevAdd(m, dev, 2, new CdevExampleLike("region"));
            m.printk("region: major " + Chrdev.major(dev));
            return 0;
        });
        ModuleDef overlap = module("overlap", m -> {
            Chrdev.registerRegion(m, Chrdev.mkdev(248, 3), 2, "overlap");
            return 0;
        });
        ModuleDef disjoint = module("disjoint", m -> {
            Chrdev.registerRegion(m, Chrdev.mkdev(248, 4), 2, "disjoint");
            return 0;
        });
        RunResult r = Transcripts.run(testKit, List.of(region, overlap, disjoint), List.of(
                "insmod region.ko",
                "mknod /dev/r0 c 248 0", "mknod /dev/r1 c 248 1", "mknod /dev/r2 c 248 2", "mknod /dev/r9 c 248 9",
                "echo zero > /dev/r0", "cat /dev/r1", "cat /dev/r2", "cat /dev/r9",
                "insmod overlap.ko", "insmod disjoint.ko", "dmesg"));
        assertEquals(List.of(
                "# insmod region.ko",
                "# mknod /dev/r0 c 248 0",
                "# mknod /dev/r1 c 248 1",
                "# mknod /dev/r2 c 248 2",
                "# mknod /dev/r9 c 248 9",
                "# echo zero > /dev/r0",
                "# cat /dev/r1",
                "zero",
                "# cat /dev/r2",
                "cat: /dev/r2: No such device or address",
                "# cat /dev/r9",
                "cat: /dev/r9: No such device or address",
                "# insmod overlap.ko",
                "insmod: ERROR: could not insert module overlap.ko: Device or resource busy",
                "# insmod disjoint.ko",
                "# dmesg",
                "region: major 248"), Transcripts.console(r), "minors 0 and 1 share one cdev; 2 and 3 are only reserved");
    }

    /** A one-buffer device like the seed's, for any owner. */
    record CdevExampleLike(String owner, StringBuilder buf) implements FileOps {
        CdevExampleLike(String owner) {
            this(owner, new StringBuilder());
        }

        @Override
        public dev.kctx.mechanisms.vfs.IoResult read(dev.kctx.mechanisms.vfs.FileCtx c, dev.kctx.mechanisms.vfs.OpenFile f, int count) {
            byte[] all = buf.toString().getBytes(StandardCharsets.UTF_8);
            int from = (int) Math.min(f.pos(), all.length);
            int n = Math.min(count, all.length - from);
            f.setPos(from + n);
            return dev.kctx.mechanisms.vfs.IoResult.Done.read(c.copyToUser(java.util.Arrays.copyOfRange(all, from, from + n)));
        }

        @Override
        public dev.kctx.mechanisms.vfs.IoResult write(dev.kctx.mechanisms.vfs.FileCtx c, dev.kctx.mechanisms.vfs.OpenFile f, byte[] data) {
            buf.setLength(0);
            buf.append(new String(c.copyFromUser(data), StandardCharsets.UTF_8));
            return dev.kctx.mechanisms.vfs.IoResult.Done.of(data.length);
        }
    }

    @Test
    @DisplayName("the major table on its own: dynamic majors run 254..234 then 511..384 and then EBUSY; unregister frees exactly the region; /proc/devices lists regions by major")
    void majorTable() {
        CharDevices d = new CharDevices();
        List<Integer> got = new ArrayList<>();
        while (true) {
            try {
                got.add(d.registerRegion(0, 0, 1, "x", null));
            } catch (KernelError e) {
                assertEquals(Errno.EBUSY, e.errno(), "exhaustion is EBUSY");
                assertEquals("CHRDEV \"x\" dynamic allocation region is full", e.getMessage(), "with the kernel's log line");
                break;
            }
        }
        assertEquals(248, got.get(0), "the first free dynamic major");
        assertEquals(234, got.get(14), "the last of the first range");
        assertEquals(511, got.get(15), "then the extended range from 511");
        assertEquals(384, got.get(got.size() - 1), "down to 384");
        assertEquals(15 + 128, got.size(), "15 free in 254..234 (six built in) and 128 in 511..384");
        d.unregisterRegion(300, 0, 1);
        d.unregisterRegion(400, 0, 2);
        assertThrows(KernelError.class, () -> d.registerRegion(400, 0, 1, "y", null), "a region of another size is not unregistered");
        d.unregisterRegion(400, 0, 1);
        assertEquals(400, d.registerRegion(0, 0, 1, "z", null), "the freed major is found again");
        assertTrue(d.procDevices().startsWith("Character devices:\n  1 mem\n  4 tty\n"), d.procDevices());
        assertNull(d.lookup(60, 0), "nothing mapped at 60");
        d.cdevAdd(60, 0, 1, fops(null));
        assertNotNull(d.lookup(60, 0), "cdev_add maps without a region, like kobj_map");
        assertThrows(KernelError.class, () -> d.registerRegion(1, 5, 1, "mem2", null), "inside mem's 0-255");
    }

    @Test
    @DisplayName("a blocking read sleeps (state S) until another process writes and wake_up runs; then it returns the data at the writer's instant")
    void blockingReadWokenByWriter() {
        MachineSpec spec = MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(List.of(CdevWait.module())))
                .process("reader", 0, 0, Transcripts.program(
                        "insmod cdev_wait.ko", "mknod /dev/cdev_wait c 248 0",
                        Libc.open("fd", "/dev/cdev_wait", OpenFlags.O_RDONLY),
                        Libc.read("fd", 64),
                        Libc.printf(rg -> "reader got " + rg.shown() + " " + new String(rg.data, StandardCharsets.UTF_8).trim()),
                        Libc.close("fd")), 4242)
                .process("writer", 0, Durations.ms(5), Transcripts.program(
                        Libc.open("fd", "/dev/cdev_wait", OpenFlags.O_WRONLY),
                        Libc.write("fd", "ping\n".getBytes(StandardCharsets.UTF_8)),
                        Libc.printf(rg -> "writer wrote " + rg.shown()),
                        Libc.close("fd")), 4243)
                .build();
        RunResult r = Transcripts.run(testKit, spec);
        List<String> console = Transcripts.console(r);
        assertTrue(console.containsAll(List.of("writer wrote = 5", "reader got = 5 ping")), console.toString());
        assertTrue(console.indexOf("writer wrote = 5") < console.indexOf("reader got = 5 ping"), "the reader returns after the write");
        long slept = Transcripts.logTime(r, "process 4242 (reader) going to sleep");
        long woken = Transcripts.logTime(r, "awoken 4242 (reader)");
        assertTrue(slept >= 0 && slept < Durations.ms(5), "the reader went to sleep before the writer started: " + slept);
        assertTrue(woken >= Durations.ms(5), "and woke after it: " + woken);
        assertTrue(Transcripts.events(r, "sched_switch").stream()
                        .anyMatch(t -> t.args().contains("prev_pid=4242") && t.args().contains("prev_state=S")),
                "the reader slept interruptibly (S)");
        assertTrue(Transcripts.events(r, "sched_wakeup").stream().anyMatch(t -> t.args().contains("pid=4242") && t.pid() == 4243),
                "the writer's wake_up woke the reader");
    }

    @Test
    @DisplayName("O_NONBLOCK: an empty device answers EAGAIN without sleeping, a filled one returns its data")
    void nonblockingRead() {
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(CdevWait.module()), Transcripts.program(
                "insmod cdev_wait.ko", "mknod /dev/cdev_wait c 248 0",
                Libc.open("fd", "/dev/cdev_wait", OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK),
                Libc.read("fd", 64),
                Libc.printf(rg -> "read " + rg.shown()),
                "echo data > /dev/cdev_wait",
                Libc.read("fd", 64),
                Libc.printf(rg -> "read " + rg.shown() + " " + new String(rg.data, StandardCharsets.UTF_8).trim()),
                Libc.close("fd"))));
        List<String> console = Transcripts.console(r);
        assertTrue(console.contains("read = -1 EAGAIN (Resource temporarily unavailable)"), console.toString());
        assertTrue(console.contains("read = 5 data"), console.toString());
        assertTrue(Transcripts.dmesg(r).stream().noneMatch(l -> l.contains("going to sleep")), "a non-blocking read never sleeps");
    }

    @Test
    @DisplayName("the cdev-wait demo's reader sleeps from before the sensor IRQ until it: woken at 20 ms from hard-IRQ context")
    void irqWakesReader() {
        RunResult r = Transcripts.run(testKit, SeedDemos.CDEV_WAIT);
        long slept = Transcripts.logTime(r, "going to sleep");
        long irq = Transcripts.logTime(r, "irq 11: sample 1 ready");
        long woken = Transcripts.logTime(r, "awoken 4242 (sh)");
        assertTrue(slept > 0 && slept < SeedDemos.SENSOR_IRQ_AT, "head slept before the IRQ: " + slept);
        assertEquals(SeedDemos.SENSOR_IRQ_AT, irq, "the IRQ handler ran at its arrival");
        assertEquals(SeedDemos.SENSOR_IRQ_AT, woken, "the reader ran at the same instant (the only runnable task)");
        assertTrue(r.reports().isEmpty(), "wake_up from a hard IRQ is legal: " + r.reports());
    }

    @Test
    @DisplayName("a reader asleep in the driver holds the module: rmmod from another process is EBUSY")
    void sleepingReaderPinsModule() {
        MachineSpec spec = MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(List.of(CdevWait.module())))
                .process("reader", 0, 0, Transcripts.program("insmod cdev_wait.ko", "mknod /dev/cdev_wait c 248 0",
                        "head -n 1 /dev/cdev_wait"), 4242)
                .process("admin", 0, Durations.ms(5), Transcripts.program("rmmod cdev_wait", "echo wake > /dev/cdev_wait",
                        "sleep 1ms", "rmmod cdev_wait", "lsmod"), 4243)
                .build();
        RunResult r = Transcripts.run(testKit, spec);
        assertEquals(List.of(
                "# insmod cdev_wait.ko",
                "# mknod /dev/cdev_wait c 248 0",
                "# head -n 1 /dev/cdev_wait",
                "# rmmod cdev_wait",
                "rmmod: ERROR: Module cdev_wait is in use",
                "# echo wake > /dev/cdev_wait",
                "# sleep 1ms",
                "wake",
                "# rmmod cdev_wait",
                "# lsmod",
                "Module                  Size  Used by"), Transcripts.console(r), "the two sessions interleaved in time: the reader prints once the admin sleeps");
    }

    @Test
    @DisplayName("permissions: a user (setuid 1000) gets EPERM from mknod, insmod and rmmod")
    void userIsRefused() {
        RunResult r = Transcripts.run(testKit, List.of(CdevExample.module()), List.of(
                "insmod cdev_example.ko", "setuid 1000", "mknod /dev/cdev_example c 248 0", "insmod cdev_example.ko",
                "rmmod cdev_example", "lsmod"));
        assertEquals(List.of(
                "# insmod cdev_example.ko",
                "# setuid 1000",
                "$ mknod /dev/cdev_example c 248 0",
                "mknod: /dev/cdev_example: Operation not permitted",
                "$ insmod cdev_example.ko",
                "insmod: ERROR: could not insert module cdev_example.ko: Operation not permitted",
                "$ rmmod cdev_example",
                "rmmod: ERROR: could not remove module cdev_example: Operation not permitted",
                "$ lsmod",
                "Module                  Size  Used by",
                "cdev_example           16384  0"), Transcripts.console(r), "the transcript");
    }
}
