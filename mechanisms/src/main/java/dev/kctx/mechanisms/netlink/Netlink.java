package dev.kctx.mechanisms.netlink;

import dev.kctx.actors.program.Describable;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Initcalls;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Bind;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Close;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.RecvMsg;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Reply;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Request;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.SendMsg;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.SetSockOpt;
import dev.kctx.mechanisms.sock.Counters;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.sock.SockMem;
import dev.kctx.mechanisms.sock.SocketCall.WouldBlock;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import dev.kctx.mechanisms.sock.Sockets;
import dev.kctx.mechanisms.vfs.FileCtx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.LongConsumer;

/**
 * The machine's netlink (net/netlink/af_netlink.c): the table of MAX_LINKS families, their
 * sockets by port id, multicast groups, receive queues and counters. Created on first use as a
 * kernel extension ({@link #get}); touched by one context at a time.
 *
 * <p>Delivery follows af_netlink.c. A receiver whose queue holds more than its SO_RCVBUF (charged in
 * skb truesize), or that is marked congested, is full. A non-blocking send to a full receiver fails
 * with EAGAIN; when the sender is the kernel the receiver is also marked overrun: its next recvmsg
 * fails with ENOBUFS once, and it takes no more messages until its queue has been read empty. A
 * blocking send waits on the receiver until a recvmsg makes room; in atomic context (soft or hard
 * IRQ, spin lock held) it cannot wait: the model reports {@code scheduling-while-atomic} (the kernel's
 * __schedule_bug) and then treats the send as non-blocking (drop, overrun, EAGAIN) so the run goes
 * on; when such a send happens to find room it is delivered and reported as kctx's
 * {@code may-sleep-in-atomic}. Sending to a port nobody holds gives ECONNREFUSED.
 */
public final class Netlink {
    /** include/uapi/linux/netlink.h: the number of netlink families. */
    public static final int MAX_LINKS = 32;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_USERSOCK = 2;
    public static final int NETLINK_SOCK_DIAG = 4;
    public static final int NETLINK_XFRM = 6;
    public static final int NETLINK_SELINUX = 7;
    public static final int NETLINK_AUDIT = 9;
    public static final int NETLINK_FIB_LOOKUP = 10;
    public static final int NETLINK_CONNECTOR = 11;
    public static final int NETLINK_NETFILTER = 12;
    public static final int NETLINK_KOBJECT_UEVENT = 15;
    public static final int NETLINK_GENERIC = 16;
    public static final int NETLINK_SCSITRANSPORT = 18;
    public static final int NETLINK_RDMA = 20;
    public static final int NETLINK_CRYPTO = 21;

    /** netlink_kernel_cfg.flags: users without CAP_NET_ADMIN may subscribe to groups. */
    public static final int NL_CFG_F_NONROOT_RECV = 1;
    /** netlink_kernel_cfg.flags: users without CAP_NET_ADMIN may send to other ports and groups. */
    public static final int NL_CFG_F_NONROOT_SEND = 1 << 1;

    /** NLMSG_GOODSIZE on x86_64 with 4 KiB pages: what one dump datagram holds at most. */
    public static final int NLMSG_GOODSIZE = 4096 - 320;
    /** net.core.wmem_default: sendmsg refuses datagrams over sk_sndbuf - 32 with EMSGSIZE. */
    public static final int SNDBUF = 212_992;
    /** Virtual time of one delivery attempt (netlink_unicast or one netlink_broadcast), whatever its outcome. */
    public static final long SEND_NS = 500;
    /** Virtual time recvmsg spends taking one datagram off the queue. */
    public static final long RECV_NS = 300;

    /** Where a family's input function runs. */
    public enum InputMode {
        /** Inside the sender's sendmsg, in its process context (current kernels). */
        SYSCALL,
        /** In a soft IRQ that sendmsg raises and runs before returning (the seed's description). */
        SOFTIRQ
    }

    /**
     * netlink_kernel_cfg: multicast groups (at least 32 exist), NL_CFG_F_* flags, the input function
     * (null: the kernel socket accepts nothing), where it runs, and for SOFTIRQ the vector raised.
     */
    public record Config(int groups, int flags, NetlinkInput input, InputMode mode, SoftirqVector vector) {
        public static Config of(NetlinkInput input) {
            return new Config(0, 0, input, InputMode.SYSCALL, SoftirqVector.TASKLET);
        }

        public Config withGroups(int g) {
            return new Config(g, flags, input, mode, vector);
        }

        public Config withFlags(int f) {
            return new Config(groups, f, input, mode, vector);
        }

        /** The input runs in soft IRQ {@code v}: the machine needs {@link NetlinkOps#softirqInput} on that vector. */
        public Config inSoftirq(SoftirqVector v) {
            return new Config(groups, flags, input, InputMode.SOFTIRQ, v);
        }
    }

