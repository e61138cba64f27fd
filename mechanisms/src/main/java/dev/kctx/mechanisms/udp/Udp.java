package dev.kctx.mechanisms.udp;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.sock.Counters;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.sock.SockMem;
import dev.kctx.mechanisms.sock.SocketCall.WouldBlock;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import dev.kctx.mechanisms.sock.Sockets;
import dev.kctx.mechanisms.udp.UdpProtocol.Datagram;
import dev.kctx.mechanisms.vfs.FileCtx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The machine's UDP on loopback (net/ipv4/udp.c): ports, sockets, receive queues, counters.
 * Delivery happens inside the sender's call: on loopback the datagram goes through the NET_RX
 * backlog that the sender's own local_bh_enable runs before sendto returns, so this is what Linux
 * does, minus the soft IRQ frame. A datagram to a port nobody holds is dropped (the ICMP port
 * unreachable it causes is not reported to an unconnected sender); one arriving while the
 * receiver's queue is over SO_RCVBUF is dropped too (__udp_enqueue_schedule_skb: RcvbufErrors,
 * sk_drops). Neither side hears of it; the counters do.
 */
public final class Udp {
    public static final String LOOPBACK = "127.0.0.1";
    public static final String ANY = "0.0.0.0";
    /** net.ipv4.ip_local_port_range. */
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
    /** 65535 minus the IP and UDP headers. */
    public static final int MAX_PAYLOAD = 65507;
    /** Bytes a loopback UDP skb carries besides the payload: UDP, IP and Ethernet headers and NET_IP_ALIGN. */
    static final int HEADERS = 8 + 20 + 14 + 2;
    /** Virtual time of one send (the whole loopback path) and of taking one datagram off a queue. */
    public static final long SEND_NS = 1_000;
    public static final long RECV_NS = 300;

    /** A UDP socket, a user's or a kernel one (sock_create_kern). */
    public static final class Sock {
        final long id;
        final int owner;
        final String kernelName;
        String addr = ANY;
        int port;
        int rcvbuf = SockMem.RMEM_DEFAULT;
        int rmem;
        long drops;
        boolean open = true;
        final ArrayDeque<Dgram> queue = new ArrayDeque<>();
        final Counters counters = new Counters();

        Sock(long id, int owner, String kernelName) {
            this.id = id;
            this.owner = owner;
            this.kernelName = kernelName;
        }

        public int port() {
            return port;
        }

        public int rcvbuf() {
            return rcvbuf;
        }

        public int queued() {
            return queue.size();
        }

        /** sk_drops. */
        public long drops() {
            return drops;
        }

        String rxQueue() {
            return "udp:" + id + ":rx";
        }

        String name() {
            String where = port == 0 ? "unbound" : addr + ":" + port;
            return "udp " + where + (kernelName == null ? "" : " (" + kernelName + ")");
        }

        SocketSnapshot snapshot() {
            return new SocketSnapshot(name(), owner, open, counters.sentCount(), counters.deliveredCount(),
                    counters.droppedByErrno(), queue.size(), counters.errorsByErrno());
        }
    }

    /** A queued datagram with its truesize. */
    record Dgram(Datagram datagram, int truesize) {
    }

    private static final Cred ROOT = new Cred();

    private final TreeMap<Integer, Sock> ports = new TreeMap<>();
    private final List<Sock> sockets = new ArrayList<>();
    private final TreeMap<String, Sock> kernelSockets = new TreeMap<>();
    private final Counters counters = new Counters();
    private long nextId = 1;

    /** The machine's UDP, created on first use; its counters are registered with {@link NetCounters}. */
    public static Udp get(KernelObjects k) {
        Udp u = k.extension(Udp.class, Udp::new);
        NetCounters.get(k).register("udp", u::snapshot);
        return u;
    }

    // ---- the kernel side ----

    /**
     * sock_create_kern(&init_net, AF_INET, SOCK_DGRAM, IPPROTO_UDP) by module {@code m}; kctx names it
     * so kernel programs can find it. Released (sock_release) when the module unloads.
     */
    public Sock sockCreateKern(ModuleCtx m, String name) {
        if (kernelSockets.containsKey(name) && kernelSockets.get(name).open) {
            throw new IllegalArgumentException("a kernel UDP socket named " + name + " exists");
        }
        Sock s = new Sock(nextId++, 0, name);
        sockets.add(s);
        kernelSockets.put(name, s);
        if (m != null) {
            m.onUnload(() -> sockRelease(s));
        }
        return s;
    }

    /** The open kernel socket named {@code name}, or null. */
    public Sock kernelSocket(String name) {
        Sock s = kernelSockets.get(name);
        return s != null && s.open ? s : null;
    }

