package dev.kctx.mechanisms.genetlink;

import dev.kctx.mechanisms.netlink.NetlinkInitcall;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.netlink.InputCtx;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.netlink.NlaPolicy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The generic netlink registry and the NETLINK_GENERIC input (net/netlink/genetlink.c). Families get
 * their ids from idr_alloc_cyclic over GENL_START_ALLOC (0x13) .. GENL_MAX_ID: 0x10 is nlctrl, 0x11
 * and 0x12 are kept for the two families the kernel names (VFS_DQUOT, pmcraid), and an id freed by
 * an unregistered family is not handed out again until the range wraps. Multicast groups get ids
 * from the NETLINK_GENERIC group space, 2 up (0, 1 and 16..18 are reserved; nlctrl's "notify" is 16).
 *
 * <p>A request is answered as genl_rcv_msg does: unknown family id ENOENT, short header EINVAL,
 * unknown command (or no handler for a do/dump request) EOPNOTSUPP, GENL_ADMIN_PERM without
 * CAP_NET_ADMIN EPERM, attributes violating the policy EINVAL or ERANGE; each NACKed with an
 * NLMSG_ERROR to the sender.
 */
public final class Genetlink {
    public static final int GENL_ID_CTRL = NlMsg.NLMSG_MIN_TYPE;
    public static final int GENL_ID_VFS_DQUOT = NlMsg.NLMSG_MIN_TYPE + 1;
    public static final int GENL_ID_PMCRAID = NlMsg.NLMSG_MIN_TYPE + 2;
    public static final int GENL_START_ALLOC = NlMsg.NLMSG_MIN_TYPE + 3;
    public static final int GENL_MAX_ID = 1023;
    public static final int GENL_NAMSIZ = 16;
    /** NLMSG_DEFAULT_SIZE: NLMSG_GOODSIZE minus the header. */
    public static final int NLMSG_DEFAULT_SIZE = Netlink.NLMSG_GOODSIZE - NlMsg.NLMSG_HDRLEN;

    /** genl_ops.flags: the command needs CAP_NET_ADMIN. */
    public static final int GENL_ADMIN_PERM = 0x01;
    public static final int GENL_CMD_CAP_DO = 0x02;
    public static final int GENL_CMD_CAP_DUMP = 0x04;
    public static final int GENL_CMD_CAP_HASPOL = 0x08;

    public static final int CTRL_CMD_NEWFAMILY = 1;
    public static final int CTRL_CMD_DELFAMILY = 2;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int CTRL_ATTR_VERSION = 3;
    public static final int CTRL_ATTR_HDRSIZE = 4;
    public static final int CTRL_ATTR_MAXATTR = 5;
    public static final int CTRL_ATTR_OPS = 6;
    public static final int CTRL_ATTR_MCAST_GROUPS = 7;
    public static final int CTRL_ATTR_MAX = 10;
    public static final int CTRL_ATTR_OP_ID = 1;
    public static final int CTRL_ATTR_OP_FLAGS = 2;
    public static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    public static final int CTRL_ATTR_MCAST_GRP_ID = 2;

    /** A registered family: its id, declaration, owner module and multicast group ids. */
    public static final class Registered {
        private final int id;
        private final GenlFamily family;
        private final String module;
        private final int[] groupIds;
        private boolean live = true;

        Registered(int id, GenlFamily family, String module, int[] groupIds) {
            this.id = id;
            this.family = family;
            this.module = module;
            this.groupIds = groupIds.clone();
        }

        public int id() {
            return id;
        }

        public GenlFamily family() {
            return family;
        }

        public String module() {
            return module;
        }

        /** The netlink group id of the family's {@code index}-th multicast group. */
        public int groupId(int index) {
            return groupIds[index];
        }
    }

    private final TreeMap<Integer, Registered> byId = new TreeMap<>();
    private final Map<String, Registered> byName = new LinkedHashMap<>();
    /** idr's next id for idr_alloc_cyclic. */
    private int nextId;
    /** mc_groups: bit n set when group id n is taken. */
    private long mcGroups = 0x3L | (1L << GENL_ID_CTRL) | (1L << GENL_ID_VFS_DQUOT) | (1L << GENL_ID_PMCRAID);

    private final Netlink netlink;

    private Genetlink(Netlink netlink) {
        this.netlink = netlink;
        GenlFamily ctrl = new GenlFamily("nlctrl", 2, CTRL_ATTR_MAX,
                NlaPolicy.table(CTRL_ATTR_FAMILY_ID, NlaPolicy.of(NlaPolicy.Type.U16),
                        CTRL_ATTR_FAMILY_NAME, new NlaPolicy(NlaPolicy.Type.NUL_STRING, GENL_NAMSIZ - 1)),
                List.of(new GenlOp(CTRL_CMD_GETFAMILY, 0, this::ctrlGetFamily, this::ctrlDumpFamily)), List.of("notify"));
        Registered r = new Registered(GENL_ID_CTRL, ctrl, null, new int[]{GENL_ID_CTRL});
        byId.put(GENL_ID_CTRL, r);
        byName.put(ctrl.name(), r);
        nextId = GENL_ID_CTRL + 1;
    }

    /** The machine's registry, created on first use. */
    public static Genetlink get(KernelObjects k) {
        Netlink nl = Netlink.get(k);
        return k.extension(Genetlink.class, () -> new Genetlink(nl));
    }

    public Registered byName(String name) {
        Registered r = byName.get(name);
        return r != null && r.live ? r : null;
    }

    public Registered byId(int id) {
        Registered r = byId.get(id);
        return r != null && r.live ? r : null;
    }

    /** The families registered now, by id (nlctrl first). */
    public List<Registered> families() {
        return List.copyOf(byId.values());
    }

    /**
     * genl_register_family by module {@code m}: the family with its id and groups, unregistered when
     * the module unloads. EEXIST for a name taken, EINVAL for a bad name or two ops with one command,
     * ENOSPC when no id is left, ENOMEM when its groups do not fit.
     */
    public Registered register(ModuleCtx m, GenlFamily f) {
        Registered r = register(m == null ? null : m.name(), f);
        if (m != null) {
            m.onUnload(() -> unregister(r));
        }
        return r;
    }

    private Registered register(String module, GenlFamily f) {
        if (f.name().isEmpty() || f.name().length() >= GENL_NAMSIZ) {
            throw new KernelError(Errno.EINVAL);
        }
        if (f.ops().stream().map(GenlOp::cmd).distinct().count() != f.ops().size()) {
            throw new KernelError(Errno.EINVAL);
        }
        if (byName.containsKey(f.name())) {
            throw new KernelError(Errno.EEXIST);
        }
        int id = switch (f.name()) {
            case "VFS_DQUOT" -> GENL_ID_VFS_DQUOT;
            case "pmcraid" -> GENL_ID_PMCRAID;
            default -> allocId();
        };
        if (byId.containsKey(id)) {
            throw new KernelError(Errno.ENOSPC);
        }
        int[] groups = allocGroups(f.mcgrps().size());
        Registered r = new Registered(id, f, module, groups);
        byId.put(id, r);
        byName.put(f.name(), r);
        return r;
    }

    /** idr_alloc_cyclic(start = GENL_START_ALLOC, end = GENL_MAX_ID + 1). */
    private int allocId() {
        int from = Math.max(nextId, GENL_START_ALLOC);
        for (int pass = 0; pass < 2; pass++) {
            for (int id = from; id <= GENL_MAX_ID; id++) {
                if (!byId.containsKey(id)) {
                    nextId = id + 1;
                    return id;
                }
            }
            from = GENL_START_ALLOC;
        }
        throw new KernelError(Errno.ENOSPC);
    }

    /** genl_validate_assign_mc_groups: {@code n} consecutive free group ids (within the 32 groups kctx keeps). */
    private int[] allocGroups(int n) {
        if (n == 0) {
            return new int[0];
        }
        for (int first = 0; first + n <= 33; first++) {
            long mask = ((1L << n) - 1) << first;
            if ((mcGroups & mask) == 0 && first >= 1 && first + n - 1 <= 32) {
                mcGroups |= mask;
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = first + i;
                }
                return ids;
            }
        }
        throw new KernelError(Errno.ENOMEM);
    }

    /**
     * genl_unregister_family: the family's id answers ENOENT from now on; its groups are freed and
     * the sockets subscribed to them unsubscribed (__netlink_clear_multicast_users).
     */
    public void unregister(Registered r) {
        if (!r.live || r.id == GENL_ID_CTRL) {
            return;
        }
        r.live = false;
        byId.remove(r.id, r);
        byName.remove(r.family.name(), r);
        for (int g : r.groupIds) {
            mcGroups &= ~(1L << g);
            netlink.clearMulticastUsers(Netlink.NETLINK_GENERIC, g);
        }
    }

    /** The NETLINK_GENERIC input: netlink_rcv_skb with genl_rcv_msg. */
    public void input(InputCtx in) {
        in.rcvSkb(m -> rcvMsg(in, m));
    }

    private int rcvMsg(InputCtx in, NlMsg m) {
        Registered r = byId(m.type());
        if (r == null) {
            return Errno.ENOENT.negative();
        }
        if (m.len() < NlMsg.NLMSG_HDRLEN + GenlMsg.GENL_HDRLEN) {
            return Errno.EINVAL.negative();
        }
        GenlMsg hdr = GenlMsg.parse(m);
        if (!headerOk(m)) {
            return Errno.EINVAL.negative();
        }
        boolean dump = m.has(NlMsg.NLM_F_DUMP);
        GenlOp op = r.family.op(hdr.cmd());
        if (op == null || (dump ? op.dumpit() == null : op.doit() == null)) {
            return Errno.EOPNOTSUPP.negative();
        }
        if ((op.flags() & GENL_ADMIN_PERM) != 0 && !in.capable(Cred.Cap.CAP_NET_ADMIN)) {
            return Errno.EPERM.negative();
        }
        Map<Integer, Nla> attrs = r.family.maxattr() > 0
                ? NlaPolicy.parse(GenlMsg.attrBytes(m), r.family.maxattr(), r.family.policy()) : Map.of();
        GenlInfo info = new GenlInfo(in, r, m, hdr, attrs);
        if (dump) {
            return in.dumpStart(m, op.dumpit().dump(info).iterator());
        }
        return op.doit().doit(info);
    }

    /**
     * genl_header_check: genlmsghdr.reserved must be 0 and nlmsg_flags may only hold NLM_F_REQUEST,
     * NLM_F_ACK, NLM_F_ECHO and NLM_F_DUMP.
     */
    private static boolean headerOk(NlMsg m) {
        byte[] p = m.payload();
        if (p[2] != 0 || p[3] != 0) {
            return false;
        }
        int flags = m.flags();
        if ((flags & NlMsg.NLM_F_DUMP) == NlMsg.NLM_F_DUMP) {
            flags &= ~NlMsg.NLM_F_DUMP;
        }
        return (flags & ~(NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK | NlMsg.NLM_F_ECHO)) == 0;
    }

    /**
     * genlmsg_unicast(net, skb, portid) from kernel code in any context (include/net/genetlink.h):
     * nlmsg_unicast on the generic netlink socket, that is netlink_unicast(sk, skb, portid,
     * MSG_DONTWAIT) with a positive result made 0 (include/net/netlink.h). It never waits: 0, -EAGAIN
     * when the receiver is full (the skb dropped, the receiver overrun), -ECONNREFUSED when nobody
     * holds {@code portId}.
     */
    public int unicast(Exec x, Registered family, int portId, GenlMsg msg, LongConsumer charge) {
        Netlink nl = netlink;
        Netlink.SendResult r = nl.kernelUnicast(x, nl.kernelSocket(Netlink.NETLINK_GENERIC), List.of(msg.toNlMsg(family.id, 0, 0, 0)),
                portId, true, charge, () -> "genlmsg_unicast(" + family.family.name() + ", portid " + Integer.toUnsignedString(portId) + ")");
        return r instanceof Netlink.SendResult.Failed f ? f.errno().negative() : 0;
    }

    /**
     * genlmsg_multicast from kernel code in any context: the message of {@code family} to its
     * {@code groupIndex}-th group. 0, or -ESRCH when nobody listens.
     */
    public int multicast(Exec x, Registered family, int groupIndex, GenlMsg msg, boolean gfpAtomic, LongConsumer charge) {
        Netlink nl = netlink;
        int group = family.groupId(groupIndex);
        return nl.kernelBroadcast(x, nl.kernelSocket(Netlink.NETLINK_GENERIC), List.of(msg.toNlMsg(family.id, 0, 0, 0)), 0,
                group, gfpAtomic, charge, () -> "genlmsg_multicast(" + family.family.name() + ", group " + group + ")");
    }

    // ---- nlctrl ----

    /** ctrl_getfamily: by CTRL_ATTR_FAMILY_ID or (preferred) CTRL_ATTR_FAMILY_NAME; ENOENT for none, EINVAL for neither. */
    private int ctrlGetFamily(GenlInfo info) {
        Registered res = null;
        int err = Errno.EINVAL.negative();
        Nla id = info.attr(CTRL_ATTR_FAMILY_ID);
        if (id != null) {
            res = byId(id.asU16());
            err = Errno.ENOENT.negative();
        }
        Nla name = info.attr(CTRL_ATTR_FAMILY_NAME);
        if (name != null) {
            res = byName(name.asString());
            err = Errno.ENOENT.negative();
        }
        if (res == null) {
            return err;
        }
        info.genlmsgNew(NLMSG_DEFAULT_SIZE, false);
        return info.unicast(info.sndPortId(), fillInfo(res, info.sndPortId(), info.sndSeq(), 0, CTRL_CMD_NEWFAMILY));
    }

    private List<NlMsg> ctrlDumpFamily(GenlInfo info) {
        List<NlMsg> out = new ArrayList<>();
        for (Registered r : byId.values()) {
            out.add(fillInfo(r, info.sndPortId(), info.sndSeq(), NlMsg.NLM_F_MULTI, CTRL_CMD_NEWFAMILY));
        }
        return out;
    }

    /** ctrl_fill_info: name, id, version, header size, highest attribute, commands, multicast groups. */
    static NlMsg fillInfo(Registered r, int portId, int seq, int flags, int cmd) {
        GenlFamily f = r.family;
        List<Nla> a = new ArrayList<>(List.of(Nla.string(CTRL_ATTR_FAMILY_NAME, f.name()), Nla.u16(CTRL_ATTR_FAMILY_ID, r.id),
                Nla.u32(CTRL_ATTR_VERSION, f.version()), Nla.u32(CTRL_ATTR_HDRSIZE, 0), Nla.u32(CTRL_ATTR_MAXATTR, f.maxattr())));
        if (!f.ops().isEmpty()) {
            List<Nla> ops = new ArrayList<>();
            for (int i = 0; i < f.ops().size(); i++) {
                GenlOp op = f.ops().get(i);
                int flagsOut = op.flags() | (op.doit() != null ? GENL_CMD_CAP_DO : 0)
                        | (op.dumpit() != null ? GENL_CMD_CAP_DUMP : 0) | (f.policy().isEmpty() ? 0 : GENL_CMD_CAP_HASPOL);
                ops.add(Nla.nestedNoflag(i + 1, List.of(Nla.u32(CTRL_ATTR_OP_ID, op.cmd()), Nla.u32(CTRL_ATTR_OP_FLAGS, flagsOut))));
            }
            a.add(Nla.nestedNoflag(CTRL_ATTR_OPS, ops));
        }
        if (!f.mcgrps().isEmpty()) {
            List<Nla> groups = new ArrayList<>();
            for (int i = 0; i < f.mcgrps().size(); i++) {
                groups.add(Nla.nestedNoflag(i + 1, List.of(Nla.u32(CTRL_ATTR_MCAST_GRP_ID, r.groupIds[i]),
                        Nla.string(CTRL_ATTR_MCAST_GRP_NAME, f.mcgrps().get(i)))));
            }
            a.add(Nla.nestedNoflag(CTRL_ATTR_MCAST_GROUPS, groups));
        }
        return new GenlMsg(cmd, 2, a).toNlMsg(GENL_ID_CTRL, flags, seq, portId);
    }

    /** genl_init: NETLINK_GENERIC exists from boot on, its input this registry's. */
    public static final class Boot implements NetlinkInitcall {
        public int unit() {
            return Netlink.NETLINK_GENERIC;
        }

        public Netlink.Config config() {
            return Netlink.Config.of(in -> get(in.exec().kernel()).input(in)).withFlags(Netlink.NL_CFG_F_NONROOT_RECV);
        }
    }
}