    /** One datagram in flight: its messages, the sender's port id and credentials, the group it was multicast to. */
    public record Skb(List<NlMsg> msgs, int srcPortId, int group, Cred cred, int len, int truesize) {
        public Skb {
            msgs = List.copyOf(msgs);
        }

        Skb toGroup(int g) {
            return new Skb(msgs, srcPortId, g, cred, len, truesize);
        }
    }

    /** What a kernel-side send came to. */
    public sealed interface SendResult {
        /** Queued for the receiver (or taken by a kernel input): {@code len} bytes. */
        record Sent(int len) implements SendResult {
        }

        /** Not delivered: EAGAIN (receiver full), ECONNREFUSED (no such port, or no input). */
        record Failed(Errno errno) implements SendResult {
        }

        /** A blocking sender in process context must sleep on {@code queue} and try again. */
        record MustWait(String queue) implements SendResult {
        }
    }

    /** One entry of nl_table. */
    static final class Table {
        final int unit;
        int registered;
        String module;
        int groups = 32;
        int flags;
        Sock kernel;
        final Counters counters = new Counters();
        /**
         * The bound sockets by port id: {@code nl_table[unit].hash}, the rhashtable keyed by portid that
         * net/netlink/af_netlink.c's {@code __netlink_lookup} searches (Linux 6.6); no order is kept.
         */
        final HashMap<Integer, Sock> ports = new HashMap<>();

        Table(int unit) {
            this.unit = unit;
        }
    }

    /** A dump in progress on a requester's socket (cb_running). */
    static final class Dump {
        final Sock ksock;
        final int seq;
        final Iterator<NlMsg> parts;
        NlMsg carry;

        Dump(Sock ksock, int seq, Iterator<NlMsg> parts) {
            this.ksock = ksock;
            this.seq = seq;
            this.parts = parts;
        }
    }

    /** A netlink socket: a user's (one per socket(2)) or a family's kernel socket (port id 0). */
    public static final class Sock {
        final long id;
        final int unit;
        final int owner;
        final boolean kernel;
        int portId;
        boolean bound;
        int groups;
        int rcvbuf = SockMem.RMEM_DEFAULT;
        int rmem;
        final ArrayDeque<Skb> queue = new ArrayDeque<>();
        boolean congested;
        /** NETLINK_F_BROADCAST_SEND_ERROR (setsockopt NETLINK_BROADCAST_ERROR). */
        boolean broadcastError;
        Errno skErr;
        long drops;
        boolean open = true;
        final Counters counters = new Counters();
        Dump dump;
        SendMsg pendingSend;
        String pinned;
        Config config;
        final ArrayDeque<Skb> backlog = new ArrayDeque<>();

        /** The names of its wait queues, made once: every blocking recvmsg and send names one. */
        private final String rxQueue;
        private final String txQueue;

        Sock(long id, int unit, int owner, boolean kernel) {
            this.id = id;
            this.unit = unit;
            this.owner = owner;
            this.kernel = kernel;
            this.rxQueue = "netlink:" + id + ":rx";
            this.txQueue = "netlink:" + id + ":wait";
        }

        public int unit() {
            return unit;
        }

        public int portId() {
            return portId;
        }

        public boolean kernel() {
            return kernel;
        }

        /** sk_rcvbuf. */
        public int rcvbuf() {
            return rcvbuf;
        }

        /** sk_rmem_alloc: truesize of what is queued. */
        public int rmem() {
            return rmem;
        }

        public int queued() {
            return queue.size() + backlog.size();
        }

        /** sk_drops. */
        public long drops() {
            return drops;
        }

        /** The bitmask of subscribed groups (bit g-1 for group g). */
        public int groups() {
            return groups;
        }

        String rxQueue() {
            return rxQueue;
        }

        String txQueue() {
            return txQueue;
        }

        /** The wait queues themselves, looked up by name on first use: a wake-up per message needs them. */
        private KernelObjects.WaitQueue rxWait;
        private KernelObjects.WaitQueue txWait;

        KernelObjects.WaitQueue rxWait(Exec x) {
            KernelObjects.WaitQueue q = rxWait;
            return q != null ? q : (rxWait = x.kernel().waitQueue(rxQueue));
        }

        KernelObjects.WaitQueue txWait(Exec x) {
            KernelObjects.WaitQueue q = txWait;
            return q != null ? q : (txWait = x.kernel().waitQueue(txQueue));
        }

        String name() {
            return "netlink " + unit + " port " + Integer.toUnsignedString(portId);
        }

        SocketSnapshot snapshot() {
            return new SocketSnapshot(name(), owner, open, counters.sentCount(), counters.deliveredCount(),
                    counters.droppedByErrno(), queued(), counters.errorsByErrno());
        }
    }

    /** Per-task note that a sendmsg queued a datagram for a soft-IRQ input: raise this vector before returning. */
    static final class Kick {
        SoftirqVector vector;
    }

    private static final Cred KERNEL_CRED = new Cred();

