package dev.kctx.mechanisms.udp;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.udp.UdpProtocol.Datagram;
import dev.kctx.mechanisms.udp.UdpProtocol.Failed;
import dev.kctx.mechanisms.udp.UdpProtocol.Opened;
import dev.kctx.mechanisms.udp.UdpProtocol.Reply;
import dev.kctx.mechanisms.udp.UdpProtocol.Request;
import dev.kctx.mechanisms.udp.UdpProtocol.Sent;
import dev.kctx.mechanisms.sock.SocketCall;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.List;
import java.util.function.Function;

/**
 * The UDP calls of a user program, as system-call operations. Results are in the task's
 * {@link Regs}: ret and errno, the bytes received in {@code data}, the {@link Reply} under
 * {@link #REPLY}. Descriptors live in named variables (-1 when never set).
 */
public final class UdpUser {
    public static final String REPLY = "udp.reply";

    private UdpUser() {
    }

    public static List<Op> socket(String fdVar) {
        return call("socket", fdVar, x -> new UdpProtocol.Socket());
    }

    public static List<Op> bind(String fdVar, String addr, int port) {
        return call("bind", null, x -> new UdpProtocol.Bind(fd(Sys.regs(x), fdVar), addr, port));
    }

    /** setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value). */
    public static List<Op> setRcvbuf(String fdVar, int value) {
        return call("setsockopt", null, x -> new UdpProtocol.SetRcvbuf(fd(Sys.regs(x), fdVar), value));
    }

    /** sendto(fd, data, 0, {AF_INET, addr, port}); the bytes are made when the call runs. */
    public static List<Op> sendto(String fdVar, String addr, int port, Function<Exec, byte[]> data) {
        return call("sendto", null, x -> new UdpProtocol.SendTo(fd(Sys.regs(x), fdVar), addr, port, data.apply(x)));
    }

    /** recvfrom(fd, dontWait ? MSG_DONTWAIT : 0): the datagram is in {@link #datagram}. */
    public static List<Op> recvfrom(String fdVar, boolean dontWait) {
        return call("recvfrom", null, x -> new UdpProtocol.RecvFrom(fd(Sys.regs(x), fdVar), dontWait));
    }

    public static List<Op> close(String fdVar) {
        return call("close", null, x -> new UdpProtocol.Close(fd(Sys.regs(x), fdVar)));
    }

    public static Reply reply(Regs r) {
        return (Reply) r.vars.get(REPLY);
    }

    /** The datagram the last receive returned, or null. */
    public static Datagram datagram(Regs r) {
        return r.vars.get(REPLY) instanceof Datagram d ? d : null;
    }

    public static int fd(Regs r, String var) {
        return r.fd(var);
    }

    static List<Op> call(String syscall, String fdVar, Function<Exec, Request> request) {
        return SocketCall.call(syscall, fdVar, REPLY, request, FAMILY);
    }

    /** UDP's side of a socket call (a UDP call never answers that it must sleep: it throws WouldBlock). */
    private static final SocketCall.Family<Request, Reply> FAMILY = SocketCall.family(
            (c, request) -> Udp.get(c.kernel()).handle(c, request), Failed::new,
            rep -> rep instanceof Datagram d ? IoResult.Done.read(d.data()) : null, rep -> null);
}
