package dev.kctx.mechanisms.demo;

import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.genetlink.GnExample;
import dev.kctx.mechanisms.netlink.NlExample;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.udp.UdpExample;
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
            b -> b.boot(Executables.class, () -> new Executables(GnExample.programs())));

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
            b -> b.boot(Executables.class, () -> new Executables(NlExample.programs())));

    public static final TranscriptDemo UDP = new TranscriptDemo("udp",
            "a kernel thread's UDP socket on loopback answering a user process; a full receiver drops silently, counted",
            List.of(UdpExample.module()), List.of(
                    "insmod kudp.ko",
                    "dmesg -c",
                    "./udpecho hello",
                    "./udpsink 20",
                    "dmesg -c",
                    "cat " + NetCounters.PATH),
            b -> b.boot(Executables.class, () -> new Executables(UdpExample.programs()))
                    .kthread(UdpExample.NAME, 0, 0, UdpExample.thread()));

    /** Every transcript demo, in the order `kctx demo --list` shows them. */
    public static List<TranscriptDemo> all() {
        return List.of(CHARDEV, GENETLINK, NETLINK, UDP);
    }
}
