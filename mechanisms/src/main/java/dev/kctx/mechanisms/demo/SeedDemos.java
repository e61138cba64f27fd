package dev.kctx.mechanisms.demo;

import dev.kctx.actors.Arrivals;
import dev.kctx.contexts.Durations;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.configfs.ConfigfsExample;
import dev.kctx.mechanisms.debugfs.DebugfsExample;
import dev.kctx.mechanisms.procfs.ProcfsExample;
import dev.kctx.mechanisms.sysfs.SysfsExample;
import dev.kctx.mechanisms.chardev.CdevWait;
import dev.kctx.mechanisms.ioctl.CdevIoctl;
import dev.kctx.mechanisms.params.PrintVma;
import dev.kctx.mechanisms.syscall.SyscallExample;
import dev.kctx.mechanisms.sysctl.SysctlExample;
import dev.kctx.mechanisms.genetlink.GnExample;
import dev.kctx.mechanisms.netlink.NlExample;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.udp.UdpExample;
import dev.kctx.mechanisms.mmap.MmapExample;
import dev.kctx.mechanisms.signal.SignalExample;
import dev.kctx.mechanisms.upcall.UpcallExample;
import dev.kctx.mechanisms.user.Executables;

import java.util.List;

/** The seed's examples as shell sessions, one per mechanism. */
public final class SeedDemos {
    private SeedDemos() {
    }

    public static final TranscriptDemo CHARDEV = new TranscriptDemo("chardev",
            "the seed's cdev_example: dynamic major, echo/cat through the driver, ENXIO after rmmod",
            List.of(CdevExample.module()), List.of(
                    "insmod cdev_example.ko",
                    "dmesg",
                    "mknod /dev/cdev_example c 248 0",
                    "echo \"hello kernel\" > /dev/cdev_example",
                    "cat /dev/cdev_example",
                    "rmmod cdev_example",
                    "ls /dev",
                    "cat /dev/cdev_example",
                    "echo \"hello kernel\" > /dev/cdev_example"));

    public static final TranscriptDemo PROCFS = new TranscriptDemo("procfs",
            "a simple /proc entry cut at one page vs a seq_file entry read in pieces at any length",
            List.of(ProcfsExample.module()), List.of(
                    "insmod procfs_example.ko",
                    "dmesg",
                    "wc -c /proc/procfs_simple",
                    "dd if=/proc/procfs_simple bs=1 skip=4080 status=none",
                    "wc -c /proc/procfs_seq",
                    "dd if=/proc/procfs_seq of=/tmp/seq bs=1024 status=noxfer",
                    "dd if=/proc/procfs_seq of=/tmp/seq bs=8192 status=noxfer",
                    "wc -c /tmp/seq",
                    "dd if=/proc/procfs_seq bs=20 skip=123 count=2 status=none",
                    "cat /proc/modules",
                    "rmmod procfs_example",
                    "cat /proc/procfs_seq"));

    public static final TranscriptDemo SYSFS = new TranscriptDemo("sysfs",
            "a kobject in /sys/kernel: read and write an attribute; a read-only one refuses writes even to root",
            List.of(SysfsExample.module()), List.of(
                    "insmod sysfs_example.ko",
                    "ls /sys/kernel/sysfs_example",
                    "cat /sys/kernel/sysfs_example/value",
                    "echo 7 > /sys/kernel/sysfs_example/value",
                    "cat /sys/kernel/sysfs_example/value",
                    "echo seven > /sys/kernel/sysfs_example/value",
                    "cat /sys/kernel/sysfs_example/version",
                    "echo 2.0 > /sys/kernel/sysfs_example/version",
                    "dmesg",
                    "setuid 1000",
                    "cat /sys/kernel/sysfs_example/value",
                    "echo 8 > /sys/kernel/sysfs_example/value"));