    /**
     * sock_release from a module's exit (or any call with a context): the port is free, queued
     * datagrams are dropped, and a kernel thread blocked in kernel_recvmsg on it wakes to fail.
     */
    public void sockRelease(Exec x, Sock s) {
        sockRelease(s);
        flushWakes(x);
    }

    /** sock_release at module unload, with no context to wake from: wake-ups wait for the next UDP call. */
    public void sockRelease(Sock s) {
        if (!s.open) {
            return;
        }
        s.open = false;
        if (s.port != 0) {
            ports.remove(s.port, s);
        }
        for (Dgram ignored : s.queue) {
            drop(s, Errno.ECONNREFUSED);
        }
        s.queue.clear();
        s.rmem = 0;
        pendingWakes.add(s.rxQueue());
    }

    /** Wake-ups owed by a release that ran without a context (module unload); done at the next call with one. */
    private final List<String> pendingWakes = new ArrayList<>();

    private void flushWakes(Exec x) {
        for (String q : pendingWakes) {
            wake(x, q);
        }
        pendingWakes.clear();
    }

    /** kernel_bind: as bind(2), for root. */
    public int kernelBind(Exec x, Sock s, String addr, int port) {
        return bind(x, s, ROOT, addr, port);
    }

    /** kernel_sendmsg: lock_sock may sleep, so process context only; the datagram's bytes or -errno. */
    public int kernelSendmsg(Exec x, Sock s, String addr, int port, byte[] data, LongConsumer charge) {
        Sockets.gate(x).mightSleep("net/core/sock.c", x.atomic(), x.where("kernel_sendmsg"));
        try {
            return sendto(x, s, addr, port, data, charge);
        } catch (KernelError e) {
            countError(s, e.errno());
            return e.errno().negative();
        }
    }

    /**
     * kernel_recvmsg: the oldest datagram, or null with {@code nonblock} when none is queued; throws
     * WouldBlock to sleep, KernelError(EBADF) once the socket is released.
     */
    Datagram kernelRecvmsg(Exec x, Sock s, boolean nonblock, LongConsumer charge) {
        Sockets.gate(x).mightSleep("net/core/sock.c", x.atomic(), x.where("kernel_recvmsg"));
        flushWakes(x);
        if (!s.open) {
            countError(s, Errno.EBADF);
            throw new KernelError(Errno.EBADF);
        }
        try {
            return recv(s, nonblock, charge);
        } catch (KernelError e) {
            countError(s, e.errno());
            throw e;
        }
    }

    // ---- the user side: system calls ----

    UdpProtocol.Reply handle(FileCtx c, UdpProtocol.Request r) {
        Exec x = c.exec();
        flushWakes(x);
        Sock s = null;
        try {
            if (r instanceof UdpProtocol.Socket) {
                Sock ns = new Sock(nextId++, c.pid(), null);
                sockets.add(ns);
                return new UdpProtocol.Opened(Sockets.install(c, ns, cc -> release(cc.exec(), ns)));
            }
            s = Sockets.lookup(c, fdOf(r), Sock.class);
            if (r instanceof UdpProtocol.Bind b) {
                bind(x, s, c.cred(), b.addr(), b.port());
                return new UdpProtocol.Bound(s.addr, s.port);
            } else if (r instanceof UdpProtocol.SetRcvbuf o) {
                s.rcvbuf = SockMem.rcvbuf(o.value());
                return new UdpProtocol.RcvbufSet(s.rcvbuf);
            } else if (r instanceof UdpProtocol.SendTo m) {
                c.copyFromUser(m.data());
                return new UdpProtocol.Sent(sendto(x, s, m.addr(), m.port(), m.data(), c::compute));
            } else if (r instanceof UdpProtocol.RecvFrom m) {
                Datagram d = recv(s, m.dontWait(), c::compute);
                c.copyToUser(d.data());
                return d;
            } else if (r instanceof UdpProtocol.Close cl) {
                dev.kctx.mechanisms.vfs.FileSyscalls.close(c, cl.fd());
                return new UdpProtocol.Closed();
            }
            throw new IllegalStateException("unknown request " + r);
        } catch (KernelError e) {
            if (s != null) {
                countError(s, e.errno());
            } else {
                counters.error(e.errno());
            }
            throw e;
        }
    }

    private static int fdOf(UdpProtocol.Request r) {
        if (r instanceof UdpProtocol.Bind b) {
            return b.fd();
        } else if (r instanceof UdpProtocol.SetRcvbuf o) {
            return o.fd();
        } else if (r instanceof UdpProtocol.SendTo m) {
            return m.fd();
        } else if (r instanceof UdpProtocol.RecvFrom m) {
            return m.fd();
        } else if (r instanceof UdpProtocol.Close cl) {
            return cl.fd();
        }
        throw new IllegalStateException("no descriptor in " + r);
    }

