package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.chardev.CdevExample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChardevTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("the seed's transcript: insmod logs major 248 and the mknod hint, echo then cat round-trips, after rmmod both fail with ENXIO")
    void seedTranscript() {
        RunResult r = Transcripts.run(testKit, List.of(CdevExample.module()), List.of(
                "insmod cdev_example.ko",
                "dmesg",
                "mknod /dev/cdev_example c 248 0",
                "echo \"hello kernel\" > /dev/cdev_example",
                "cat /dev/cdev_example",
                "rmmod cdev_example",
                "cat /dev/cdev_example",
                "echo \"hello kernel\" > /dev/cdev_example"));
        assertEquals(List.of(
                "# insmod cdev_example.ko",
                "# dmesg",
                "cdev example: assigned major: 248",
                "create node with mknod /dev/cdev_example c 248 0",
                "# mknod /dev/cdev_example c 248 0",
                "# echo \"hello kernel\" > /dev/cdev_example",
                "# cat /dev/cdev_example",
                "hello kernel",
                "# rmmod cdev_example",
                "# cat /dev/cdev_example",
                "cat: /dev/cdev_example: No such device or address",
                "# echo \"hello kernel\" > /dev/cdev_example",
                "sh: /dev/cdev_example: No such device or address"), Transcripts.console(r), "the transcript");
    }
}