    public static final TranscriptDemo DEBUGFS = new TranscriptDemo("debugfs",
            "debugfs files backed by module variables (u32, x32, bool, blob, custom fops); root only",
            List.of(DebugfsExample.module()), List.of(
                    "insmod debugfs_example.ko",
                    "ls /sys/kernel/debug/debugfs_example",
                    "cat /sys/kernel/debug/debugfs_example/counter",
                    "echo 1234 > /sys/kernel/debug/debugfs_example/counter",
                    "cat /sys/kernel/debug/debugfs_example/counter",
                    "echo 0xdeadbeef > /sys/kernel/debug/debugfs_example/mask",
                    "cat /sys/kernel/debug/debugfs_example/mask",
                    "echo N > /sys/kernel/debug/debugfs_example/enabled",
                    "cat /sys/kernel/debug/debugfs_example/enabled",
                    "cat /sys/kernel/debug/debugfs_example/blob",
                    "echo 1 > /sys/kernel/debug/debugfs_example/report",
                    "dmesg",
                    "setuid 1000",
                    "cat /sys/kernel/debug/debugfs_example/counter",
                    "ls /sys/kernel/debug"));

    public static final TranscriptDemo CONFIGFS = new TranscriptDemo("configfs",
            "configfs items made by mkdir, attributes read and written, rmmod refused while an item exists",
            List.of(ConfigfsExample.module()), List.of(
                    "insmod configfs_example.ko",
                    "ls /sys/kernel/config",
                    "mkdir /sys/kernel/config/configfs_example/item0",
                    "dmesg -c",
                    "ls /sys/kernel/config/configfs_example/item0",
                    "echo 17 > /sys/kernel/config/configfs_example/item0/value",
                    "cat /sys/kernel/config/configfs_example/item0/value",
                    "echo \"first item\" > /sys/kernel/config/configfs_example/item0/description",
                    "cat /sys/kernel/config/configfs_example/item0/description",
                    "rmmod configfs_example",
                    "lsmod",
                    "rmdir /sys/kernel/config/configfs_example/item0",
                    "rmmod configfs_example",
                    "dmesg",
                    "ls /sys/kernel/config"));

    /** When the cdev-wait demo's sensor interrupt fires (the shell is asleep in head by then). */
    public static final long SENSOR_IRQ_AT = Durations.ms(20);

    public static final TranscriptDemo CDEV_WAIT = new TranscriptDemo("cdev-wait",
            "an open file pins the module (rmmod: in use), a fixed major, a read that sleeps until an IRQ fills the buffer, O_NONBLOCK EAGAIN",
            List.of(CdevExample.module(), CdevWait.module()), List.of(
                    "insmod cdev_example.ko",
                    "mknod /dev/cdev_example c 248 0",
                    "exec 3< /dev/cdev_example",
                    "lsmod",
                    "rmmod cdev_example",
                    "exec 3<&-",
                    "rmmod cdev_example",
                    "cat /dev/cdev_example",
                    "insmod cdev_wait.ko major=4",
                    "insmod cdev_wait.ko major=60",
                    "dmesg -c",
                    "mknod /dev/cdev_wait c 60 0",
                    "./nbread /dev/cdev_wait",
                    "head -n 1 /dev/cdev_wait",
                    "dmesg -c",
                    "echo \"from user space\" > /dev/cdev_wait",
                    "./nbread /dev/cdev_wait"),
            m -> m.boot(Executables.class, () -> Executables.of(CdevWait.nbread()))
                    .irq("sensor", 11, List.of(0), new Arrivals.At(List.of(SENSOR_IRQ_AT)), CdevWait.irqHandler(11)));

    public static final TranscriptDemo PARAMS = new TranscriptDemo("params",
            "the seed's printvma: pid_mem set at insmod, the shell's areas in the log and in /proc/4242/maps, no parameters/ with perm 0, shown with 0444, writable with 0644, EINVAL and unknown parameters",
            PrintVma.builds(), List.of(
                    "insmod printvma.ko pid_mem=4242",
                    "dmesg -c",
                    "cat /proc/4242/maps",
                    "ls -F /sys/module/printvma/",
                    "rmmod printvma",
                    "insmod 0444/printvma.ko pid_mem=4242",
                    "ls -F /sys/module/printvma/",
                    "cat /sys/module/printvma/parameters/pid_mem",
                    "echo 1 > /sys/module/printvma/parameters/pid_mem",
                    "rmmod printvma",
                    "insmod 0644/printvma.ko pid_mem=4242",
                    "echo 1 > /sys/module/printvma/parameters/pid_mem",
                    "cat /sys/module/printvma/parameters/pid_mem",
                    "echo abc > /sys/module/printvma/parameters/pid_mem",
                    "rmmod printvma",
                    "dmesg -c",
                    "insmod printvma.ko pid_mem=abc",
                    "insmod printvma.ko pid=4242",
                    "dmesg -c",
                    "setuid 1000",
                    "insmod printvma.ko pid_mem=4242"));