    private final Table[] tables = new Table[MAX_LINKS];
    private final List<Sock> sockets = new ArrayList<>();
    private long nextId = 1;

    public Netlink() {
        for (int u = 0; u < MAX_LINKS; u++) {
            tables[u] = new Table(u);
        }
        // The families a stock kernel registers at boot. Their input answers every request with
        // EOPNOTSUPP: kctx models the mechanism, not rtnetlink, audit or uevents.
        NetlinkInput notModelled = in -> in.rcvSkb(m -> Errno.EOPNOTSUPP.negative());
        for (int u : new int[]{NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_XFRM, NETLINK_SELINUX, NETLINK_AUDIT,
                NETLINK_FIB_LOOKUP, NETLINK_CONNECTOR, NETLINK_NETFILTER, NETLINK_KOBJECT_UEVENT,
                NETLINK_SCSITRANSPORT, NETLINK_RDMA, NETLINK_CRYPTO}) {
            create(null, u, Config.of(notModelled).withFlags(u == NETLINK_ROUTE ? NL_CFG_F_NONROOT_RECV : 0));
        }
        for (NetlinkInitcall i : Initcalls.of(NetlinkInitcall.class)) {
            create(null, i.unit(), i.config());
        }
        // netlink_add_usersock_entry: user-to-user messaging, no kernel socket.
        Table us = tables[NETLINK_USERSOCK];
        us.registered = 1;
        us.flags = NL_CFG_F_NONROOT_RECV | NL_CFG_F_NONROOT_SEND;
    }

    /** Its counters are known to {@link NetCounters}. */
    private boolean countersRegistered;

    /** The machine's netlink, created on first use; its counters are registered with {@link NetCounters}. */
    public static Netlink get(KernelObjects k) {
        Netlink n = k.extension(Netlink.class, Netlink::new);
        if (!n.countersRegistered) {
            // once: this runs on every netlink call
            n.countersRegistered = true;
            NetCounters nc = NetCounters.get(k);
            nc.register("netlink", n::netlinkSnapshot);
            nc.register("genetlink", n::genetlinkSnapshot);
        }
        return n;
    }

    /** True when family {@code unit} exists (netlink_kernel_create or a built-in registered it). */
    public boolean registered(int unit) {
        return unit >= 0 && unit < MAX_LINKS && tables[unit].registered > 0;
    }

    /** The family's kernel socket, or null. */
    public Sock kernelSocket(int unit) {
        return unit >= 0 && unit < MAX_LINKS ? tables[unit].kernel : null;
    }

    /** The socket holding {@code portId} in family {@code unit}, or null. */
    public Sock lookup(int unit, int portId) {
        Sock s = tables[unit].ports.get(portId);
        return s != null && s.open ? s : null;
    }

    // ---- the kernel side ----

    /**
     * netlink_kernel_create(&init_net, unit, cfg) by module {@code m}: the family's kernel socket at
     * port 0, or null when {@code unit} is outside 0..MAX_LINKS-1 or already has a kernel socket (as
     * the kernel returns NULL; modules then fail their init, usually with -ENOMEM). It is released
     * when the module unloads, if its exit did not release it.
     */
    public Sock kernelCreate(ModuleCtx m, int unit, Config cfg) {
        Sock k = create(m == null ? null : m.name(), unit, cfg);
        if (k != null && m != null) {
            m.onUnload(() -> kernelRelease(k));
        }
        return k;
    }

    private Sock create(String module, int unit, Config cfg) {
        if (unit < 0 || unit >= MAX_LINKS || tables[unit].kernel != null) {
            return null;
        }
        Table t = tables[unit];
        Sock k = new Sock(nextId++, unit, 0, true);
        k.config = cfg;
        k.bound = true;
        k.portId = 0;
        t.ports.put(0, k);
        sockets.add(k);
        if (t.registered == 0) {
            t.groups = 32;
            t.flags = cfg.flags();
            t.module = module;
        }
        t.registered++;
        t.kernel = k;
        return k;
    }

    /** netlink_kernel_release: the kernel socket goes; datagrams waiting for a soft-IRQ input are dropped. */
    public void kernelRelease(Sock k) {
        if (!k.open || !k.kernel) {
            return;
        }
        Table t = tables[k.unit];
        k.open = false;
        t.ports.remove(0, k);
        for (Skb ignored : k.backlog) {
            drop(t, k, Errno.ECONNREFUSED);
        }
        k.backlog.clear();
        t.kernel = null;
        if (--t.registered == 0) {
            t.module = null;
            t.flags = 0;
        }
    }

