package dev.kctx.bench;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.genetlink.GenlProtocol;
import dev.kctx.mechanisms.genetlink.GenlUser;
import dev.kctx.mechanisms.genetlink.GnExample;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Machines that repeat one mechanism operation {@code n} times in one user process, for the
 * wall-time cost of a simulated operation: a generic-netlink request with NLM_F_ACK answered by
 * the seed's gnkernel (send, receive the reply, receive the ACK), and a read of the seed's
 * cdev_example (open, read, close). Each operation prints one console line, so a run shows that
 * every operation did what it should.
 */
public final class MechanismWorkloads {
    /** The console line of a round trip that got the kernel's answer and then its ACK. */
    public static final String ECHO_OK = "echo+ack";
    /** What the driver holds, and what each read returns. */
    public static final String CDEV_TEXT = "bench";

    private MechanismWorkloads() {
    }

    /** gnuser's echo command {@code n} times with NLM_F_ACK: the answer and the ACK for each. */
    public static MachineSpec genetlinkEcho(int n) {
        List<Op> ops = new ArrayList<>();
        ops.add(Shell.command("insmod " + GnExample.NAME + ".ko"));
        ops.addAll(NetlinkUser.socket("nl", Netlink.NETLINK_GENERIC));
        ops.addAll(NetlinkUser.bind("nl", 0, 0));
        ops.addAll(GenlUser.send("nl", 1, x -> new GenlProtocol.GetFamily(GnExample.FAMILY)));
        ops.addAll(GenlUser.recv("nl"));
        ops.add(Sys.act("family", x -> Sys.regs(x).vars.put("family", ((GenlProtocol.NewFamily) GenlUser.reply(Sys.regs(x))).id())));
        Nla msg = Nla.string(GnExample.DOC_EXMPL_A_MSG, "ping");
        List<Op> echo = new ArrayList<>(GenlUser.send("nl", 2, x -> new GenlProtocol.Command((Integer) Sys.regs(x).vars.get("family"),
                GnExample.DOC_EXMPL_C_ECHO, GnExample.VERSION_NR, List.of(msg), NlMsg.NLM_F_ACK)));
        echo.addAll(GenlUser.recv("nl"));
        echo.add(Sys.act("answer", x -> Sys.regs(x).vars.put("answer", GenlUser.reply(Sys.regs(x)) instanceof GenlProtocol.Message)));
        echo.addAll(GenlUser.recv("nl"));
        echo.add(Sys.act("ack", x -> {
            Regs r = Sys.regs(x);
            boolean ok = Boolean.TRUE.equals(r.vars.get("answer")) && GenlUser.reply(r) instanceof GenlProtocol.Ack;
            x.console(ok ? ECHO_OK : "echo failed: " + GenlUser.reply(r));
        }));
        ops.add(new Ops.Loop(n, echo));
        return machine(List.of(GnExample.module()), new Program(ops, 1));
    }

    /** cdev_example filled once, then open, read, close {@code n} times. */
    public static MachineSpec chardevRead(int n) {
        List<Op> ops = new ArrayList<>();
        ops.add(Shell.command("insmod " + CdevExample.NAME + ".ko"));
        ops.add(Shell.command("mknod /dev/" + CdevExample.NAME + " c 248 0"));
        ops.add(Shell.command("echo -n " + CDEV_TEXT + " > /dev/" + CdevExample.NAME));
        List<Op> read = new ArrayList<>(Libc.open("fd", "/dev/" + CdevExample.NAME, OpenFlags.O_RDONLY));
        read.addAll(Libc.read("fd", CdevExample.BUFFER));
        read.add(Sys.act("read", x -> x.console(new String(Sys.regs(x).data, StandardCharsets.UTF_8))));
        read.addAll(Libc.close("fd"));
        ops.add(new Ops.Loop(n, read));
        return machine(List.of(CdevExample.module()), new Program(ops, 1));
    }

    private static MachineSpec machine(List<dev.kctx.mechanisms.module.ModuleDef> modules, Program body) {
        return MachineSpec.builder().name("mechanism-bench").cpus(1)
                .boot(Modules.class, () -> new Modules(modules))
                .process("bench", 0, 0, body)
                .build();
    }
}