    public static final TranscriptDemo IOCTL = new TranscriptDemo("ioctl",
            "cdev_example with ioctl: _IO, _IOW, _IOR, _IOWR commands, ENOTTY for an unknown one, EFAULT for a NULL pointer",
            List.of(CdevIoctl.module()), List.of(
                    "insmod cdev_ioctl.ko",
                    "dmesg -c",
                    "mknod /dev/cdev_ioctl c 248 0",
                    "echo \"hello kernel\" > /dev/cdev_ioctl",
                    "./ioctl_user /dev/cdev_ioctl",
                    "cat /dev/cdev_ioctl",
                    "rmmod cdev_ioctl",
                    "./ioctl_user /dev/cdev_ioctl"),
            m -> m.boot(Executables.class, () -> Executables.of(CdevIoctl.program())));

    public static final TranscriptDemo SYSCTL = new TranscriptDemo("sysctl",
            "kernel tunables: sysctl -w at run time, EINVAL outside the range, a module's table, lost at reboot, kept through /etc/sysctl.conf",
            List.of(SysctlExample.module()), List.of(
                    "sysctl vm.swappiness kernel.hostname",
                    "sysctl -w vm.swappiness=10",
                    "cat /proc/sys/vm/swappiness",
                    "sysctl -w vm.swappiness=300",
                    "echo 300 > /proc/sys/vm/swappiness",
                    "sysctl kernel.printk",
                    "sysctl -w kernel.hostname=kctx",
                    "sysctl -w kernel.ostype=Plan9",
                    "echo \"vm.swappiness = 20\" > /etc/sysctl.conf",
                    "echo \"kernel.hostname = kctx-box\" >> /etc/sysctl.conf",
                    "sysctl -p",
                    "sysctl -w vm.swappiness=30",
                    "insmod sysctl_example.ko",
                    "sysctl kctx",
                    "sysctl -w kctx.threshold=101",
                    "sysctl -w kctx.label=a-much-longer-label",
                    "sysctl kctx.label",
                    "reboot",
                    "sysctl vm.swappiness kernel.hostname kernel.printk",
                    "sysctl kctx.threshold",
                    "lsmod",
                    "setuid 1000",
                    "sysctl -w vm.swappiness=10",
                    "echo 10 > /proc/sys/vm/swappiness",
                    "sysctl vm.swappiness"));

    public static final TranscriptDemo SYSCALL = new TranscriptDemo("syscall",
            "a module adds system call 548; syscall(2) reaches it, EFAULT for a NULL pointer, ENOSYS before insmod and after rmmod",
            List.of(SyscallExample.module()), List.of(
                    "./hello_syscall \"hello kernel\"",
                    "insmod syscall_example.ko",
                    "dmesg -c",
                    "./hello_syscall \"hello kernel\"",
                    "./hello_syscall --null \"hello kernel\"",
                    "dmesg -c",
                    "rmmod syscall_example",
                    "./hello_syscall \"hello kernel\"",
                    "insmod syscall_example.ko nr=1",
                    "dmesg -c"),
            m -> m.boot(Executables.class, () -> Executables.of(SyscallExample.program())));

    public static final TranscriptDemo GENETLINK = new TranscriptDemo("genetlink",
            "the seed's gnkernel/gnuser: family lookup through nlctrl, an echo command, a NACK after rmmod",
            List.of(GnExample.module()), List.of(
                    "insmod gnkernel.ko",
                    "dmesg -c",
                    "./gnuser",
                    "dmesg -c",
                    "./gnuser \"[from user] hello world!\"",
                    "dmesg -c",
                    "rmmod gnkernel",
                    "./gnuser"),
            b -> b.boot(Executables.class, () -> Executables.programFiles(GnExample.programs())));

