package dev.kctx.mechanisms.debugfs;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Calls;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.Vfs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebugfsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static final String DIR = "/sys/kernel/debug/debugfs_example";

    /** Reads {@code file} once from the start, recorded as {@code label}. */
    static Calls readFile(Calls p, String label, String file) {
        return p.open(label + "#fd", DIR + "/" + file, OpenFlags.O_RDONLY).read(label, label + "#fd", 100).close(label + "#fd");
    }

    @Test
    @DisplayName("u32, x32, u8 and bool read their variable in the kernel's formats; writes change the variable the module reads")
    void valuesRoundTrip() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko");
        readFile(p, "counter0", "counter");
        readFile(p, "mask0", "mask");
        readFile(p, "small0", "small");
        readFile(p, "enabled0", "enabled");
        p.writeFile("setCounter", DIR + "/counter", "1234\n")
                .writeFile("setMask", DIR + "/mask", "0xdeadbeef\n")
                .writeFile("setSmall", DIR + "/small", "010\n")
                .writeFile("setEnabled", DIR + "/enabled", "N\n");
        readFile(p, "counter1", "counter");
        readFile(p, "mask1", "mask");
        readFile(p, "small1", "small");
        readFile(p, "enabled1", "enabled");
        p.writeFile("report", DIR + "/report", "1").shell("rmmod debugfs_example");
        RunResult r = p.run(testKit, List.of(DebugfsExample.module()));
        p.assertRead("counter0", "0\n");
        p.assertRead("mask0", "0x0000beef\n");
        p.assertRead("small0", "7\n");
        p.assertRead("enabled0", "Y\n");
        p.assertRet("setCounter", 5);
        p.assertRet("setMask", 11);
        p.assertRet("setSmall", 4);
        p.assertRet("setEnabled", 2);
        p.assertRead("counter1", "1234\n");
        p.assertRead("mask1", "0xdeadbeef\n");
        p.assertRead("small1", "8\n");
        p.assertRead("enabled1", "N\n");
        assertEquals(List.of("debugfs_example: counter=1234 mask=0xdeadbeef small=8 enabled=N",
                "debugfs_example: at unload counter=1234 mask=0xdeadbeef small=8 enabled=N"), Calls.dmesg(r),
                "the module reads back what user space wrote");
    }

    @Test
    @DisplayName("stores are truncated to the variable's width (300 into a u8 is 44, 2^32+5 into a u32 is 5)")
    void truncation() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko")
                .writeFile("small", DIR + "/small", "300")
                .writeFile("counter", DIR + "/counter", "4294967301");
        readFile(p, "small1", "small");
        readFile(p, "counter1", "counter");
        p.run(testKit, List.of(DebugfsExample.module()));
        p.assertRead("small1", "44\n");
        p.assertRead("counter1", "5\n");
    }

    @Test
    @DisplayName("kstrtoull errors: EINVAL for words, signs and empty hex, ERANGE past 64 bits; the variable keeps its value")
    void parseErrors() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko")
                .writeFile("word", DIR + "/counter", "abc")
                .writeFile("negative", DIR + "/counter", "-1")
                .writeFile("emptyhex", DIR + "/counter", "0x")
                .writeFile("huge", DIR + "/counter", "99999999999999999999")
                .writeFile("space", DIR + "/counter", " 5");
        readFile(p, "after", "counter");
        p.run(testKit, List.of(DebugfsExample.module()));
        p.assertErrno("word", Errno.EINVAL);
        p.assertErrno("negative", Errno.EINVAL);
        p.assertErrno("emptyhex", Errno.EINVAL);
        p.assertErrno("huge", Errno.ERANGE);
        p.assertErrno("space", Errno.EINVAL);
        p.assertRead("after", "0\n");
    }

    @Test
    @DisplayName("bool takes y/n/1/0/on/off; anything else is ignored, yet the write claims all its bytes, as debugfs_write_file_bool does")
    void boolParsing() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko")
                .writeFile("off", DIR + "/enabled", "off");
        readFile(p, "b1", "enabled");
        p.writeFile("maybe", DIR + "/enabled", "maybe");
        readFile(p, "b2", "enabled");
        p.writeFile("on", DIR + "/enabled", "on");
        readFile(p, "b3", "enabled");
        p.run(testKit, List.of(DebugfsExample.module()));
        p.assertRead("b1", "N\n");
        p.assertRet("maybe", 5);
        p.assertRead("b2", "N\n");
        p.assertRead("b3", "Y\n");
    }

    /** A module exercising the read-only and write-only forms of the helpers. */
    static ModuleDef modesModule() {
        return new ModuleDef("modes", List.of(), m -> {
            Vfs.Dir d = Debugfs.createDir(m, "modes", null);
            Debugfs.createU32(m, "ro", 0444, d, new Debugfs.U32(5));
            Debugfs.createU32(m, "wo", 0200, d, new Debugfs.U32(5));
            Debugfs.createBool(m, "flag", 0444, d, new Debugfs.Bool(true));
            assertNull(Debugfs.createU32(m, "ro", 0444, d, new Debugfs.U32(6)), "a taken name is refused");
            return 0;
        }, null);
    }

    @Test
    @DisplayName("modes: root may open a 0444 u32 for writing but the write is EACCES (no set); a 0200 u32 reads EACCES; the blob and a 0444 bool have no write (EINVAL); u32 files cannot seek (ESPIPE)")
    void modes() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko").shell("insmod modes.ko")
                .writeFile("ro", "/sys/kernel/debug/modes/ro", "1")
                .open("wo", "/sys/kernel/debug/modes/wo", OpenFlags.O_RDONLY).read("woread", "wo", 10)
                .writeFile("flag", "/sys/kernel/debug/modes/flag", "n")
                .writeFile("blob", DIR + "/blob", "x")
                .open("b", DIR + "/blob", OpenFlags.O_RDONLY).lseek("blobseek", "b", 8, 0).read("blobread", "b", 8)
                .open("c", DIR + "/counter", OpenFlags.O_RDONLY).lseek("seek", "c", 1, 0);
        RunResult r = p.run(testKit, List.of(DebugfsExample.module(), modesModule()));
        p.assertErrno("ro", Errno.EACCES);
        p.assertErrno("woread", Errno.EACCES);
        p.assertErrno("flag", Errno.EINVAL);
        p.assertErrno("blob", Errno.EINVAL);
        p.assertRet("blobseek", 8);
        p.assertRead("blobread", "example ");
        p.assertErrno("seek", Errno.ESPIPE);
        assertEquals(List.of("debugfs: 'ro' already exists in 'modes'"), Calls.dmesg(r));
    }

    @Test
    @DisplayName("root only: non-root gets EACCES opening a file, listing the mount point or making a directory in it")
    void rootOnly() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko").shell("setuid 1000")
                .open("counter", DIR + "/counter", OpenFlags.O_RDONLY)
                .open("blob", DIR + "/blob", OpenFlags.O_RDONLY)
                .mkdir("mkdir", "/sys/kernel/debug/mine")
                .shell("ls /sys/kernel/debug")
                .shell("ls /sys/kernel/debug/debugfs_example");
        RunResult r = p.run(testKit, List.of(DebugfsExample.module()));
        p.assertErrno("open counter", Errno.EACCES);
        p.assertErrno("open blob", Errno.EACCES);
        p.assertErrno("mkdir", Errno.EACCES);
        List<String> console = Transcripts.console(r);
        assertTrue(console.contains("ls: cannot open directory '/sys/kernel/debug': Permission denied"), console.toString());
        assertTrue(console.contains("ls: cannot access '/sys/kernel/debug/debugfs_example': Permission denied"), console.toString());
    }

    @Test
    @DisplayName("rmmod removes the files; one still open fails with EIO; the helpers' files do not pin the module")
    void removedWhileOpen() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko")
                .open("c", DIR + "/counter", OpenFlags.O_RDWR)
                .shell("rmmod debugfs_example")
                .read("read", "c", 10).write("write", "c", "1")
                .open("again", DIR + "/counter", OpenFlags.O_RDONLY)
                .close("c");
        RunResult r = p.run(testKit, List.of(DebugfsExample.module()));
        p.assertErrno("read", Errno.EIO);
        p.assertErrno("write", Errno.EIO);
        p.assertErrno("open again", Errno.ENOENT);
        p.assertRet("close c", 0);
        assertTrue(Calls.dmesg(r).stream().anyMatch(l -> l.startsWith("debugfs_example: at unload")), "the module unloaded");
    }

    @Test
    @DisplayName("custom file operations owned by the module pin it while open: delete_module is EWOULDBLOCK (EAGAIN, try_stop_module)"
            + " until the file is closed")
    void customFopsPin() {
        Calls p = Calls.program().shell("insmod debugfs_example.ko")
                .open("rep", DIR + "/report", OpenFlags.O_WRONLY)
                .call("busy", "delete_module", c -> rmmod(c))
                .write("report", "rep", "x")
                .close("rep")
                .call("free", "delete_module", c -> rmmod(c));
        RunResult r = p.run(testKit, List.of(DebugfsExample.module()));
        p.assertErrno("busy", Errno.EAGAIN);
        p.assertRet("report", 1);
        p.assertRet("free", 0);
        assertTrue(Calls.dmesg(r).contains("debugfs_example: counter=0 mask=0x0000beef small=7 enabled=Y"), Calls.dmesg(r).toString());
    }

    private static dev.kctx.mechanisms.vfs.IoResult rmmod(dev.kctx.mechanisms.vfs.FileCtx c) {
        c.kernel().extension(dev.kctx.mechanisms.module.Modules.class, () -> null).rmmod(c, DebugfsExample.NAME);
        return dev.kctx.mechanisms.vfs.IoResult.Done.of(0);
    }
}
