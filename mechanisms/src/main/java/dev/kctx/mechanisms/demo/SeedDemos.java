package dev.kctx.mechanisms.demo;

import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.signal.SignalExample;
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
            "the seed's signal_kernel: a pid written to debugfs, realtime signal 44 with value 1234; standard signals merge, realtime ones queue",
            List.of(SignalExample.module()), List.of(
                    "insmod signal_kernel.ko",
                    "./signal_user",
                    "dmesg -c",
                    "./signal_burst",
                    "dmesg -c",
                    "setuid 1000",
                    "./signal_user"),
            m -> m.boot(Executables.class, () -> new Executables(SignalExample.programs())));

    /** Every transcript demo, in the order `kctx demo --list` shows them. */
    public static List<TranscriptDemo> all() {
        return List.of(CHARDEV, SIGNAL);
    }
}
