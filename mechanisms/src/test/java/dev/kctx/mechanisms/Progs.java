package dev.kctx.mechanisms;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.genetlink.GenlProtocol;
import dev.kctx.mechanisms.genetlink.GenlUser;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.NetlinkProtocol;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.udp.UdpProtocol;
import dev.kctx.mechanisms.udp.UdpUser;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.FileCalls;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Test support: programs from operations and operation lists, machines with modules and programs
 * on disk, and socket programs as a flat list of calls, each followed by {@link #show} printing what
 * it returned, so that a test compares the console with what Linux would print.
 */
public final class Progs {
    private Progs() {
    }

    /** The operations of {@code parts} (each an Op or a List of Ops), flattened in order. */
    public static List<Op> ops(Object... parts) {
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
        return new Program(ops(parts), 1);
    }

    /** printf of a fixed line. */
    public static Op say(String line) {
        return FileCalls.printf(x -> line);
    }

    public static Op say(Function<Exec, String> line) {
        return FileCalls.printf(line);
    }

    /** nanosleep(2). */
    public static List<Op> sleep(long ns) {
        return List.of(new Ops.SysEnter("nanosleep"), new Ops.Nanosleep(ns), new Ops.SysExit("nanosleep", 0));
    }

    /** setuid(2), as a step at the start of a program. */
    public static List<Op> setuid(int uid) {
        return Sys.call("setuid", c -> {
            c.cred().setuid(uid);
            return dev.kctx.mechanisms.vfs.IoResult.Done.of(0);
        });
    }

    /** A machine with these modules and programs on disk, and nothing running yet. */
    public static MachineSpec.Builder machine(int cpus, List<ModuleDef> modules, Map<String, Executables.Image> programs) {
        return MachineSpec.builder().cpus(cpus).boot(Modules.class, () -> new Modules(modules))
                .boot(Executables.class, () -> new Executables(programs));
    }

    /** The arguments of every trace event named {@code event}, in time order. */
    public static List<String> events(RunResult r, String event) {
        return r.trace().stream().filter(t -> t.event().equals(event)).map(TraceRecord::args).toList();
    }

    /** The console lines, kernel-log timestamps removed. */
    public static List<String> console(RunResult r) {
        return Transcripts.console(r);
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
                    : GenlUser.replies(r).stream().map(Progs::genl).collect(Collectors.joining(", "))));
        });
    }

    /** A long sleep at the end of a program: the process stays alive, its sockets open, for the test to inspect after the run. */
    public static List<Op> alive() {
        return Sys.nanosleep(dev.kctx.contexts.Durations.s(1000));
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
                    + rc.msgs().stream().map(Progs::msg).collect(Collectors.joining(" + "));
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
