package dev.kctx.mechanisms.udp;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.sock.SocketCall;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;

import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * A kernel thread's calls on a kernel UDP socket (found by the name its module gave it), as
 * operations. Results go to the thread's {@link Regs} like a process's: ret, errno and the reply
 * under {@link UdpUser#REPLY}. They may sleep, so they belong in process context.
 */
public final class UdpOps {
    private UdpOps() {
    }

    /** kernel_recvmsg(sock, ..., flags): sleeps (S) until a datagram arrives unless {@code nonblock}. */
    public record Recvmsg(String sock, boolean nonblock) implements Op {
        public Outcome execute(Exec x) {
            Udp udp = Udp.get(x.kernel());
            Regs r = Sys.regs(x);
            Udp.Sock s = udp.kernelSocket(sock);
            long[] cost = {0};
            try {
                if (s == null) {
                    throw new KernelError(dev.kctx.mechanisms.Errno.EBADF);
                }
                UdpProtocol.Datagram d = udp.kernelRecvmsg(x, s, nonblock, ns -> cost[0] += ns);
                r.ret = d.data().length;
                r.errno = null;
                r.data = d.data();
                r.vars.put(UdpUser.REPLY, d);
            } catch (KernelError e) {
                r.ret = e.errno().negative();
                r.errno = e.errno();
                r.data = new byte[0];
                r.vars.put(UdpUser.REPLY, new UdpProtocol.Failed("kernel_recvmsg", e.errno()));
            } catch (SocketCall.WouldBlock w) {
                x.kernel().waitQueue(w.queue).addWaiter(x.waitHandle());
                x.check(KernelCall.SCHEDULE, this);
                return new Outcome.Block(w.queue, 'S');
            }
            return cost[0] > 0 ? new Outcome.Busy(cost[0]) : Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "kernel_recvmsg(" + sock + (nonblock ? ", MSG_DONTWAIT)" : ")");
        }
    }

    /** kernel_sendmsg(sock, {127.0.0.1, port}, data): port and bytes made when it runs (a reply to the last sender, say). */
    public record Sendmsg(String sock, String addr, ToIntFunction<Exec> port, Function<Exec, byte[]> data) implements Op {
        public Outcome execute(Exec x) {
            Udp udp = Udp.get(x.kernel());
            Regs r = Sys.regs(x);
            Udp.Sock s = udp.kernelSocket(sock);
            long[] cost = {0};
            int rc = s == null ? dev.kctx.mechanisms.Errno.EBADF.negative()
                    : udp.kernelSendmsg(x, s, addr, port.applyAsInt(x), data.apply(x), ns -> cost[0] += ns);
            r.ret = rc;
            r.errno = rc < 0 ? dev.kctx.mechanisms.Errno.byNumber(rc) : null;
            return cost[0] > 0 ? new Outcome.Busy(cost[0]) : Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "kernel_sendmsg(" + sock + ", " + addr + ")";
        }
    }
}