    /**
     * netlink_unicast(ssk, skb, portid, nonblock) from kernel code in whatever context {@code x} is:
     * see the class comment for full queues and blocking in atomic context. {@code op} names the call
     * site in reports. Costs go to {@code charge}.
     */
    public SendResult kernelUnicast(Exec x, Sock ssk, List<NlMsg> msgs, int portId, boolean nonblock, LongConsumer charge,
                                    Describable op) {
        x.check(nonblock ? KernelCall.NETLINK_UNICAST_NONBLOCK : KernelCall.NETLINK_UNICAST_BLOCKING, op);
        int len = NlMsg.length(msgs);
        SendResult r = unicast(x, ssk, new Skb(msgs, 0, 0, KERNEL_CRED, len, SockMem.truesize(len)), portId, nonblock,
                charge, op);
        if (r instanceof SendResult.Failed f) {
            countError(ssk, f.errno());
        }
        return r;
    }

    /**
     * netlink_broadcast(ssk, skb, portid, group, gfp): a copy to every socket of the family subscribed
     * to {@code group}, except the one holding {@code exceptPortId}; it never waits: a full receiver
     * is marked overrun (do_one_broadcast). Returns -ENOBUFS when a full receiver had set
     * NETLINK_BROADCAST_ERROR, else 0 when someone got it, -ESRCH when nobody did
     * (netlink_broadcast_filtered). With GFP_KERNEL in atomic context: may-sleep-in-atomic, or
     * scheduling-while-atomic when a receiver was congested (the kernel would yield()).
     */
    public int kernelBroadcast(Exec x, Sock ssk, List<NlMsg> msgs, int exceptPortId, int group, boolean gfpAtomic,
                               LongConsumer charge, Describable op) {
        int len = NlMsg.length(msgs);
        int r = broadcast(x, ssk, new Skb(msgs, 0, group, KERNEL_CRED, len, SockMem.truesize(len)), exceptPortId, group,
                gfpAtomic, charge, op);
        if (r < 0) {
            countError(ssk, Errno.byNumber(r));
        }
        return r;
    }

    /**
     * How full a user socket starts: datagrams the family's kernel socket had already queued for
     * {@code portId}, as netlink_unicast(nonblock) queues them (counted as sent, in flight until read).
     * Queues {@code count} of them, or with a negative count as many as fit (netlink_attachskb takes a
     * datagram while sk_rmem_alloc is not over sk_rcvbuf, so the last one may go over); it stops, without
     * dropping or marking overrun, at the first that would not fit. No context check and no virtual time:
     * this is the state the scenario declares, not a send. Returns how many were queued (0 without a
     * kernel socket or a socket at {@code portId}).
     */
    public int prefill(Exec x, int unit, int portId, int count, java.util.function.IntFunction<NlMsg> msg) {
        Sock k = kernelSocket(unit);
        Sock dst = k == null ? null : lookup(unit, portId);
        if (dst == null || dst.kernel) {
            return 0;
        }
        int n = 0;
        while ((count < 0 || n < count) && dst.rmem <= dst.rcvbuf && !dst.congested) {
            NlMsg m = msg.apply(n + 1);
            int len = NlMsg.length(List.of(m));
            unicast(x, k, new Skb(List.of(m), 0, 0, KERNEL_CRED, len, SockMem.truesize(len)), portId, true, ns -> {
            }, () -> "prefill");
            n++;
        }
        return n;
    }

    /** Runs the soft-IRQ inputs waiting for vector {@code v}; returns their cost. */
    public long runSoftirqInputs(Exec x, SoftirqVector v) {
        long[] cost = {0};
        for (Table t : tables) {
            Sock k = t.kernel;
            if (k == null || k.config.mode() != InputMode.SOFTIRQ || k.config.vector() != v) {
                continue;
            }
            while (!k.backlog.isEmpty()) {
                Skb skb = k.backlog.poll();
                delivered(t, k);
                runInput(x, k, skb, ns -> cost[0] += ns);
            }
        }
        return cost[0];
    }

    /**
     * After a sendmsg that queued for a soft-IRQ input: local_bh_disable, raise the vector,
     * local_bh_enable, which runs the soft IRQ at once on this CPU (as netif_rx_ni does), so the
     * input never waits for ksoftirqd.
     */
    static Outcome kick(Exec x) {
        Kick k = x.taskLocal(Kick.class, Kick::new);
        SoftirqVector v = k.vector;
        if (v == null) {
            return Outcome.Next.INSTANCE;
        }
        k.vector = null;
        x.atomic().bhDisable();
        x.raiseSoftirq(v);
        x.atomic().bhEnable();
        if (!x.atomic().bhDisabled()) {
            x.lockdep().softirqsOn(x.atomic(), x.where("local_bh_enable()"));
        }
        return !x.atomic().inInterrupt() && x.softirqPending() ? Outcome.RunSoftirqs.INSTANCE : Outcome.Next.INSTANCE;
    }

    /** __netlink_clear_multicast_users: nobody in family {@code unit} is subscribed to {@code group} any more. */
    public void clearMulticastUsers(int unit, int group) {
        int bit = group >= 1 && group <= 32 ? 1 << (group - 1) : 0;
        for (Sock s : sockets) {
            if (s.unit == unit) {
                s.groups &= ~bit;
            }
        }
    }

