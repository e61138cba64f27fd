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

/** The genetlink, netlink and udp demos, word for word (kernel-log timestamps left out). */
class NetDemosTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static List<String> transcript(TranscriptDemo d) {
        RunResult r = Transcripts.run(testKit, d.spec(1), 1_000_000_000L);
        assertEquals(List.of(), r.reports(), "the demo " + d.name() + " reports nothing");
        return Transcripts.console(r);
    }

    @Test
    @DisplayName("genetlink: the seed's gnkernel/gnuser session: INIT, received: hello world!, kernel says, the changed message, and after rmmod received error and the NACK")
    void genetlink() {
        assertEquals(List.of(
                "# insmod gnkernel.ko",
                "# dmesg -c",
                "INIT GENERIC NETLINK EXEMPLE MODULE",
                "# ./gnuser",
                "kernel says: hello world from kernel space",
                "# dmesg -c",
                "received: hello world!",
                "# ./gnuser \"[from user] hello world!\"",
                "kernel says: hello world from kernel space",
                "# dmesg -c",
                "received: [from user] hello world!",
                "# rmmod gnkernel",
                "# ./gnuser",
                "received error",
                "error received NACK - leaving"), transcript(SeedDemos.GENETLINK), "the transcript");
    }

    @Test
    @DisplayName("netlink: unicast both ways with an ACK, two subscribers of a group, an overflow with ENOBUFS once, the counters")
    void netlink() {
        assertEquals(List.of(
                "# insmod nlexample.ko",
                "# dmesg -c",
                "nlexample: netlink family 31 created",
                "# ./nlsend hello kernel",
                "sent 32 bytes to the kernel",
                "kernel says: hello from kernel, you said: hello kernel",
                "ACK for seq 1",
                "# ./nlmcast hello subscribers",
                "subscriber a got \"hello subscribers\" (group 1)",
                "subscriber b got \"hello subscribers\" (group 1)",
                "# ./nlflood 10",
                "SO_RCVBUF is 2280",
                "recvmsg: No buffer space available",
                "kernel says: message 1 of 10",
                "kernel says: message 2 of 10",
                "kernel says: message 3 of 10",
                "received 3 of 10 messages",
                "# dmesg -c",
                "nlexample: received \"hello kernel\" from port 4243 (seq 1)",
                "nlexample: received \"multicast hello subscribers\" from port 4244 (seq 1)",
                "nlexample: multicast to group 1: delivered",
                "nlexample: received \"flood 10\" from port 4245 (seq 1)",
                "nlexample: flood: 3 queued, 7 failed with EAGAIN",
                "# cat /sys/kernel/debug/kctx/net",
                "genetlink: sent 0 delivered 0 dropped 0 in-flight 0",
                "netlink: sent 17 delivered 10 dropped 7 (ENOBUFS 7) in-flight 0 errors (EAGAIN 8, ENOBUFS 1)",
                "  netlink 31 port 0 kernel: sent 14 delivered 3 dropped 0 queued 0 errors (EAGAIN 7)",
                "  netlink 31 port 4243 pid 4243 (closed): sent 1 delivered 2 dropped 0 queued 0",
                "  netlink 31 port 4244 pid 4244 (closed): sent 1 delivered 1 dropped 0 queued 0",
                "  netlink 31 port 3021237040 pid 4244 (closed): sent 0 delivered 1 dropped 0 queued 0",
                "  netlink 31 port 4245 pid 4245 (closed): sent 1 delivered 3 dropped 7 (ENOBUFS 7) queued 0 errors (EAGAIN 1, ENOBUFS 1)",
                "# rmmod nlexample"), transcript(SeedDemos.NETLINK), "the transcript");
    }

    @Test
    @DisplayName("udp: a kernel thread's socket answers a process; a sink with a 2280-byte buffer gets 3 of 20 datagrams, the other 17 dropped silently and counted")
    void udp() {
        assertEquals(List.of(
                "# insmod kudp.ko",
                "# dmesg -c",
                "kudp: socket bound to 127.0.0.1:5555",
                "# ./udpecho hello",
                "sent 5 bytes to 127.0.0.1:5555",
                "received 'kernel got: hello' from 127.0.0.1:5555",
                "# ./udpsink 20",
                "SO_RCVBUF is 2280",
                "received 'datagram 1 of 20' from 127.0.0.1:5555",
                "received 'datagram 2 of 20' from 127.0.0.1:5555",
                "received 'datagram 3 of 20' from 127.0.0.1:5555",
                "received 3 of 20 datagrams",
                "# dmesg -c",
                "kudp: thread started",
                "kudp: received 'hello' from 127.0.0.1:53404",
                "kudp: received 'flood 20' from 127.0.0.1:6000",
                "kudp: sent 20 datagrams to 127.0.0.1:6000",
                "# cat /sys/kernel/debug/kctx/net",
                "udp: sent 23 delivered 6 dropped 17 (ENOMEM 17) in-flight 0 errors (EAGAIN 1)",
                "  udp 127.0.0.1:5555 (kudp) kernel: sent 21 delivered 2 dropped 0 queued 0",
                "  udp 0.0.0.0:53404 pid 4243 (closed): sent 1 delivered 1 dropped 0 queued 0",
                "  udp 127.0.0.1:6000 pid 4244 (closed): sent 1 delivered 3 dropped 17 (ENOMEM 17) queued 0 errors (EAGAIN 1)"),
                transcript(SeedDemos.UDP), "the transcript");
    }

    @Test
    @DisplayName("the demos are registered for kctx demo, after chardev")
    void registered() {
        List<String> names = SeedDemos.all().stream().map(TranscriptDemo::name).toList();
        assertEquals("chardev", names.get(0), "chardev first");
        assertTrue(names.containsAll(List.of("genetlink", "netlink", "udp")), "SeedDemos.all() has the socket demos: " + names);
    }
}
