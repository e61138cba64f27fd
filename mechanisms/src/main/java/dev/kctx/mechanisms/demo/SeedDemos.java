package dev.kctx.mechanisms.demo;

import dev.kctx.mechanisms.chardev.CdevExample;

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

    /** Every transcript demo, in the order `kctx demo --list` shows them. */
    public static List<TranscriptDemo> all() {
        return List.of(CHARDEV);
    }
}