    // ---- the user side: system calls ----

    /** Runs one request in the caller's system call; KernelError for -errno, WouldBlock to sleep. */
    Reply handle(FileCtx c, Request r) {
        Sock s = null;
        try {
            if (r instanceof NetlinkProtocol.Socket so) {
                return new NetlinkProtocol.Opened(socket(c, so.protocol()));
            }
            int fd = fdOf(r);
            s = Sockets.lookup(c, fd, Sock.class);
            if (r instanceof Bind b) {
                return new NetlinkProtocol.Bound(bind(c, s, b.portId(), b.groups()));
            } else if (r instanceof SetSockOpt o) {
                return new NetlinkProtocol.OptionSet(o.option(), setsockopt(c, s, o.option(), o.value()));
            } else if (r instanceof SendMsg m) {
                return new NetlinkProtocol.Sent(sendmsg(c, s, m));
            } else if (r instanceof RecvMsg m) {
                NetlinkProtocol.Received got = recvmsg(c, s, m.dontWait());
                // an empty queue is the common case of a blocking reader: a reply, not an exception
                return got == null ? new NetlinkProtocol.Blocked(s.rxQueue()) : got;
            } else if (r instanceof Close) {
                dev.kctx.mechanisms.vfs.FileSyscalls.close(c, fd);
                return new NetlinkProtocol.Closed();
            }
            throw new IllegalStateException("unknown request " + r);
        } catch (KernelError e) {
            if (s != null) {
                countError(s, e.errno());
            } else if (r instanceof NetlinkProtocol.Socket so && so.protocol() >= 0 && so.protocol() < MAX_LINKS) {
                tables[so.protocol()].counters.error(e.errno());
            }
            throw e;
        }
    }

    private static int fdOf(Request r) {
        if (r instanceof Bind b) {
            return b.fd();
        } else if (r instanceof SetSockOpt o) {
            return o.fd();
        } else if (r instanceof SendMsg m) {
            return m.fd();
        } else if (r instanceof RecvMsg m) {
            return m.fd();
        } else if (r instanceof Close cl) {
            return cl.fd();
        }
        throw new IllegalStateException("no descriptor in " + r);
    }

    /** netlink_create: EPROTONOSUPPORT for a protocol outside the table or not registered. */
    int socket(FileCtx c, int protocol) {
        if (protocol < 0 || protocol >= MAX_LINKS || tables[protocol].registered == 0) {
            throw new KernelError(Errno.EPROTONOSUPPORT);
        }
        Table t = tables[protocol];
        String pin = null;
        if (t.module != null) {
            // The family's module stays loaded while user sockets of it are open.
            if (!modules(c).tryGet(t.module)) {
                throw new KernelError(Errno.EPROTONOSUPPORT);
            }
            pin = t.module;
        }
        Sock s = new Sock(nextId++, protocol, c.pid(), false);
        s.pinned = pin;
        sockets.add(s);
        return Sockets.install(c, s, cc -> release(cc.exec(), s));
    }

    private static Modules modules(FileCtx c) {
        return c.kernel().extension(Modules.class, () -> new Modules(List.of()));
    }

    /** netlink_allowed: the family's flag, or CAP_NET_ADMIN. */
    private boolean allowed(Cred cred, Sock s, int flag) {
        return (tables[s.unit].flags & flag) != 0 || cred.capable(Cred.Cap.CAP_NET_ADMIN);
    }

    /** netlink_bind. */
    int bind(FileCtx c, Sock s, int portId, int groups) {
        if (groups != 0 && !allowed(c.cred(), s, NL_CFG_F_NONROOT_RECV)) {
            throw new KernelError(Errno.EPERM);
        }
        if (s.bound && portId != s.portId) {
            throw new KernelError(Errno.EINVAL);
        }
        if (!s.bound) {
            if (portId != 0) {
                insert(s, portId);
            } else {
                autobind(c.exec(), s);
            }
        }
        s.groups = groups;
        return s.portId;
    }

    private void insert(Sock s, int portId) {
        Table t = tables[s.unit];
        if (t.ports.containsKey(portId)) {
            throw new KernelError(Errno.EADDRINUSE);
        }
        t.ports.put(portId, s);
        s.portId = portId;
        s.bound = true;
    }

    /** netlink_autobind: the process id if free, else a random negative port id below -4096. */
    private void autobind(Exec x, Sock s) {
        Table t = tables[s.unit];
        int portId = x.pid();
        while (t.ports.containsKey(portId)) {
            portId = Integer.MIN_VALUE + x.random().nextInt(-4096 - Integer.MIN_VALUE);
        }
        insert(s, portId);
    }

