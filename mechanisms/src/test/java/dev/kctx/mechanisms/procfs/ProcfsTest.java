package dev.kctx.mechanisms.procfs;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Calls;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.OpenFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcfsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static final String SIMPLE = "/proc/procfs_simple";
    static final String SEQ = "/proc/procfs_seq";

    static String simpleText() {
        return ProcfsExample.simpleShow(null);
    }

    static String seqText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ProcfsExample.SEQ_RECORDS; i++) {
            sb.append(String.format(Locale.ROOT, "%03d seq_file record\n", i));
        }
        return sb.toString();
    }

    @Test
    @DisplayName("a simple entry's output is cut at one page: a large read gets exactly 4096 bytes, then end of file")
    void simpleEntryIsOnePage() {
        Calls p = Calls.program().shell("insmod procfs_example.ko")
                .open("f", SIMPLE, OpenFlags.O_RDONLY)
                .read("big", "f", 100_000)
                .read("eof", "f", 100_000)
                .close("f");
        p.run(testKit, List.of(ProcfsExample.module()));
        assertEquals(6000, simpleText().length(), "the module formats 6000 bytes");
        p.assertRead("big", simpleText().substring(0, ProcFs.PAGE_SIZE));
        p.assertRead("eof", "");
    }

    @Test
    @DisplayName("a simple entry read in 1000-byte pieces continues at the file offset and still ends at 4096")
    void simpleEntryInPieces() {
        Calls p = Calls.program().shell("insmod procfs_example.ko").open("f", SIMPLE, OpenFlags.O_RDONLY);
        for (int i = 0; i < 6; i++) {
            p.read("r" + i, "f", 1000);
        }
        p.run(testKit, List.of(ProcfsExample.module()));
        String page = simpleText().substring(0, ProcFs.PAGE_SIZE);
        for (int i = 0; i < 4; i++) {
            p.assertRead("r" + i, page.substring(i * 1000, i * 1000 + 1000));
        }
        p.assertRead("r4", page.substring(4000));
        p.assertRead("r5", "");
    }

    @Test
    @DisplayName("a seq_file entry gives all 5000 bytes, in pieces of the requested size, continuing at the offset")
    void seqFileInPieces() {
        Calls p = Calls.program().shell("insmod procfs_example.ko").open("f", SEQ, OpenFlags.O_RDONLY);
        for (int i = 0; i < 6; i++) {
            p.read("r" + i, "f", 1024);
        }
        p.run(testKit, List.of(ProcfsExample.module()));
        String all = seqText();
        assertEquals(5000, all.length());
        for (int i = 0; i < 4; i++) {
            p.assertRead("r" + i, all.substring(i * 1024, i * 1024 + 1024));
        }
        p.assertRead("r4", all.substring(4096));
        p.assertRead("r5", "");
    }

    @Test
    @DisplayName("one seq_file read returns at most a page of whole records: 8192 asked, 4080 given (204 records), then 920")
    void seqFileReadIsAtMostABuffer() {
        Calls p = Calls.program().shell("insmod procfs_example.ko").open("f", SEQ, OpenFlags.O_RDONLY)
                .read("a", "f", 8192).read("b", "f", 8192).read("c", "f", 8192);
        p.run(testKit, List.of(ProcfsExample.module()));
        p.assertRead("a", seqText().substring(0, 4080));
        p.assertRead("b", seqText().substring(4080));
        p.assertRead("c", "");
    }

    @Test
    @DisplayName("seq_lseek: SEEK_SET and SEEK_CUR reach any record (replayed from the start); SEEK_END and negative offsets are EINVAL; past the end reads 0")
    void seqLseek() {
        Calls p = Calls.program().shell("insmod procfs_example.ko").open("f", SEQ, OpenFlags.O_RDONLY)
                .read("head", "f", 10)
                .lseek("set", "f", 123 * 20, 0)
                .read("rec123", "f", 20)
                .lseek("cur", "f", 20, 1)
                .read("rec125", "f", 20)
                .lseek("mid", "f", 2470, 0)
                .read("straddle", "f", 20)
                .lseek("end", "f", 0, 2)
                .lseek("neg", "f", -1, 0)
                .lseek("far", "f", 100_000, 0)
                .read("past", "f", 100)
                .lseek("zero", "f", 0, 0)
                .read("again", "f", 20);
        p.run(testKit, List.of(ProcfsExample.module()));
        p.assertRead("head", "000 seq_fi");
        p.assertRet("set", 2460);
        p.assertRead("rec123", "123 seq_file record\n");
        p.assertRet("cur", 2500);
        p.assertRead("rec125", "125 seq_file record\n");
        p.assertRead("straddle", "le record\n124 seq_fi");
        p.assertErrno("end", Errno.EINVAL);
        p.assertErrno("neg", Errno.EINVAL);
        p.assertRet("far", 100_000);
        p.assertRead("past", "");
        p.assertRet("zero", 0);
        p.assertRead("again", "000 seq_file record\n");
    }

    /** A module with one seq_file entry whose records are given by the test. */
    static ModuleDef seqModule(String name, SeqOperations<Integer> ops) {
        return new ModuleDef(name, List.of(), m -> ProcFs.createSeq(m, name, 0444, ops) == null ? -12 : 0, null);
    }

    static SeqOperations<Integer> records(int n, java.util.function.BiFunction<SeqFile<Integer>, Integer, Integer> show) {
        return new SeqOperations<>() {
            public Integer start(SeqFile<Integer> m, long pos) {
                return pos < n ? (int) pos : null;
            }

            public Integer next(SeqFile<Integer> m, Integer v, long pos) {
                return v + 1 < n ? v + 1 : null;
            }

            public int show(SeqFile<Integer> m, Integer v) {
                return show.apply(m, v);
            }
        };
    }

    @Test
    @DisplayName("a record larger than a page grows the seq_file buffer (4 KiB, 8 KiB, 16 KiB) and arrives whole")
    void recordLargerThanAPage() {
        String big = "x".repeat(9999) + "\n";
        Calls p = Calls.program().shell("insmod bigrec.ko").open("f", "/proc/bigrec", OpenFlags.O_RDONLY)
                .read("r", "f", 20_000).read("eof", "f", 20_000);
        p.run(testKit, List.of(seqModule("bigrec", records(1, (m, v) -> {
            m.puts(big);
            return 0;
        }))));
        p.assertRead("r", big);
        p.assertRead("eof", "");
    }

    @Test
    @DisplayName("proc_create_single keeps everything (the buffer grows) where the one-page entry loses the rest")
    void singleKeepsEverything() {
        String text = "y".repeat(7000);
        ModuleDef mod = new ModuleDef("single", List.of(), m -> {
            ProcFs.createSingle(m, "single", 0444, c -> text);
            ProcFs.create(m, "page", 0444, c -> text, null);
            return 0;
        }, null);
        Calls p = Calls.program().shell("insmod single.ko")
                .open("s", "/proc/single", OpenFlags.O_RDONLY).read("s1", "s", 100_000).read("s2", "s", 100_000)
                .open("p", "/proc/page", OpenFlags.O_RDONLY).read("p1", "p", 100_000);
        p.run(testKit, List.of(mod));
        p.assertRead("s1", text);
        p.assertRead("s2", "");
        p.assertRead("p1", text.substring(0, 4096));
    }

    @Test
    @DisplayName("SEQ_SKIP drops a record's output; an error from show fails a read that has nothing yet, with its errno")
    void skipAndShowError() {
        ModuleDef skip = seqModule("odd", records(6, (m, v) -> {
            m.printf("%d\n", v);
            return v % 2 == 0 ? SeqFile.SEQ_SKIP : 0;
        }));
        ModuleDef failing = seqModule("failing", records(3, (m, v) -> {
            if (v == 0) {
                throw new KernelError(Errno.ENOMEM);
            }
            m.printf("%d\n", v);
            return 0;
        }));
        Calls p = Calls.program().shell("insmod odd.ko").shell("insmod failing.ko")
                .open("o", "/proc/odd", OpenFlags.O_RDONLY).read("odd", "o", 100)
                .open("f", "/proc/failing", OpenFlags.O_RDONLY).read("fail", "f", 100);
        p.run(testKit, List.of(skip, failing));
        p.assertRead("odd", "1\n3\n5\n");
        p.assertErrno("fail", Errno.ENOMEM);
    }

    @Test
    @DisplayName("writes: a seq entry has no proc_write (EIO, even for root); a simple entry's write handler gets the bytes; non-root cannot open a root 0644 entry for writing (EACCES)")
    void writes() {
        StringBuilder got = new StringBuilder();
        ModuleDef mod = new ModuleDef("knob", List.of(), m -> {
            ProcFs.create(m, "knob", 0644, c -> got + "\n", (c, data) -> {
                got.setLength(0);
                got.append(new String(c.copyFromUser(data), java.nio.charset.StandardCharsets.UTF_8).strip());
                return (long) data.length;
            });
            return 0;
        }, null);
        Calls p = Calls.program().shell("insmod procfs_example.ko").shell("insmod knob.ko")
                .open("s", SEQ, OpenFlags.O_WRONLY).write("seqwrite", "s", "1\n")
                .writeFile("knob", "/proc/knob", "on\n")
                .open("k", "/proc/knob", OpenFlags.O_RDONLY).read("knobread", "k", 100)
                .open("d", "/proc/devices", OpenFlags.O_WRONLY).write("devwrite", "d", "x")
                .shell("setuid 1000")
                .open("user", "/proc/knob", OpenFlags.O_WRONLY)
                .open("userread", "/proc/knob", OpenFlags.O_RDONLY);
        p.run(testKit, List.of(ProcfsExample.module(), mod));
        p.assertErrno("seqwrite", Errno.EIO);
        p.assertRet("knob", 3);
        p.assertRead("knobread", "on\n");
        p.assertErrno("devwrite", Errno.EIO);
        p.assertErrno("open user", Errno.EACCES);
        assertTrue(p.result("open userread").ret() >= 3, "others may still read a 0644 entry");
    }

    @Test
    @DisplayName("an open /proc file does not pin its module: rmmod succeeds, then read is EIO, lseek EINVAL; the path is gone (ENOENT)")
    void removedWhileOpen() {
        Calls p = Calls.program().shell("insmod procfs_example.ko")
                .open("s", SEQ, OpenFlags.O_RDONLY).read("before", "s", 20)
                .open("p", SIMPLE, OpenFlags.O_RDONLY)
                .shell("rmmod procfs_example")
                .read("seqread", "s", 20).lseek("seqseek", "s", 0, 0)
                .read("pageread", "p", 20)
                .open("again", SEQ, OpenFlags.O_RDONLY)
                .close("s").close("p");
        RunResult r = p.run(testKit, List.of(ProcfsExample.module()));
        p.assertRead("before", "000 seq_file record\n");
        p.assertErrno("seqread", Errno.EIO);
        p.assertErrno("seqseek", Errno.EINVAL);
        p.assertErrno("pageread", Errno.EIO);
        p.assertErrno("open again", Errno.ENOENT);
        p.assertRet("close s", 0);
        assertTrue(Calls.dmesg(r).contains("procfs_example: removed /proc entries"), "the module's exit ran");
    }

    @Test
    @DisplayName("a name already taken: the kernel warns and proc_create returns NULL, so the module's init fails with ENOMEM")
    void duplicateName() {
        ModuleDef dup = new ModuleDef("dup", List.of(), m -> ProcFs.create(m, "devices", 0444, c -> "", null) == null ? -12 : 0, null);
        RunResult r = Transcripts.run(testKit, List.of(dup), List.of("insmod dup.ko", "dmesg"));
        assertEquals(List.of("# insmod dup.ko",
                "insmod: ERROR: could not insert module dup.ko: Cannot allocate memory",
                "# dmesg",
                "proc_dir_entry '/proc/devices' already registered"), Transcripts.console(r));
    }

    @Test
    @DisplayName("/proc/devices lists character majors (a module's while it is loaded) and the block devices")
    void procDevices() {
        RunResult r = Transcripts.run(testKit, List.of(CdevExample.module()), List.of(
                "insmod cdev_example.ko", "cat /proc/devices", "rmmod cdev_example", "cat /proc/devices"));
        List<String> out = Transcripts.console(r);
        int second = out.lastIndexOf("# cat /proc/devices");
        List<String> loaded = out.subList(out.indexOf("# cat /proc/devices"), second);
        List<String> unloaded = out.subList(second, out.size());
        assertEquals("Character devices:", loaded.get(1), "the chardev section comes first");
        assertTrue(loaded.contains("248 cdev_example"), "the module's dynamic major is listed: " + loaded);
        assertTrue(loaded.contains("  1 mem") && loaded.contains("Block devices:") && loaded.contains("  8 sd"),
                "built-in majors and block devices: " + loaded);
        assertTrue(loaded.contains(""), "a blank line separates the sections");
        assertTrue(!unloaded.contains("248 cdev_example"), "after rmmod the major is gone");
    }

    @Test
    @DisplayName("/proc/modules: newest first with size, references, state, address and taint; non-root reads zero addresses")
    void procModules() {
        Calls p = Calls.program().shell("insmod procfs_example.ko").shell("insmod cdev_example.ko")
                .open("m", "/proc/modules", OpenFlags.O_RDONLY).read("root", "m", 4096)
                .shell("setuid 1000")
                .open("u", "/proc/modules", OpenFlags.O_RDONLY).read("user", "u", 4096);
        p.run(testKit, List.of(ProcfsExample.module(), CdevExample.module()));
        p.assertRead("root", "cdev_example 16384 0 - Live 0xffffffffc0a05000 (OE)\n"
                + "procfs_example 16384 0 - Live 0xffffffffc0a00000 (OE)\n");
        p.assertRead("user", "cdev_example 16384 0 - Live 0x0000000000000000 (OE)\n"
                + "procfs_example 16384 0 - Live 0x0000000000000000 (OE)\n");
    }

    @Test
    @DisplayName("/proc/modules counts the references an open driver file holds (the cdev's and fops.owner's)")
    void procModulesRefcount() {
        Calls p = Calls.program().shell("insmod cdev_example.ko").shell("mknod /dev/cdev_example c 248 0")
                .open("dev", "/dev/cdev_example", OpenFlags.O_RDONLY)
                .open("m", "/proc/modules", OpenFlags.O_RDONLY).read("mods", "m", 4096);
        p.run(testKit, List.of(CdevExample.module()));
        p.assertRead("mods", "cdev_example 16384 2 - Live 0xffffffffc0a00000 (OE)\n");
    }
}