    /** inet_bind: EINVAL when already bound, EACCES for a port below 1024 without root, EADDRINUSE when taken. */
    private int bind(Exec x, Sock s, Cred cred, String addr, int port) {
        checkAddr(addr, true);
        if (s.port != 0) {
            throw new KernelError(Errno.EINVAL);
        }
        if (port < 0 || port > 65535) {
            throw new KernelError(Errno.EINVAL);
        }
        if (port != 0 && port < 1024 && !cred.root()) {
            throw new KernelError(Errno.EACCES);
        }
        if (port == 0) {
            port = ephemeral(x);
        } else if (ports.containsKey(port)) {
            throw new KernelError(Errno.EADDRINUSE);
        }
        s.addr = addr;
        s.port = port;
        ports.put(port, s);
        return port;
    }

    /** udp_lib_get_port with port 0: a random free port of the local range (the run's seeded generator). */
    private int ephemeral(Exec x) {
        int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int start = x.random().nextInt(span);
        for (int i = 0; i < span; i++) {
            int p = EPHEMERAL_LOW + (start + i) % span;
            if (!ports.containsKey(p)) {
                return p;
            }
        }
        throw new KernelError(Errno.EADDRINUSE);
    }

    private static void checkAddr(String addr, boolean bind) {
        if (!addr.startsWith("127.") && !(bind && addr.equals(ANY))) {
            // Only loopback is modelled; anything else would need a network.
            throw new KernelError(Errno.EINVAL, "kctx models loopback only: " + addr);
        }
    }

    /** udp_sendmsg on loopback: binds an unbound sender, then delivers or drops at once. */
    private int sendto(Exec x, Sock s, String addr, int port, byte[] data, LongConsumer charge) {
        checkAddr(addr, false);
        if (port < 1 || port > 65535) {
            throw new KernelError(Errno.EINVAL);
        }
        if (data.length > MAX_PAYLOAD) {
            throw new KernelError(Errno.EMSGSIZE);
        }
        if (s.port == 0) {
            bind(x, s, ROOT, ANY, 0);
        }
        charge.accept(SEND_NS);
        counters.sent();
        s.counters.sent();
        Sock dst = ports.get(port);
        if (dst == null || !dst.open) {
            // UDP_MIB_NOPORTS; the ICMP port unreachable is ignored by an unconnected sender.
            counters.dropped(Errno.ECONNREFUSED);
            return data.length;
        }
        if (dst.rmem > dst.rcvbuf) {
            // UDP_MIB_RCVBUFERRORS: __udp_enqueue_schedule_skb returns -ENOMEM, nobody is told.
            dst.drops++;
            drop(dst, Errno.ENOMEM);
            return data.length;
        }
        int truesize = SockMem.truesize(data.length + HEADERS);
        dst.queue.add(new Dgram(new Datagram(LOOPBACK, s.port, data), truesize));
        dst.rmem += truesize;
        wake(x, dst.rxQueue());
        return data.length;
    }

    private Datagram recv(Sock s, boolean nonblock, LongConsumer charge) {
        Dgram d = s.queue.poll();
        if (d == null) {
            if (nonblock) {
                throw new KernelError(Errno.EAGAIN);
            }
            throw new WouldBlock(s.rxQueue());
        }
        s.rmem -= d.truesize();
        counters.delivered();
        s.counters.delivered();
        charge.accept(RECV_NS);
        return d.datagram();
    }

    /** udp_destroy_sock: the port is free; what was queued is dropped. */
    void release(Exec x, Sock s) {
        sockRelease(s);
        flushWakes(x);
    }

    private void drop(Sock to, Errno why) {
        counters.dropped(why);
        to.counters.dropped(why);
    }

    private void countError(Sock s, Errno e) {
        s.counters.error(e);
        counters.error(e);
    }

    private static void wake(Exec x, String queue) {
        for (WaitHandle h : x.kernel().waitQueue(queue).signal()) {
            x.wake(h);
        }
    }

    /** The port's socket, or null. */
    public Sock lookup(int port) {
        Sock s = ports.get(port);
        return s != null && s.open ? s : null;
    }

    public MechanismSnapshot snapshot() {
        long inFlight = 0;
        List<SocketSnapshot> socks = new ArrayList<>();
        for (Sock s : sockets) {
            inFlight += s.queue.size();
            socks.add(s.snapshot());
        }
        return new MechanismSnapshot("udp", counters.sentCount(), counters.deliveredCount(), counters.droppedByErrno(),
                inFlight, counters.errorsByErrno(), socks);
    }
}
