package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.ioctl.CdevIoctl;
import dev.kctx.mechanisms.IoctlCmd;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.UserPtr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IoctlTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("_IO, _IOW, _IOR and _IOWR build the numbers asm-generic/ioctl.h builds")
    void encoding() {
        assertEquals(0x00006b00, IoctlCmd.io('k', 0), "_IO('k', 0)");
        assertEquals(0x40046b01, IoctlCmd.iow('k', 1, 4), "_IOW('k', 1, int)");
        assertEquals(0x80046b02, IoctlCmd.ior('k', 2, 4), "_IOR('k', 2, int)");
        assertEquals(0xc0046b03, IoctlCmd.iowr('k', 3, 4), "_IOWR('k', 3, int)");
        // Two well-known commands of Linux: TCGETS is a legacy number, FS_IOC_GETFLAGS an _IOR('f', 1, long).
        assertEquals(0x80086601, IoctlCmd.ior('f', 1, 8), "FS_IOC_GETFLAGS on 64-bit");
        assertEquals(CdevIoctl.CDEV_IOC_GET_LEN, 0x80046b02, "the example's GET_LEN");
    }

    @ParameterizedTest(name = "0x{0} decodes to dir={1} type={2} nr={3} size={4}")
    @CsvSource(quoteCharacter = '"', value = {"80046b02,R,'k',2,4", "00006b00,N,'k',0,0", "40046b01,W,'k',1,4", "c0046b03,RW,'k',3,4",
            "80086601,R,'f',1,8", "00005401,N,'T',1,0", "c0ff0100,RW,0x01,0,255"})
    @DisplayName("decoding gives back the four fields")
    void decoding(String hex, String dir, String type, int nr, int size) {
        int cmd = Integer.parseUnsignedInt(hex, 16);
        IoctlCmd d = IoctlCmd.decode(cmd);
        assertEquals(dir, d.dirName(), "direction");
        assertEquals(type, d.typeName(), "type");
        assertEquals(nr, d.nr(), "number");
        assertEquals(size, d.size(), "size");
        assertEquals(cmd, d.value(), "re-encoding gives the same number");
        assertEquals(String.format("cmd=0x%s dir=%s type=%s nr=%d size=%d", hex, dir, type, nr, size), IoctlCmd.describe(cmd),
                "the trace text");
    }

    @Test
    @DisplayName("fields that do not fit their bits are refused")
    void bounds() {
        assertThrows(IllegalArgumentException.class, () -> IoctlCmd.ioc(4, 'k', 0, 0), "dir has 2 bits");
        assertThrows(IllegalArgumentException.class, () -> IoctlCmd.ioc(0, 256, 0, 0), "type has 8 bits");
        assertThrows(IllegalArgumentException.class, () -> IoctlCmd.ioc(0, 'k', 256, 0), "nr has 8 bits");
        assertThrows(IllegalArgumentException.class, () -> IoctlCmd.ioc(0, 'k', 0, 1 << 14), "size has 14 bits");
        assertEquals("_IOWR('k', 3, 4)", IoctlCmd.decode(CdevIoctl.CDEV_IOC_XCHG_LIMIT).macro(), "the macro form");
    }

    @Test
    @DisplayName("the ioctl demo traces one kctx_ioctl line per call with the decoded fields, and copies pass the gate without reports")
    void traceLines() {
        RunResult r = Transcripts.run(testKit, SeedDemos.IOCTL);
        List<String> lines = Transcripts.events(r, "kctx_ioctl").stream().map(TraceRecord::args).toList();
        assertEquals(List.of(
                "cmd=0x80046b02 dir=R type='k' nr=2 size=4",
                "cmd=0x40046b01 dir=W type='k' nr=1 size=4",
                "cmd=0x80046b02 dir=R type='k' nr=2 size=4",
                "cmd=0xc0046b03 dir=RW type='k' nr=3 size=4",
                "cmd=0x00006b00 dir=N type='k' nr=0 size=0",
                "cmd=0x80046b02 dir=R type='k' nr=2 size=4",
                "cmd=0x40046b01 dir=W type='k' nr=1 size=4",
                "cmd=0x00006b09 dir=N type='k' nr=9 size=0",
                "cmd=0x80046b02 dir=R type='k' nr=2 size=4"), lines, "one line per ioctl of the first run; none after rmmod (open failed)");
        assertTrue(r.traceText().contains("kctx_ioctl: cmd=0x80046b02 dir=R type='k' nr=2 size=4"), "in the ftrace text too");
        assertTrue(Transcripts.events(r, "sys_enter").stream().filter(t -> t.args().startsWith("NR 16 ")).count() == 9,
                "each is an ioctl(2), NR 16");
        assertTrue(r.reports().isEmpty(), "copy_from_user/copy_to_user in process context: " + r.reports());
    }

    @Test
    @DisplayName("ENOTTY from a driver without unlocked_ioctl and from a regular file, EBADF for a closed descriptor")
    void notTty() {
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(CdevExample.module()), Transcripts.program(
                "insmod cdev_example.ko", "mknod /dev/cdev_example c 248 0", "echo x > /tmp/file",
                Libc.open("dev", "/dev/cdev_example", OpenFlags.O_RDWR),
                Libc.ioctl("dev", CdevIoctl.CDEV_IOC_GET_LEN, UserPtr.ofInt(0)),
                Libc.printf(rg -> "cdev_example: " + rg.shown()),
                Libc.open("file", "/tmp/file", OpenFlags.O_RDONLY),
                Libc.ioctl("file", CdevIoctl.CDEV_IOC_CLEAR, UserPtr.none()),
                Libc.printf(rg -> "file: " + rg.shown()),
                Libc.close("file"),
                Libc.ioctl("file", CdevIoctl.CDEV_IOC_CLEAR, UserPtr.none()),
                Libc.printf(rg -> "closed: " + rg.shown() + " result " + rg.result()),
                Libc.close("dev"))));
        List<String> c = Transcripts.console(r);
        assertTrue(c.contains("cdev_example: = -1 ENOTTY (Inappropriate ioctl for device)"), c.toString());
        assertTrue(c.contains("file: = -1 ENOTTY (Inappropriate ioctl for device)"), c.toString());
        assertTrue(c.contains("closed: = -1 EBADF (Bad file descriptor) result -1"), c.toString());
    }

    @Test
    @DisplayName("each kind moves data the right way: _IOW reads the user's int, _IOR writes one back, _IOWR both; a bad pointer is EFAULT and changes nothing")
    void kinds() {
        UserPtr limit = UserPtr.ofInt(3);
        UserPtr len = UserPtr.ofInt(-1);
        UserPtr xchg = UserPtr.ofInt(7);
        UserPtr after = UserPtr.ofInt(-1);
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(CdevIoctl.module()), Transcripts.program(
                "insmod cdev_ioctl.ko", "mknod /dev/x c 248 0",
                Libc.open("fd", "/dev/x", OpenFlags.O_RDWR),
                Libc.ioctl("fd", CdevIoctl.CDEV_IOC_SET_LIMIT, limit),
                Libc.ioctl("fd", CdevIoctl.CDEV_IOC_SET_LIMIT, UserPtr.bad()),
                Libc.printf(rg -> "bad: " + rg.shown()),
                Libc.write("fd", "abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                Libc.ioctl("fd", CdevIoctl.CDEV_IOC_GET_LEN, len),
                Libc.ioctl("fd", CdevIoctl.CDEV_IOC_XCHG_LIMIT, xchg),
                Libc.ioctl("fd", CdevIoctl.CDEV_IOC_XCHG_LIMIT, after),
                Libc.printf(rg -> "last: " + rg.shown()),
                Libc.close("fd"))));
        assertEquals(3, len.readInt(), "write kept 3 bytes: SET_LIMIT read 3 from user memory, the bad pointer changed nothing");
        assertEquals(3, xchg.readInt(), "XCHG wrote the old limit back into the same buffer");
        assertEquals(-1, after.readInt(), "-1 is refused (EINVAL) before anything is written back");
        List<String> c = Transcripts.console(r);
        assertTrue(c.contains("bad: = -1 EFAULT (Bad address)"), c.toString());
        assertTrue(c.contains("last: = -1 EINVAL (Invalid argument)"), c.toString());
    }
}
