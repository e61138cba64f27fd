package dev.kctx.mechanisms.udp;

import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.udp.UdpProtocol.Datagram;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A kernel UDP service on loopback: module {@code kudp} creates a kernel socket bound to
 * 127.0.0.1:5555 and starts kernel thread {@code kudp}, which receives in process context and
 * answers each datagram with {@code kernel got: TEXT}, or to {@code flood N} with N datagrams back to
 * back. Programs: {@code udpecho TEXT} (one exchange) and {@code udpsink N} (a receiver with a
 * 2280-byte buffer that asks for N datagrams while it sleeps: most are dropped, silently).
 */
public final class UdpExample {
    public static final String NAME = "kudp";
    public static final int PORT = 5555;
    public static final int SINK_PORT = 6000;
    /** The wait queue the kernel thread sleeps on until the module has its socket ready (kthread_run). */
    static final String START = "kudp:start";

    private UdpExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), UdpExample::init, UdpExample::exit);
    }

    private static int init(ModuleCtx m) {
        Udp udp = Udp.get(m.ctx().kernel());
        Udp.Sock s = udp.sockCreateKern(m, NAME);
        int rc = udp.kernelBind(m.exec(), s, Udp.LOOPBACK, PORT);
        if (rc < 0) {
            m.printk(NAME + ": kernel_bind failed: " + rc);
            return rc;
        }
        m.globals().put("sock", s);
        m.printk(NAME + ": socket bound to " + Udp.LOOPBACK + ":" + PORT);
        m.ctx().wakeUp(START);
        return 0;
    }

    private static void exit(ModuleCtx m) {
        Udp.get(m.ctx().kernel()).sockRelease(m.exec(), (Udp.Sock) m.globals().get("sock"));
        m.printk(NAME + ": socket released");
    }

    /** The kernel thread: waits for the module, then serves datagrams until its socket is released. */
    public static Program thread() {
        return Program.builder().waitEvent(START).printk(NAME + ": thread started")
                .loop(-1, b -> b.op(new UdpOps.Recvmsg(NAME, false)).op(Sys.user(NAME, UdpExample::serve))).build();
    }

    private static List<Op> serve(dev.kctx.actors.program.Exec x) {
        Regs r = Sys.regs(x);
        if (r.failed()) {
            x.printk(NAME + ": kernel_recvmsg: " + r.errno.negative() + ", thread exits");
            return List.of(new Ops.ExitProcess(0));
        }
        Datagram d = UdpUser.datagram(r);
        String text = d.text();
        x.printk(NAME + ": received '" + text + "' from " + d.srcAddr() + ":" + d.srcPort());
        List<Op> out = new ArrayList<>();
        if (text.startsWith("flood ")) {
            int n = dev.kctx.mechanisms.user.Libc.atoi(text.substring(6));
            for (int i = 1; i <= n; i++) {
                String t = "datagram " + i + " of " + n;
                out.add(new UdpOps.Sendmsg(NAME, Udp.LOOPBACK, y -> d.srcPort(), y -> bytes(t)));
            }
            out.add(new Ops.Printk(NAME + ": sent " + n + " datagrams to " + d.srcAddr() + ":" + d.srcPort()));
        } else {
            out.add(new UdpOps.Sendmsg(NAME, Udp.LOOPBACK, y -> d.srcPort(), y -> bytes("kernel got: " + text)));
        }
        return out;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The machine's programs: {@code udpecho}, {@code udpsink}. */
    public static Map<String, Function<List<String>, List<Op>>> programs() {
        return Map.of("udpecho", UdpExample::udpecho, "udpsink", UdpExample::udpsink);
    }

    /** udpecho TEXT: one datagram to the service, one answer back. */
    public static List<Op> udpecho(List<String> args) {
        String t = String.join(" ", args);
        List<Op> ops = new ArrayList<>(UdpUser.socket("fd"));
        ops.addAll(UdpUser.sendto("fd", Udp.LOOPBACK, PORT, x -> bytes(t)));
        ops.add(Sys.act("udpecho", x -> {
            Regs r = Sys.regs(x);
            x.console(r.failed() ? "sendto: " + r.errno.text() : "sent " + r.ret + " bytes to " + Udp.LOOPBACK + ":" + PORT);
        }));
        ops.addAll(UdpUser.recvfrom("fd", false));
        ops.add(Sys.act("udpecho", UdpExample::printDatagram));
        ops.addAll(UdpUser.close("fd"));
        return ops;
    }

    /** udpsink N: bind 127.0.0.1:6000 with SO_RCVBUF 1, ask for N datagrams, sleep 1 ms, read what is there. */
    public static List<Op> udpsink(List<String> args) {
        int n = args.isEmpty() ? 0 : dev.kctx.mechanisms.user.Libc.atoi(args.get(0));
        List<Op> ops = new ArrayList<>(UdpUser.socket("fd"));
        ops.addAll(UdpUser.bind("fd", Udp.LOOPBACK, SINK_PORT));
        ops.addAll(UdpUser.setRcvbuf("fd", 1));
        ops.add(Sys.act("udpsink", x -> x.console("SO_RCVBUF is " + ((UdpProtocol.RcvbufSet) UdpUser.reply(Sys.regs(x))).value())));
        ops.addAll(UdpUser.sendto("fd", Udp.LOOPBACK, PORT, x -> bytes("flood " + n)));
        ops.add(new Ops.SysEnter("nanosleep"));
        ops.add(new Ops.Nanosleep(1_000_000L));
        ops.add(new Ops.SysExit("nanosleep", 0));
        ops.add(Sys.user("udpsink", x -> drain(0, n)));
        return ops;
    }

    private static List<Op> drain(int got, int asked) {
        List<Op> ops = new ArrayList<>(UdpUser.recvfrom("fd", true));
        ops.add(Sys.user("udpsink", x -> {
            Regs r = Sys.regs(x);
            if (r.failed() && r.errno == Errno.EAGAIN) {
                x.console("received " + got + " of " + asked + " datagrams");
                return UdpUser.close("fd");
            }
            printDatagram(x);
            return drain(r.failed() ? got : got + 1, asked);
        }));
        return ops;
    }

    private static void printDatagram(dev.kctx.actors.program.Exec x) {
        Regs r = Sys.regs(x);
        if (r.failed()) {
            x.console("recvfrom: " + r.errno.text());
            return;
        }
        Datagram d = UdpUser.datagram(r);
        x.console("received '" + d.text() + "' from " + d.srcAddr() + ":" + d.srcPort());
    }
}
