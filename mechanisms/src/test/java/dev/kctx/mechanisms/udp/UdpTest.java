package dev.kctx.mechanisms.udp;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.ReportKind;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.NetMachine;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import dev.kctx.mechanisms.shell.Shell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static dev.kctx.mechanisms.Progs.openFile;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.setuid;
import static dev.kctx.mechanisms.Progs.showUdp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loopback UDP between processes and a kernel thread: delivery, silent drops and their counters, every error. */
class UdpTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<Op> sleep(long ns) {
        return List.of(new Ops.SysEnter("nanosleep"), new Ops.Nanosleep(ns), new Ops.SysExit("nanosleep", 0));
    }

    @Test
    @DisplayName("two processes exchange datagrams; an unbound sender gets an ephemeral port; a blocking recvfrom sleeps until data comes")
    void processToProcess() {
        NetMachine m = new NetMachine();
        RunResult r = m.run(testKit, m.builder(List.of(), Map.of())
                .process("server", 0, 0, program(
                        UdpUser.socket("s"), UdpUser.bind("s", Udp.LOOPBACK, 7000), showUdp("bind"),
                        UdpUser.recvfrom("s", false), showUdp("server got"),
                        UdpUser.sendto("s", Udp.LOOPBACK, 7001, x -> b("pong")), showUdp("server sent")), 4500)
                .process("client", 0, us(100), program(
                        UdpUser.socket("c"), UdpUser.bind("c", Udp.ANY, 7001), showUdp("bind"),
                        UdpUser.sendto("c", Udp.LOOPBACK, 7000, x -> b("ping")), showUdp("client sent"),
                        UdpUser.recvfrom("c", false), showUdp("client got"),
                        UdpUser.socket("e"), UdpUser.sendto("e", Udp.LOOPBACK, 7000, x -> b("x")), showUdp("unbound sender"),
                        UdpUser.bind("e", Udp.LOOPBACK, 7002), showUdp("bind after autobind")), 4501)
                .build(), ms(20));
        List<String> c = Transcripts.console(r);
        assertEquals(List.of(
                "bind: bound 127.0.0.1:7000",
                "bind: bound 0.0.0.0:7001",
                "client sent: sent 4",
                "server got: 'ping' from 127.0.0.1:7001",
                "server sent: sent 4",
                "client got: 'pong' from 127.0.0.1:7000",
                "unbound sender: sent 1",
                "bind after autobind: EINVAL"), c, "the exchange");
        int port = m.udp().snapshot().sockets().stream().filter(s -> s.owner() == 4501 && s.sent() == 1 && !s.name().contains("7001"))
                .findFirst().map(s -> Integer.parseInt(s.name().substring(s.name().lastIndexOf(':') + 1))).orElseThrow();
        assertTrue(port >= Udp.EPHEMERAL_LOW && port <= Udp.EPHEMERAL_HIGH, "an ephemeral port: " + port);
    }

    @Test
    @DisplayName("no errors for lost datagrams: to an unbound port, or into a full buffer (SO_RCVBUF 1 gives 2280, three small datagrams fit); both counted, the receiver's sk_drops too")
    void silentDrops() {
        NetMachine m = new NetMachine();
        List<Op> sends = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            int n = i;
            sends.addAll(UdpUser.sendto("c", Udp.LOOPBACK, 7000, x -> b("d" + n)));
            sends.add(showUdp("send d" + i));
        }
        List<Op> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.addAll(UdpUser.recvfrom("s", true));
            reads.add(showUdp("recv"));
        }
        RunResult r = m.run(testKit, m.builder(List.of(), Map.of()).process("p", 0, 0, program(
                UdpUser.socket("s"), UdpUser.bind("s", Udp.LOOPBACK, 7000),
                UdpUser.setRcvbuf("s", 1), showUdp("setsockopt"),
                UdpUser.socket("c"), UdpUser.sendto("c", Udp.LOOPBACK, 9999, x -> b("nobody")), showUdp("send to 9999"),
                sends, reads, dev.kctx.mechanisms.Progs.alive()), 4500).build(), ms(20));
        assertEquals(List.of(
                "setsockopt: SO_RCVBUF 2280",
                "send to 9999: sent 6",
                "send d1: sent 2", "send d2: sent 2", "send d3: sent 2", "send d4: sent 2", "send d5: sent 2", "send d6: sent 2",
                "recv: 'd1' from 127.0.0.1:" + senderPort(m),
                "recv: 'd2' from 127.0.0.1:" + senderPort(m),
                "recv: 'd3' from 127.0.0.1:" + senderPort(m),
                "recv: EAGAIN"), Transcripts.console(r), "the sender never hears of the drops");
        MechanismSnapshot s = m.udp().snapshot();
        assertEquals(Map.of(Errno.ECONNREFUSED, 1L, Errno.ENOMEM, 3L), s.dropped(), "one to no port, three over the buffer: " + s.line());
        assertEquals(7, s.sent(), "seven sent");
        assertEquals(3, s.delivered(), "three read");
        assertEquals(3, m.udp().lookup(7000).drops(), "sk_drops of the receiver");
        assertEquals(Map.of(Errno.EAGAIN, 1L), s.errors(), "the only error anyone saw: the reader's EAGAIN");
    }

    static int senderPort(NetMachine m) {
        for (SocketSnapshot s : m.udp().snapshot().sockets()) {
            if (s.sent() == 7) {
                return Integer.parseInt(s.name().substring(s.name().lastIndexOf(':') + 1));
            }
        }
        throw new AssertionError("no sender");
    }

    @Test
    @DisplayName("bind errors: EADDRINUSE, EACCES below 1024 without root, EINVAL when bound; ENOTSOCK, EBADF, EMSGSIZE; only loopback exists")
    void errors() {
        NetMachine m = new NetMachine();
        RunResult r = m.run(testKit, m.builder(List.of(), Map.of()).process("p", 0, 0, program(
                UdpUser.socket("a"), UdpUser.bind("a", Udp.LOOPBACK, 7000), showUdp("bind a 7000"),
                UdpUser.socket("b"), UdpUser.bind("b", Udp.LOOPBACK, 7000), showUdp("bind b 7000"),
                UdpUser.bind("a", Udp.LOOPBACK, 7001), showUdp("bind a again"),
                UdpUser.bind("b", Udp.LOOPBACK, 80), showUdp("root binds 80"),
                UdpUser.sendto("b", Udp.LOOPBACK, 7000, x -> new byte[Udp.MAX_PAYLOAD + 1]), showUdp("send 65508 bytes"),
                UdpUser.sendto("b", "10.0.0.1", 7000, x -> b("x")), showUdp("send to 10.0.0.1"),
                UdpUser.recvfrom("a", true), showUdp("recv MSG_DONTWAIT"),
                openFile("f", "/tmp/f"), UdpUser.recvfrom("f", true), showUdp("recv on a file"),
                UdpUser.close("b"), UdpUser.recvfrom("b", true), showUdp("recv on closed b"),
                setuid(1000),
                UdpUser.socket("c"), UdpUser.bind("c", Udp.LOOPBACK, 81), showUdp("uid 1000 binds 81"),
                UdpUser.bind("c", Udp.LOOPBACK, 8000), showUdp("uid 1000 binds 8000")), 4500).build(), ms(20));
        assertEquals(List.of(
                "bind a 7000: bound 127.0.0.1:7000",
                "bind b 7000: EADDRINUSE",
                "bind a again: EINVAL",
                "root binds 80: bound 127.0.0.1:80",
                "send 65508 bytes: EMSGSIZE",
                "send to 10.0.0.1: EINVAL",
                "recv MSG_DONTWAIT: EAGAIN",
                "recv on a file: ENOTSOCK",
                "recv on closed b: EBADF",
                "uid 1000 binds 81: EACCES",
                "uid 1000 binds 8000: bound 127.0.0.1:8000"), Transcripts.console(r), "the session");
    }

    static ModuleDef kmod() {
        return UdpExample.module();
    }

    @Test
    @DisplayName("a kernel thread's socket (sock_create_kern) answers a process on loopback from process context; rmmod releases it and the thread, blocked in kernel_recvmsg, wakes and ends")
    void kernelThread() {
        NetMachine m = new NetMachine();
        RunResult r = m.run(testKit, m.builder(List.of(kmod()), UdpExample.programs())
                .kthread(UdpExample.NAME, 0, 0, UdpExample.thread())
                .process("sh", 0, 0, program(List.of(Shell.command("insmod kudp.ko"), Shell.command("./udpecho hi"),
                        Shell.command("rmmod kudp"), Shell.command("./udpecho again"))), 4242)
                .build(), ms(50));
        List<String> c = Transcripts.console(r);
        assertEquals(List.of("# insmod kudp.ko", "# ./udpecho hi", "sent 2 bytes to 127.0.0.1:5555",
                "received 'kernel got: hi' from 127.0.0.1:5555", "# rmmod kudp", "# ./udpecho again",
                "sent 5 bytes to 127.0.0.1:5555"), c, "after rmmod the datagram goes nowhere and recvfrom waits forever");
        assertTrue(r.dmesg().stream().anyMatch(l -> l.endsWith("kudp: kernel_recvmsg: -9, thread exits")),
                "the thread saw EBADF and ended: " + r.dmesg());
        assertTrue(r.trace().stream().anyMatch(t -> t.event().equals("sched_process_exit") && t.args().contains("comm=kudp")),
                "the kernel thread exited");
        assertEquals(List.of(), r.reports(), "all in process context");
        assertEquals(1L, m.udp().snapshot().dropped().get(Errno.ECONNREFUSED), "the second datagram had no port");
    }

    @Test
    @DisplayName("kernel_sendmsg under a spin lock is sleep-in-atomic (lock_sock may sleep, net/core/sock.c)")
    void kernelSendInAtomic() {
        NetMachine m = new NetMachine();
        Program t = Program.builder().waitEvent("kudp:start").spinLock("L")
                .op(new UdpOps.Sendmsg(UdpExample.NAME, Udp.LOOPBACK, x -> 9, x -> b("x"))).spinUnlock("L").build();
        RunResult r = m.run(testKit, m.builder(List.of(kmod()), Map.of())
                .kthread("sender", 0, 0, t)
                .process("sh", 0, 0, program(List.of(Shell.command("insmod kudp.ko"))), 4242).build(), ms(20));
        assertEquals(1, r.reports().size(), "one report: " + r.reports());
        assertEquals(ReportKind.SLEEP_IN_ATOMIC, r.reports().get(0).kind(), "might_sleep fired");
        assertEquals("BUG: sleeping function called from invalid context at net/core/sock.c", r.reports().get(0).title(), "the title");
        assertEquals(List.of("L (spin_lock)"), r.reports().get(0).locksHeld(), "the lock is listed");
    }

    @Test
    @DisplayName("the sink: 20 datagrams from the kernel thread into a 2280-byte buffer while the reader sleeps; 3 arrive, 17 are dropped without a word to either side")
    void sinkOverflow() {
        NetMachine m = new NetMachine();
        RunResult r = m.run(testKit, m.builder(List.of(kmod()), UdpExample.programs())
                .kthread(UdpExample.NAME, 0, 0, UdpExample.thread())
                .process("sh", 0, 0, program(List.of(Shell.command("insmod kudp.ko"), Shell.command("./udpsink 20"))), 4242)
                .build(), ms(50));
        List<String> c = Transcripts.console(r);
        assertEquals("received 3 of 20 datagrams", c.get(c.size() - 1), "the reader's view: " + c);
        MechanismSnapshot s = m.udp().snapshot();
        assertEquals(Map.of(Errno.ENOMEM, 17L), s.dropped(), "17 over the buffer");
        SocketSnapshot kernel = s.sockets().stream().filter(x -> x.owner() == 0).findFirst().orElseThrow();
        assertEquals(Map.of(), kernel.errors(), "the kernel thread's sends all succeeded");
        assertEquals(20, kernel.sent(), "it sent 20");
        assertEquals(List.of(), r.reports(), "no report");
    }
}