    /** netlink_setsockopt and sock_setsockopt for the options kctx models. */
    int setsockopt(FileCtx c, Sock s, NetlinkProtocol.Option option, int value) {
        switch (option) {
            case SO_RCVBUF -> {
                s.rcvbuf = SockMem.rcvbuf(value);
                return s.rcvbuf;
            }
            case NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP -> {
                if (!allowed(c.cred(), s, NL_CFG_F_NONROOT_RECV)) {
                    throw new KernelError(Errno.EPERM);
                }
                if (value < 1 || value > tables[s.unit].groups) {
                    throw new KernelError(Errno.EINVAL);
                }
                int bit = 1 << (value - 1);
                s.groups = option == NetlinkProtocol.Option.NETLINK_ADD_MEMBERSHIP ? s.groups | bit : s.groups & ~bit;
                return value;
            }
            case NETLINK_BROADCAST_ERROR -> {
                s.broadcastError = value != 0;
                return value;
            }
            default -> throw new IllegalStateException(option.toString());
        }
    }

    /** netlink_sendmsg: multicast first (to the lowest group given), then unicast to the port (0: the kernel). */
    int sendmsg(FileCtx c, Sock s, SendMsg m) {
        Exec x = c.exec();
        int group = Integer.numberOfTrailingZeros(m.dstGroups()) + 1;
        if (m.dstGroups() == 0) {
            group = 0;
        }
        if ((group != 0 || m.dstPortId() != 0) && !allowed(c.cred(), s, NL_CFG_F_NONROOT_SEND)) {
            throw new KernelError(Errno.EPERM);
        }
        if (!s.bound) {
            autobind(x, s);
        }
        int len = NlMsg.length(m.msgs());
        if (len > SNDBUF - 32) {
            throw new KernelError(Errno.EMSGSIZE);
        }
        c.copyFromUser(NlMsg.encode(m.msgs()));
        Skb skb = new Skb(m.msgs(), s.portId, group, c.cred(), len, SockMem.truesize(len));
        boolean retry = m.equals(s.pendingSend);
        if (group != 0 && !retry) {
            int g = group;
            broadcast(x, s, skb, m.dstPortId(), g, false, c::compute, () -> "netlink_broadcast(group " + g + ", GFP_KERNEL)");
        }
        SendResult r = unicast(x, s, skb, m.dstPortId(), m.dontWait(), c::compute, () -> "netlink_unicast");
        if (r instanceof SendResult.MustWait w) {
            s.pendingSend = m;
            throw new WouldBlock(w.queue());
        }
        s.pendingSend = null;
        if (r instanceof SendResult.Failed f) {
            throw new KernelError(f.errno());
        }
        return len;
    }

    /**
     * netlink_recvmsg: a pending socket error first (ENOBUFS after an overrun), then the oldest
     * datagram; null when there is none and the caller may wait.
     */
    NetlinkProtocol.Received recvmsg(FileCtx c, Sock s, boolean dontWait) {
        Exec x = c.exec();
        if (s.skErr != null) {
            Errno e = s.skErr;
            s.skErr = null;
            rcvWake(x, s);
            throw new KernelError(e);
        }
        Skb skb = s.queue.poll();
        if (skb == null) {
            rcvWake(x, s);
            if (dontWait) {
                throw new KernelError(Errno.EAGAIN);
            }
            return null;
        }
        s.rmem -= skb.truesize();
        delivered(tables[s.unit], s);
        if (s.dump != null && s.rmem <= s.rcvbuf / 2) {
            dumpNext(x, s, c::compute);
        }
        rcvWake(x, s);
        // the reply's bytes are made once, by the socket layer's answer (NetlinkUser)
        c.copyToUser(NlMsg.length(skb.msgs()));
        c.compute(RECV_NS);
        if (dev.kctx.actors.program.Tap.active(x)) {
            dev.kctx.actors.program.Tap.emit(x, "netlink", "recv", String.valueOf(s.unit), x.pid(), () -> texts(skb.msgs()));
        }
        return new NetlinkProtocol.Received(skb.srcPortId(), skb.group(), skb.msgs(), skb.len());
    }

    /** netlink_release: the port is free again; what was queued is dropped; blocked senders retry (and find no port). */
    void release(Exec x, Sock s) {
        if (!s.open) {
            return;
        }
        Table t = tables[s.unit];
        s.open = false;
        if (s.bound) {
            t.ports.remove(s.portId, s);
        }
        s.groups = 0;
        for (Skb ignored : s.queue) {
            drop(t, s, Errno.ECONNREFUSED);
        }
        s.queue.clear();
        s.rmem = 0;
        s.dump = null;
        wake(x, s.txWait(x));
        wake(x, s.rxWait(x));
        if (s.pinned != null) {
            x.kernel().extension(Modules.class, () -> new Modules(List.of())).put(s.pinned);
        }
    }

    // ---- delivery ----

