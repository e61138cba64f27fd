package dev.kctx.mechanisms.demo;

import dev.kctx.mechanisms.chardev.CdevExample;
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
        return List.of(CHARDEV, SIGNAL, UPCALL, MMAP);
    }
}
