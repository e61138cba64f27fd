package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.demo.TranscriptDemo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each transcript demo, asserted word for word (kernel-log timestamps removed), and free of reports. */
class DemoTranscriptsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** What printvma logs for the shell (pid 4242): print_mem's lines for its four areas. */
    static final List<String> PRINTVMA_SH = List.of(
            "This mm_struct has 4 vmas.",
            "Vma number 1: ",
            "  Starts at 0x400000, Ends at 0x402000",
            "Vma number 2: ",
            "  Starts at 0x402000, Ends at 0x403000",
            "Vma number 3: ",
            "  Starts at 0x403000, Ends at 0x424000",
            "Vma number 4: ",
            "  Starts at 0x7ffffffde000, Ends at 0x7ffffffff000",
            "Code  Segment start = 0x400000, end = 0x401f45 ",
            "Data  Segment start = 0x402000, end = 0x4022e8",
            "Stack Segment start = 0x7fffffffee00");

    /** Lines and lists of lines, flattened in order. */
    static List<String> lines(Object... parts) {
        List<String> out = new java.util.ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(o -> out.add((String) o));
            } else {
                out.add((String) p);
            }
        }
        return out;
    }

    private static void assertTranscript(TranscriptDemo demo, List<String> expected) {
        RunResult r = Transcripts.run(testKit, demo);
        assertEquals(expected, Transcripts.console(r), "the transcript of demo " + demo.name());
        assertTrue(r.reports().isEmpty(), () -> "no context-rule reports in demo " + demo.name() + ": " + r.reports());
    }

    @Test
    @DisplayName("SeedDemos lists every transcript demo once, chardev first")
    void registry() {
        List<String> names = SeedDemos.all().stream().map(TranscriptDemo::name).toList();
        assertEquals("chardev", names.get(0), "chardev comes first");
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), "each demo once: " + names);
        assertTrue(names.containsAll(List.of("cdev-wait", "params", "ioctl", "syscall", "sysctl")), "these demos are listed: " + names);
    }

    @Test
    @DisplayName("the chardev demo replays the seed's cdev_example session word for word")
    void chardev() {
        assertTranscript(SeedDemos.CHARDEV, List.of(
                "# insmod cdev_example.ko",
                "# dmesg",
                "cdev example: assigned major: 248",
                "create node with mknod /dev/cdev_example c 248 0",
                "# mknod /dev/cdev_example c 248 0",
                "# echo \"hello kernel\" > /dev/cdev_example",
                "# cat /dev/cdev_example",
                "hello kernel",
                "# rmmod cdev_example",
                "# ls /dev",
                "cdev_example",
                "# cat /dev/cdev_example",
                "cat: /dev/cdev_example: No such device or address",
                "# echo \"hello kernel\" > /dev/cdev_example",
                "sh: /dev/cdev_example: No such device or address"));
    }

    @Test
    @DisplayName("the cdev-wait demo: an open descriptor keeps cdev_example in use, a taken fixed major is EBUSY, head sleeps until the sensor IRQ, O_NONBLOCK gives EAGAIN")
    void cdevWait() {
        assertTranscript(SeedDemos.CDEV_WAIT, List.of(
                "# insmod cdev_example.ko",
                "# mknod /dev/cdev_example c 248 0",
                "# exec 3< /dev/cdev_example",
                "# lsmod",
                "Module                  Size  Used by",
                "cdev_example           16384  2",
                "# rmmod cdev_example",
                "rmmod: ERROR: Module cdev_example is in use",
                "# exec 3<&-",
                "# rmmod cdev_example",
                "# cat /dev/cdev_example",
                "cat: /dev/cdev_example: No such device or address",
                "# insmod cdev_wait.ko major=4",
                "insmod: ERROR: could not insert module cdev_wait.ko: Device or resource busy",
                "# insmod cdev_wait.ko major=60",
                "# dmesg -c",
                "cdev example: assigned major: 248",
                "create node with mknod /dev/cdev_example c 248 0",
                "cdev example: unregistered",
                "cdev_wait: can't get major 4",
                "cdev_wait: registered major 60, minor 0",
                "# mknod /dev/cdev_wait c 60 0",
                "# ./nbread /dev/cdev_wait",
                "open(\"/dev/cdev_wait\", O_RDONLY|O_NONBLOCK) = 3",
                "read(3, buf, 64) = -1 EAGAIN (Resource temporarily unavailable)",
                "# head -n 1 /dev/cdev_wait",
                "sample 1",
                "# dmesg -c",
                "cdev_wait: process 4242 (sh) going to sleep",
                "cdev_wait: irq 11: sample 1 ready, waking readers",
                "cdev_wait: awoken 4242 (sh)",
                "# echo \"from user space\" > /dev/cdev_wait",
                "# ./nbread /dev/cdev_wait",
                "open(\"/dev/cdev_wait\", O_RDONLY|O_NONBLOCK) = 3",
                "read(3, buf, 64) = 16 \"from user space\\n\""));
    }

    @Test
    @DisplayName("the params demo: printvma with perm 0, 0444 and 0644, an invalid and an unknown parameter, insmod as a user")
    void params() {
        assertTranscript(SeedDemos.PARAMS, lines(
                "# insmod printvma.ko pid_mem=4242",
                "# dmesg -c",
                "Got the process id to look up as 4242",
                "sh[4242]",
                PRINTVMA_SH,
                "# cat /proc/4242/maps",
                "00400000-00402000 r-xp 00000000 08:01 143692                             /bin/sh",
                "00402000-00403000 rw-p 00002000 08:01 143692                             /bin/sh",
                "00403000-00424000 rw-p 00000000 00:00 0                                  [heap]",
                "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]",
                "# ls -F /sys/module/printvma/",
                "holders/  initstate  notes/  refcnt  sections/  srcversion  supported",
                "# rmmod printvma",
                "# insmod 0444/printvma.ko pid_mem=4242",
                "# ls -F /sys/module/printvma/",
                "holders/  initstate  notes/  parameters/  refcnt  sections/  srcversion  supported",
                "# cat /sys/module/printvma/parameters/pid_mem",
                "4242",
                "# echo 1 > /sys/module/printvma/parameters/pid_mem",
                "sh: /sys/module/printvma/parameters/pid_mem: Permission denied",
                "# rmmod printvma",
                "# insmod 0644/printvma.ko pid_mem=4242",
                "# echo 1 > /sys/module/printvma/parameters/pid_mem",
                "# cat /sys/module/printvma/parameters/pid_mem",
                "1",
                "# echo abc > /sys/module/printvma/parameters/pid_mem",
                "sh: echo: write error: Invalid argument",
                "# rmmod printvma",
                "# dmesg -c",
                "Print segment information module exiting.",
                "Got the process id to look up as 4242",
                "sh[4242]",
                PRINTVMA_SH,
                "Print segment information module exiting.",
                "Got the process id to look up as 4242",
                "sh[4242]",
                PRINTVMA_SH,
                "Print segment information module exiting.",
                "# insmod printvma.ko pid_mem=abc",
                "insmod: ERROR: could not insert module printvma.ko: Invalid parameters",
                "# insmod printvma.ko pid=4242",
                "insmod: ERROR: could not insert module printvma.ko: Unknown symbol in module, or unknown parameter (see dmesg)",
                "# dmesg -c",
                "printvma: `abc' invalid for parameter `pid_mem'",
                "printvma: Unknown parameter `pid'",
                "# setuid 1000",
                "$ insmod printvma.ko pid_mem=4242",
                "insmod: ERROR: could not insert module printvma.ko: Operation not permitted"));
    }

    @Test
    @DisplayName("the ioctl demo: the four kinds of command, EINVAL, ENOTTY and EFAULT, then ENXIO after rmmod")
    void ioctl() {
        assertTranscript(SeedDemos.IOCTL, List.of(
                "# insmod cdev_ioctl.ko",
                "# dmesg -c",
                "cdev_ioctl: assigned major: 248",
                "create node with mknod /dev/cdev_ioctl c 248 0",
                "# mknod /dev/cdev_ioctl c 248 0",
                "# echo \"hello kernel\" > /dev/cdev_ioctl",
                "# ./ioctl_user /dev/cdev_ioctl",
                "CDEV_IOC_CLEAR      _IO('k', 0)         = 0x00006b00",
                "CDEV_IOC_SET_LIMIT  _IOW('k', 1, int)   = 0x40046b01",
                "CDEV_IOC_GET_LEN    _IOR('k', 2, int)   = 0x80046b02",
                "CDEV_IOC_XCHG_LIMIT _IOWR('k', 3, int)  = 0xc0046b03",
                "open(\"/dev/cdev_ioctl\", O_RDWR) = 3",
                "ioctl(3, CDEV_IOC_GET_LEN, [13]) = 0",
                "ioctl(3, CDEV_IOC_SET_LIMIT, [5]) = 0",
                "write(3, \"hello kernel\\n\", 13) = 13",
                "ioctl(3, CDEV_IOC_GET_LEN, [5]) = 0",
                "ioctl(3, CDEV_IOC_XCHG_LIMIT, [64 => 5]) = 0",
                "ioctl(3, CDEV_IOC_CLEAR) = 0",
                "ioctl(3, CDEV_IOC_GET_LEN, [0]) = 0",
                "ioctl(3, CDEV_IOC_SET_LIMIT, [1000]) = -1 EINVAL (Invalid argument)",
                "ioctl(3, _IO('k', 9)) = -1 ENOTTY (Inappropriate ioctl for device)",
                "ioctl(3, CDEV_IOC_GET_LEN, NULL) = -1 EFAULT (Bad address)",
                "# cat /dev/cdev_ioctl",
                "# rmmod cdev_ioctl",
                "# ./ioctl_user /dev/cdev_ioctl",
                "CDEV_IOC_CLEAR      _IO('k', 0)         = 0x00006b00",
                "CDEV_IOC_SET_LIMIT  _IOW('k', 1, int)   = 0x40046b01",
                "CDEV_IOC_GET_LEN    _IOR('k', 2, int)   = 0x80046b02",
                "CDEV_IOC_XCHG_LIMIT _IOWR('k', 3, int)  = 0xc0046b03",
                "open(\"/dev/cdev_ioctl\", O_RDWR) = -1 ENXIO (No such device or address)"));
    }

    @Test
    @DisplayName("the sysctl demo: run-time values, range errors, a module's table, reboot keeping only /etc/sysctl.conf, a user refused")
    void sysctl() {
        assertTranscript(SeedDemos.SYSCTL, List.of(
                "# sysctl vm.swappiness kernel.hostname",
                "vm.swappiness = 60",
                "kernel.hostname = (none)",
                "# sysctl -w vm.swappiness=10",
                "vm.swappiness = 10",
                "# cat /proc/sys/vm/swappiness",
                "10",
                "# sysctl -w vm.swappiness=300",
                "sysctl: setting key \"vm.swappiness\": Invalid argument",
                "# echo 300 > /proc/sys/vm/swappiness",
                "sh: echo: write error: Invalid argument",
                "# sysctl kernel.printk",
                "kernel.printk = 7\t4\t1\t7",
                "# sysctl -w kernel.hostname=kctx",
                "kernel.hostname = kctx",
                "# sysctl -w kernel.ostype=Plan9",
                "sysctl: setting key \"kernel.ostype\": Operation not permitted",
                "# echo \"vm.swappiness = 20\" > /etc/sysctl.conf",
                "# echo \"kernel.hostname = kctx-box\" >> /etc/sysctl.conf",
                "# sysctl -p",
                "vm.swappiness = 20",
                "kernel.hostname = kctx-box",
                "# sysctl -w vm.swappiness=30",
                "vm.swappiness = 30",
                "# insmod sysctl_example.ko",
                "# sysctl kctx",
                "kctx.label = kctx",
                "kctx.limits = 10\t20",
                "kctx.threshold = 50",
                "# sysctl -w kctx.threshold=101",
                "sysctl: setting key \"kctx.threshold\": Invalid argument",
                "# sysctl -w kctx.label=a-much-longer-label",
                "kctx.label = a-much-longer-label",
                "# sysctl kctx.label",
                "kctx.label = a-much-longer-l",
                "# reboot",
                "# sysctl vm.swappiness kernel.hostname kernel.printk",
                "vm.swappiness = 20",
                "kernel.hostname = kctx-box",
                "kernel.printk = 7\t4\t1\t7",
                "# sysctl kctx.threshold",
                "sysctl: cannot stat /proc/sys/kctx/threshold: No such file or directory",
                "# lsmod",
                "Module                  Size  Used by",
                "# setuid 1000",
                "$ sysctl -w vm.swappiness=10",
                "sysctl: permission denied on key \"vm.swappiness\"",
                "$ echo 10 > /proc/sys/vm/swappiness",
                "sh: /proc/sys/vm/swappiness: Permission denied",
                "$ sysctl vm.swappiness",
                "vm.swappiness = 20"));
    }

    @Test
    @DisplayName("the syscall demo: ENOSYS before insmod, the module's call, EFAULT, ENOSYS after rmmod, EBUSY for a taken number")
    void syscall() {
        assertTranscript(SeedDemos.SYSCALL, List.of(
                "# ./hello_syscall \"hello kernel\"",
                "syscall(548, \"hello kernel\", 12) = -1 ENOSYS (Function not implemented)",
                "# insmod syscall_example.ko",
                "# dmesg -c",
                "syscall_example: added system call 548 (kctx_hello)",
                "# ./hello_syscall \"hello kernel\"",
                "syscall(548, \"hello kernel\", 12) = 12",
                "# ./hello_syscall --null \"hello kernel\"",
                "syscall(548, NULL, 12) = -1 EFAULT (Bad address)",
                "# dmesg -c",
                "kctx_hello: sh[4242] says \"hello kernel\"",
                "# rmmod syscall_example",
                "# ./hello_syscall \"hello kernel\"",
                "syscall(548, \"hello kernel\", 12) = -1 ENOSYS (Function not implemented)",
                "# insmod syscall_example.ko nr=1",
                "insmod: ERROR: could not insert module syscall_example.ko: Device or resource busy",
                "# dmesg -c",
                "syscall_example: removed system call 548",
                "syscall_example: cannot add system call 1: slot in use"));
    }
}
