package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import dev.kctx.mechanisms.ioctl.CdevIoctl;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("ioctl commands declared on a character device")
class IoctlSectionTest {

    @TempDir
    static Path dir;

    static int encode(String macro) {
        return IoctlSection.macro(new Node.ScalarNode(Node.Loc.START, Node.ScalarKind.STRING, macro), "cmd").value();
    }

    @Test
    @DisplayName("the macros encode as ioctl.h does: the same numbers as cdev_ioctl's constants")
    void encodings() {
        assertEquals(CdevIoctl.CDEV_IOC_CLEAR, encode("_IO('k', 0)"));
        assertEquals(CdevIoctl.CDEV_IOC_CLEAR, encode("_IO(0x6b, 0)"));
        assertEquals(CdevIoctl.CDEV_IOC_SET_LIMIT, encode("_IOW('k', 1, int)"));
        assertEquals(CdevIoctl.CDEV_IOC_GET_LEN, encode(" _IOR( 'k' , 2 , 4 ) "));
        assertEquals(CdevIoctl.CDEV_IOC_XCHG_LIMIT, encode("_IOWR('k', 3, u32)"));
        assertEquals(0x80086b02, encode("_IOR('k', 2, long)"));
        assertEquals(0xc0ff6b02, encode("_IOWR(107, 2, 255)"));
    }

    @Test
    @DisplayName("each load starts from the declared values; a device without commands answers ENOTTY")
    void reloadAndNoCommands() throws IOException {
        Path f = dir.resolve("reload.yaml");
        Files.writeString(f, """
                modules:
                  - name: knob
                    chardev:
                      name: knob
                      major: 61
                      variables: {v: 7}
                      ioctl:
                        - {name: GET, cmd: "_IOR('q', 1, int)", get: v}
                        - {name: SET, cmd: "_IOW('q', 2, int)", set: v}
                  - name: plain
                    chardev: {name: plain, major: 62}
                processes:
                  - name: sh
                    body:
                      - sh: "insmod knob.ko"
                      - sh: "insmod plain.ko"
                      - sh: "mknod /dev/knob c 61 0"
                      - sh: "mknod /dev/plain c 62 0"
                      - ioctl: {device: /dev/knob, name: SET, cmd: "_IOW('q', 2, int)", arg: -3}
                      - ioctl: {device: /dev/knob, name: GET, cmd: "_IOR('q', 1, int)"}
                      - sh: "rmmod knob"
                      - sh: "insmod knob.ko"
                      - ioctl: {device: /dev/knob, name: GET, cmd: "_IOR('q', 1, int)"}
                      - ioctl: {device: /dev/plain, cmd: "_IOR('q', 1, int)", arg: 1}
                run: {until: 10ms}
                """);
        Kctx.Result r = Kctx.run("run", f.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        int set = out.indexOf("ioctl(3, SET, [-3]) = 0");
        int after = out.indexOf("ioctl(3, GET, [-3]) = 0");
        int reloaded = out.indexOf("ioctl(3, GET, [7]) = 0");
        assertTrue(set >= 0 && after > set && reloaded > after, out);
        assertTrue(out.contains("ioctl(3, _IOR('q', 1, 4), [1]) = -1 ENOTTY (Inappropriate ioctl for device)"), out);
    }
}
