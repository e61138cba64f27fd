package dev.kctx.mechanisms.genetlink;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlMsg;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generic netlink as a user program speaks it: requests it sends to the kernel (port 0) on a
 * NETLINK_GENERIC socket, the replies it reads back, and the errors (an NLMSG_ERROR NACK).
 */
public sealed interface GenlProtocol {

    /** A request message; {@code portId} is what the sender writes into nlmsg_pid (its pid, by custom). */
    sealed interface Request extends GenlProtocol {
        NlMsg toNlMsg(int seq, int portId);
    }

    /** A message the kernel answers with. */
    sealed interface Reply extends GenlProtocol {
    }

    /** An NLMSG_ERROR carrying an errno: the request failed. */
    sealed interface Error extends Reply {
        Errno errno();
    }

    /** CTRL_CMD_GETFAMILY to nlctrl with CTRL_ATTR_FAMILY_NAME: answered by {@link NewFamily} or a {@link Nack} (ENOENT). */
    record GetFamily(String name) implements Request {
        public NlMsg toNlMsg(int seq, int portId) {
            return new GenlMsg(Genetlink.CTRL_CMD_GETFAMILY, 1, List.of(Nla.string(Genetlink.CTRL_ATTR_FAMILY_NAME, name)))
                    .toNlMsg(Genetlink.GENL_ID_CTRL, NlMsg.NLM_F_REQUEST, seq, portId);
        }
    }

    /** CTRL_CMD_GETFAMILY with NLM_F_DUMP: one {@link NewFamily} per family, then {@link Done}. */
    record DumpFamilies() implements Request {
        public NlMsg toNlMsg(int seq, int portId) {
            return new GenlMsg(Genetlink.CTRL_CMD_GETFAMILY, 1, List.of())
                    .toNlMsg(Genetlink.GENL_ID_CTRL, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_DUMP, seq, portId);
        }
    }

    /** Command {@code cmd} of family {@code familyId} (nlmsg_type, so 16 bits) with attributes and extra flags (NLM_F_ACK, NLM_F_DUMP). */
    record Command(int familyId, int cmd, int version, List<Nla> attrs, int flags) implements Request {
        public Command {
            attrs = List.copyOf(attrs);
        }

        public NlMsg toNlMsg(int seq, int portId) {
            return new GenlMsg(cmd, version, attrs).toNlMsg(familyId & 0xffff, NlMsg.NLM_F_REQUEST | flags, seq, portId);
        }
    }

    /** nlctrl's CTRL_CMD_NEWFAMILY: a family's id, name, version, highest attribute and multicast groups by name. */
    record NewFamily(int id, String name, int version, int maxattr, Map<String, Integer> groups) implements Reply {
        public NewFamily {
            groups = Map.copyOf(groups);
        }
    }

    /** A message of a family: its id, command, version and attributes. */
    record Message(int familyId, int cmd, int version, List<Nla> attrs) implements Reply {
        public Message {
            attrs = List.copyOf(attrs);
        }

        public Nla attr(int type) {
            return attrs.stream().filter(a -> a.kind() == type).findFirst().orElse(null);
        }
    }

    /** An NLMSG_ERROR with error 0. */
    record Ack() implements Reply {
    }

    /** NLMSG_DONE: the end of a dump. */
    record Done() implements Reply {
    }

    /** An NLMSG_ERROR with -errno. */
    record Nack(Errno errno) implements Error {
    }

    /** What {@code m} says, as one of the replies. */
    static Reply decode(NlMsg m) {
        if (m.type() == NlMsg.NLMSG_ERROR) {
            int err = m.error();
            return err == 0 ? new Ack() : new Nack(Errno.byNumber(err));
        }
        if (m.type() == NlMsg.NLMSG_DONE) {
            return new Done();
        }
        GenlMsg g = GenlMsg.parse(m);
        if (g == null) {
            return new Message(m.type(), 0, 0, List.of());
        }
        if (m.type() == Genetlink.GENL_ID_CTRL && g.cmd() == Genetlink.CTRL_CMD_NEWFAMILY) {
            Map<String, Integer> groups = new LinkedHashMap<>();
            Nla mc = g.attr(Genetlink.CTRL_ATTR_MCAST_GROUPS);
            if (mc != null) {
                for (Nla grp : mc.asNested()) {
                    List<Nla> in = grp.asNested();
                    String name = in.stream().filter(a -> a.kind() == Genetlink.CTRL_ATTR_MCAST_GRP_NAME).findFirst()
                            .map(Nla::asString).orElse("");
                    int id = in.stream().filter(a -> a.kind() == Genetlink.CTRL_ATTR_MCAST_GRP_ID).findFirst()
                            .map(Nla::asU32).orElse(0);
                    groups.put(name, id);
                }
            }
            return new NewFamily(g.attr(Genetlink.CTRL_ATTR_FAMILY_ID).asU16(), g.attr(Genetlink.CTRL_ATTR_FAMILY_NAME).asString(),
                    g.attr(Genetlink.CTRL_ATTR_VERSION).asU32(), g.attr(Genetlink.CTRL_ATTR_MAXATTR).asU32(), groups);
        }
        return new Message(m.type(), g.cmd(), g.version(), g.attrs());
    }
}