    private SendResult unicast(Exec x, Sock ssk, Skb skb, int portId, boolean nonblock, LongConsumer charge, Describable op) {
        Table t = tables[ssk.unit];
        charge.accept(SEND_NS);
        Sock dst = lookup(ssk.unit, portId);
        if (dst == null) {
            sent(t, ssk);
            drop(t, null, Errno.ECONNREFUSED);
            return new SendResult.Failed(Errno.ECONNREFUSED);
        }
        if (dst.kernel) {
            return unicastKernel(x, ssk, dst, skb, charge);
        }
        boolean full = dst.rmem > dst.rcvbuf || dst.congested;
        boolean atomic = x.atomic().sleepForbidden();
        if (full) {
            if (!nonblock && !atomic) {
                return new SendResult.MustWait(dst.txQueue());
            }
            if (!nonblock) {
                // netlink_attachskb would schedule_timeout() here: scheduling while atomic. The model
                // does not wait; it goes on as the non-blocking path does.
                Sockets.gate(x).scheduling(x.atomic(), x.where(op.describe()));
            }
            sent(t, ssk);
            if (ssk.kernel) {
                overrun(x, dst);
                drop(t, dst, Errno.ENOBUFS);
            } else {
                drop(t, dst, Errno.EAGAIN);
            }
            return new SendResult.Failed(Errno.EAGAIN);
        }
        if (!nonblock && atomic) {
            Sockets.gate(x).mayHaveSlept(KernelCall.NETLINK_UNICAST_BLOCKING, x.atomic(), x.where(op.describe()));
        }
        sent(t, ssk);
        enqueue(x, dst, skb);
        return new SendResult.Sent(skb.len());
    }

    /** netlink_unicast_kernel: straight into the input function (or its soft-IRQ backlog). */
    private SendResult unicastKernel(Exec x, Sock ssk, Sock k, Skb skb, LongConsumer charge) {
        Table t = tables[k.unit];
        sent(t, ssk);
        if (k.config == null || k.config.input() == null) {
            drop(t, k, Errno.ECONNREFUSED);
            return new SendResult.Failed(Errno.ECONNREFUSED);
        }
        if (k.config.mode() == InputMode.SOFTIRQ) {
            k.backlog.add(skb);
            x.taskLocal(Kick.class, Kick::new).vector = k.config.vector();
            return new SendResult.Sent(skb.len());
        }
        delivered(t, k);
        runInput(x, k, skb, charge);
        return new SendResult.Sent(skb.len());
    }

    private void runInput(Exec x, Sock k, Skb skb, LongConsumer charge) {
        try {
            k.config.input().input(new InputCtx(x, this, k, skb, charge));
        } catch (KernelError e) {
            // The input function returns nothing: an error it did not answer itself is lost, as in C.
        }
    }

    private int broadcast(Exec x, Sock ssk, Skb skb, int exceptPortId, int group, boolean gfpAtomic, LongConsumer charge,
                          Describable op) {
        charge.accept(SEND_NS);
        x.check(gfpAtomic ? KernelCall.NETLINK_BROADCAST_GFP_ATOMIC : KernelCall.NETLINK_BROADCAST_GFP_KERNEL, op);
        Table t = tables[ssk.unit];
        boolean delivered = false;
        boolean congested = false;
        boolean deliveryFailure = false;
        int bit = group >= 1 && group <= 32 ? 1 << (group - 1) : 0;
        for (Sock s : sockets) {
            if (!s.open || s.kernel || s.unit != ssk.unit || s == ssk || s.portId == exceptPortId || (s.groups & bit) == 0) {
                continue;
            }
            sent(t, ssk);
            if (s.rmem <= s.rcvbuf && !s.congested) {
                enqueue(x, s, skb.toGroup(group));
                delivered = true;
                congested |= s.rmem > s.rcvbuf / 2;
            } else {
                overrun(x, s);
                drop(t, s, Errno.ENOBUFS);
                deliveryFailure |= s.broadcastError;
            }
        }
        if (!gfpAtomic && x.atomic().sleepForbidden()) {
            if (delivered && congested) {
                Sockets.gate(x).scheduling(x.atomic(), x.where(op.describe()));
            } else {
                Sockets.gate(x).mayHaveSlept(KernelCall.NETLINK_BROADCAST_GFP_KERNEL, x.atomic(), x.where(op.describe()));
            }
        }
        if (deliveryFailure) {
            return Errno.ENOBUFS.negative();
        }
        return delivered ? 0 : Errno.ESRCH.negative();
    }

    void dumpStart(Exec x, Sock ksock, int portId, NlMsg request, Iterator<NlMsg> parts, LongConsumer charge) {
        Sock dst = lookup(ksock.unit, portId);
        if (dst == null || dst.kernel) {
            return;
        }
        dst.dump = new Dump(ksock, request.seq(), parts);
        dumpNext(x, dst, charge);
    }

