package dev.kctx.mechanisms.demo;

import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.configfs.ConfigfsExample;
import dev.kctx.mechanisms.debugfs.DebugfsExample;
import dev.kctx.mechanisms.procfs.ProcfsExample;
import dev.kctx.mechanisms.sysfs.SysfsExample;

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

    /** Every transcript demo, in the order `kctx demo --list` shows them. */
    public static List<TranscriptDemo> all() {
        return List.of(CHARDEV, PROCFS, SYSFS, DEBUGFS, CONFIGFS);
    }
}
