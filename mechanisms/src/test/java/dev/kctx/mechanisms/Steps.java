package dev.kctx.mechanisms;

import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.genetlink.GenlProtocol;
import dev.kctx.mechanisms.genetlink.GenlUser;
import dev.kctx.mechanisms.netlink.NetlinkProtocol;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.udp.UdpProtocol;
import dev.kctx.mechanisms.udp.UdpUser;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Test support: user programs as a flat list of calls, each followed by {@link #show} printing
 * what it returned, so that a test compares the console with what Linux would print.
 */
public final class Steps {
    private Steps() {
    }

    /** Operations and lists of operations, flattened in order. */
    public static List<Op> seq(Object... parts) {
        List<Op> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Op op) {
                out.add(op);
            } else if (p instanceof List<?> l) {
                l.forEach(o -> out.add((Op) o));
            } else {
                throw new IllegalArgumentException("not an op: " + p);
            }
        }
        return out;
    }

    public static Program program(Object... parts) {
        return new Program(seq(parts), 1);
    }

    /** Prints {@code label: outcome} of the last netlink call: the errno name when it failed, else its reply in short. */
    public static Op show(String label) {
        return Sys.act("show", x -> {
            Regs r = Sys.regs(x);
            x.console(label + ": " + (r.failed() ? r.errno.name() : netlink(r.vars.get(NetlinkUser.REPLY))));
        });
    }

    /** The same for a UDP call. */
    public static Op showUdp(String label) {
        return Sys.act("show", x -> {
            Regs r = Sys.regs(x);
            x.console(label + ": " + (r.failed() ? r.errno.name() : udp(r.vars.get(UdpUser.REPLY))));
        });
    }

    /** The same for {@link GenlUser#recv}: every message of the datagram, decoded. */
    public static Op showGenl(String label) {
        return Sys.act("show", x -> {
            Regs r = Sys.regs(x);
            x.console(label + ": " + (r.failed() ? r.errno.name()
                    : GenlUser.replies(r).stream().map(Steps::genl).collect(Collectors.joining(", "))));
        });
    }

    /** A long sleep at the end of a program: the process stays alive, its sockets open, for the test to inspect after the run. */
    public static List<Op> alive() {
        return Sys.nanosleep(dev.kctx.contexts.Durations.s(1000));
    }

    public static Op say(String line) {
        return Sys.act("say", x -> x.console(line));
    }

    /** setuid(uid): drops root and every capability. */
    public static List<Op> setuid(int uid) {
        return Sys.call("setuid", c -> {
            c.cred().setuid(uid);
            return IoResult.Done.of(0);
        });
    }

    /** open(path, O_RDWR|O_CREAT) into variable {@code var}: a file descriptor that is not a socket. */
    public static List<Op> openFile(String var, String path) {
        return Sys.call("open", c -> {
            int fd = FileSyscalls.open(c, path, OpenFlags.O_RDWR | OpenFlags.O_CREAT);
            Sys.regs(c.exec()).vars.put(var, fd);
            return IoResult.Done.of(fd);
        });
    }

    static String netlink(Object rep) {
        if (rep instanceof NetlinkProtocol.Opened o) {
            return "fd " + o.fd();
        } else if (rep instanceof NetlinkProtocol.Bound b) {
            return "port " + Integer.toUnsignedString(b.portId());
        } else if (rep instanceof NetlinkProtocol.OptionSet o) {
            return o.option() + " " + o.value();
        } else if (rep instanceof NetlinkProtocol.Sent s) {
            return "sent " + s.bytes();
        } else if (rep instanceof NetlinkProtocol.Received rc) {
            return "from " + Integer.toUnsignedString(rc.srcPortId()) + (rc.group() != 0 ? " group " + rc.group() : "") + " "
                    + rc.msgs().stream().map(Steps::msg).collect(Collectors.joining(" + "));
        } else if (rep instanceof NetlinkProtocol.Closed) {
            return "closed";
        }
        return String.valueOf(rep);
    }

    public static String msg(NlMsg m) {
        if (m.type() == NlMsg.NLMSG_ERROR) {
            return m.error() == 0 ? "ACK(seq " + m.seq() + ")" : "NLMSG_ERROR " + dev.kctx.mechanisms.Errno.byNumber(m.error()).name()
                    + "(seq " + m.seq() + ")";
        }
        if (m.type() == NlMsg.NLMSG_DONE) {
            return "NLMSG_DONE";
        }
        return "\"" + m.text() + "\"";
    }

    public static String genlText(Object g) {
        return genl(g);
    }

    static String genl(Object g) {
        if (g instanceof GenlProtocol.NewFamily f) {
            return "family " + f.name() + " id 0x" + Integer.toHexString(f.id()) + " version " + f.version()
                    + (f.groups().isEmpty() ? "" : " groups " + f.groups());
        } else if (g instanceof GenlProtocol.Nack n) {
            return "NACK " + n.errno().name();
        } else if (g instanceof GenlProtocol.Message m) {
            return "message cmd " + m.cmd() + " " + m.attrs().stream().map(a -> a.kind() + "=" + a.asString())
                    .collect(Collectors.joining(","));
        }
        return g.getClass().getSimpleName();
    }

    static String udp(Object rep) {
        if (rep instanceof UdpProtocol.Opened o) {
            return "fd " + o.fd();
        } else if (rep instanceof UdpProtocol.Bound b) {
            return "bound " + b.addr() + ":" + b.port();
        } else if (rep instanceof UdpProtocol.RcvbufSet s) {
            return "SO_RCVBUF " + s.value();
        } else if (rep instanceof UdpProtocol.Sent s) {
            return "sent " + s.bytes();
        } else if (rep instanceof UdpProtocol.Datagram d) {
            return "'" + d.text() + "' from " + d.srcAddr() + ":" + d.srcPort();
        } else if (rep instanceof UdpProtocol.Closed) {
            return "closed";
        }
        return String.valueOf(rep);
    }
}