    /** netlink_dump: the next datagram of the dump, packed up to NLMSG_GOODSIZE; NLMSG_DONE after the last part. */
    private void dumpNext(Exec x, Sock dst, LongConsumer charge) {
        Dump d = dst.dump;
        if (dst.rmem >= dst.rcvbuf) {
            return;
        }
        List<NlMsg> out = new ArrayList<>();
        int len = 0;
        while (true) {
            NlMsg next = d.carry != null ? d.carry : d.parts.hasNext() ? d.parts.next() : null;
            d.carry = null;
            if (next == null) {
                NlMsg done = NlMsg.done(d.seq, dst.portId);
                if (out.isEmpty() || len + NlMsg.align(done.len()) <= NLMSG_GOODSIZE) {
                    out.add(done);
                    len += NlMsg.align(done.len());
                    dst.dump = null;
                }
                break;
            }
            NlMsg m = new NlMsg(next.type(), next.flags() | NlMsg.NLM_F_MULTI, d.seq, dst.portId, next.payload());
            if (!out.isEmpty() && len + NlMsg.align(m.len()) > NLMSG_GOODSIZE) {
                d.carry = next;
                break;
            }
            out.add(m);
            len += NlMsg.align(m.len());
        }
        charge.accept(SEND_NS);
        sent(tables[dst.unit], d.ksock);
        enqueue(x, dst, new Skb(out, 0, 0, KERNEL_CRED, len, SockMem.truesize(NLMSG_GOODSIZE)));
    }

    private void enqueue(Exec x, Sock dst, Skb skb) {
        if (dev.kctx.actors.program.Tap.active(x)) {
            dev.kctx.actors.program.Tap.emit(x, "netlink", skb.group() != 0 ? "multicast" : "unicast",
                    String.valueOf(dst.unit), skb.group() != 0 ? skb.group() : dst.portId, () -> texts(skb.msgs()));
        }
        dst.queue.add(skb);
        dst.rmem += skb.truesize();
        wake(x, dst.rxWait(x));
    }

    /** The messages' payloads as text, for an observer: one per message, separated by newlines. */
    private static String texts(List<NlMsg> msgs) {
        StringBuilder b = new StringBuilder();
        for (NlMsg m : msgs) {
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(m.text());
        }
        return b.toString();
    }

    /** netlink_overrun: the first drop marks the socket congested and leaves ENOBUFS for its next recvmsg. */
    private void overrun(Exec x, Sock dst) {
        if (!dst.congested) {
            dst.congested = true;
            dst.skErr = Errno.ENOBUFS;
            wake(x, dst.rxWait(x));
        }
        dst.drops++;
    }

    /** netlink_rcv_wake: an empty queue clears congestion; then blocked senders may retry. */
    private void rcvWake(Exec x, Sock s) {
        if (s.queue.isEmpty()) {
            s.congested = false;
        }
        if (!s.congested) {
            wake(x, s.txWait(x));
        }
    }

    private static void wake(Exec x, KernelObjects.WaitQueue queue) {
        List<WaitHandle> woken = queue.signal();
        // by index: no iterator on the path of every message
        for (int i = 0, n = woken.size(); i < n; i++) {
            x.wake(woken.get(i));
        }
    }

    // ---- counters ----

    private static void sent(Table t, Sock from) {
        t.counters.sent();
        from.counters.sent();
    }

    private static void delivered(Table t, Sock to) {
        t.counters.delivered();
        to.counters.delivered();
    }

    private static void drop(Table t, Sock to, Errno why) {
        t.counters.dropped(why);
        if (to != null) {
            to.counters.dropped(why);
        }
    }

    void countError(Sock s, Errno e) {
        s.counters.error(e);
        tables[s.unit].counters.error(e);
    }

    /** Counters of every family but NETLINK_GENERIC. */
    public MechanismSnapshot netlinkSnapshot() {
        return snapshot("netlink", u -> u != NETLINK_GENERIC);
    }

    /** Counters of NETLINK_GENERIC, which carries generic netlink. */
    public MechanismSnapshot genetlinkSnapshot() {
        return snapshot("genetlink", u -> u == NETLINK_GENERIC);
    }

    private MechanismSnapshot snapshot(String name, IntPredicate units) {
        long sent = 0;
        long delivered = 0;
        Map<Errno, Long> dropped = new TreeMap<>();
        Map<Errno, Long> errors = new TreeMap<>();
        for (Table t : tables) {
            if (!units.test(t.unit)) {
                continue;
            }
            sent += t.counters.sentCount();
            delivered += t.counters.deliveredCount();
            t.counters.droppedByErrno().forEach((e, n) -> dropped.merge(e, n, Long::sum));
            t.counters.errorsByErrno().forEach((e, n) -> errors.merge(e, n, Long::sum));
        }
        long inFlight = 0;
        List<SocketSnapshot> socks = new ArrayList<>();
        for (Sock s : sockets) {
            if (!units.test(s.unit)) {
                continue;
            }
            inFlight += s.queued();
            if (!s.kernel || s.counters.sentCount() + s.counters.deliveredCount() + s.counters.droppedCount() > 0) {
                socks.add(s.snapshot());
            }
        }
        return new MechanismSnapshot(name, sent, delivered, dropped, inFlight, errors, socks);
    }
}