    public static final TranscriptDemo NETLINK = new TranscriptDemo("netlink",
            "a raw netlink family: unicast both ways with an ACK, a multicast group with two subscribers, an overflow with ENOBUFS",
            List.of(NlExample.module()), List.of(
                    "insmod nlexample.ko",
                    "dmesg -c",
                    "./nlsend hello kernel",
                    "./nlmcast hello subscribers",
                    "./nlflood 10",
                    "dmesg -c",
                    "cat " + NetCounters.PATH,
                    "rmmod nlexample"),
            b -> b.boot(Executables.class, () -> Executables.programFiles(NlExample.programs())));

    public static final TranscriptDemo UDP = new TranscriptDemo("udp",
            "a kernel thread's UDP socket on loopback answering a user process; a full receiver drops silently, counted",
            List.of(UdpExample.module()), List.of(
                    "insmod kudp.ko",
                    "dmesg -c",
                    "./udpecho hello",
                    "./udpsink 20",
                    "dmesg -c",
                    "cat " + NetCounters.PATH),
            b -> b.boot(Executables.class, () -> Executables.programFiles(UdpExample.programs()))
                    .kthread(UdpExample.NAME, 0, 0, UdpExample.thread()));

    public static final TranscriptDemo SIGNAL = new TranscriptDemo("signal",
            "the seed's signal_kernel: a pid written to debugfs, realtime signal 44 with value 1234; standard signals merge,"
                    + " realtime ones queue",
            List.of(SignalExample.module()), List.of(
                    "insmod signal_kernel.ko",
                    "./signal_user",
                    "dmesg -c",
                    "./signal_burst",
                    "dmesg -c",
                    "setuid 1000",
                    "./signal_user"),
            m -> m.boot(Executables.class, () -> new Executables(SignalExample.programs())));

    public static final TranscriptDemo UPCALL = new TranscriptDemo("upcall",
            "call_usermodehelper in each wait mode from a kworker, a missing program, and a waiting mode from a timer (sleep in atomic)",
            List.of(UpcallExample.module()), List.of(
                    "insmod upcall_example.ko",
                    "echo \"UMH_NO_WAIT /sbin/kctx_helper exit=3\" > /sys/kernel/debug/upcall_example",
                    "echo \"UMH_WAIT_EXEC /sbin/kctx_helper exit=3\" > /sys/kernel/debug/upcall_example",
                    "echo \"UMH_WAIT_PROC /sbin/kctx_helper exit=3\" > /sys/kernel/debug/upcall_example",
                    "echo \"UMH_WAIT_PROC /sbin/kctx_helper\" > /sys/kernel/debug/upcall_example",
                    "echo \"UMH_NO_WAIT /sbin/no_such_helper\" > /sys/kernel/debug/upcall_example",
                    "echo \"UMH_WAIT_EXEC /sbin/no_such_helper\" > /sys/kernel/debug/upcall_example",
                    "echo \"UMH_WAIT_PROC /sbin/no_such_helper\" > /sys/kernel/debug/upcall_example",
                    "dmesg -c",
                    "cat /tmp/kctx_helper.log",
                    "echo \"timer UMH_NO_WAIT /sbin/kctx_helper\" > /sys/kernel/debug/upcall_example",
                    "echo \"timer UMH_WAIT_PROC /sbin/kctx_helper exit=1\" > /sys/kernel/debug/upcall_example",
                    "sleep 1ms",
                    "dmesg"),
            UpcallExample::machine);

    public static final TranscriptDemo MMAP = new TranscriptDemo("mmap",
            "the seed's mmap_example: a kernel page shared with no copy, a signal to say it changed, SIGBUS beyond it, SIGSEGV"
                    + " after munmap",
            List.of(MmapExample.module()), List.of(
                    "insmod mmap_kernel.ko",
                    "./mmap_user",
                    "dmesg -c",
                    "./mmap_notify",
                    "dmesg -c",
                    "./mmap_beyond",
                    "echo $?",
                    "./mmap_unmapped",
                    "echo $?",
                    "dmesg",
                    "rmmod mmap_kernel",
                    "lsmod"),
            MmapExample::machine);

    /** Every transcript demo, in the order `kctx demo --list` shows them. */
    public static List<TranscriptDemo> all() {
        return List.of(CHARDEV, CDEV_WAIT, PARAMS, IOCTL, SYSCALL, PROCFS, SYSFS, DEBUGFS, CONFIGFS, SYSCTL, GENETLINK, NETLINK, UDP, SIGNAL, UPCALL, MMAP);
    }
}
