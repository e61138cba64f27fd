package dev.kctx.mechanisms.genetlink;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlaPolicy;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The seed's gnkernel module and gnuser program (after the Linux Foundation's generic netlink
 * how-to). The module registers family CONTROL_EXMPL with command DOC_EXMPL_C_ECHO, whose handler
 * logs {@code received: <msg>} and answers {@code hello world from kernel space}. gnuser resolves the
 * family through nlctrl, sends the echo command with its message ({@code hello world!}, or its first
 * argument) and prints the answer; if the family is gone, {@code received error} (from the lookup,
 * which leaves the id at -1) and {@code error received NACK - leaving} (from the echo sent to id
 * 0xffff).
 */
public final class GnExample {
    public static final String NAME = "gnkernel";
    public static final String FAMILY = "CONTROL_EXMPL";
    public static final int DOC_EXMPL_A_MSG = 1;
    public static final int DOC_EXMPL_A_MAX = 1;
    public static final int DOC_EXMPL_C_ECHO = 1;
    public static final int VERSION_NR = 1;

    private GnExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), GnExample::init, GnExample::exit);
    }

    /** doc_exmpl_gnl_family with doc_exmpl_gnl_ops_echo; the policy: DOC_EXMPL_A_MSG is a NUL-terminated string. */
    public static GenlFamily family() {
        return new GenlFamily(FAMILY, VERSION_NR, DOC_EXMPL_A_MAX,
                NlaPolicy.table(DOC_EXMPL_A_MSG, NlaPolicy.of(NlaPolicy.Type.NUL_STRING)),
                List.of(GenlOp.doit(DOC_EXMPL_C_ECHO, 0, GnExample::echo)), List.of());
    }

    private static int init(ModuleCtx m) {
        m.printk("INIT GENERIC NETLINK EXEMPLE MODULE");
        try {
            Genetlink.get(m.ctx().kernel()).register(m, family());
        } catch (dev.kctx.mechanisms.KernelError e) {
            m.printk("an error occured while inserting the generic netlink example module");
            return -1;
        }
        return 0;
    }

    private static void exit(ModuleCtx m) {
        m.printk("EXIT GENERIC NETLINK EXEMPLE MODULE");
    }

    /** doc_exmpl_echo: log the message, answer with genlmsg_put(skb, 0, snd_seq + 1, ...) and genlmsg_unicast. */
    private static int echo(GenlInfo info) {
        Nla na = info.attr(DOC_EXMPL_A_MSG);
        if (na != null) {
            info.printk("received: " + na.asString());
        } else {
            info.printk("no info->attrs " + DOC_EXMPL_A_MSG);
        }
        info.genlmsgNew(Genetlink.NLMSG_DEFAULT_SIZE, false);
        int rc = info.unicast(info.sndPortId(), info.put(0, info.sndSeq() + 1, 0, DOC_EXMPL_C_ECHO,
                List.of(Nla.string(DOC_EXMPL_A_MSG, "hello world from kernel space"))));
        if (rc != 0) {
            info.printk("an error occured in doc_exmpl_echo:");
        }
        return 0;
    }

    /** The machine's programs: {@code gnuser}. */
    public static Map<String, Function<List<String>, List<Op>>> programs() {
        return Map.of("gnuser", GnExample::gnuser);
    }

    /** gnuser [message]. */
    public static List<Op> gnuser(List<String> args) {
        String message = args.isEmpty() ? "hello world!" : args.get(0);
        List<Op> ops = new ArrayList<>(NetlinkUser.socket("nl_sd", Netlink.NETLINK_GENERIC));
        ops.add(Sys.user("create_nl_socket", x -> {
            if (Sys.regs(x).failed()) {
                x.console("socket: " + Sys.regs(x).errno.text());
                x.console("create failure");
                return List.of();
            }
            List<Op> next = new ArrayList<>(NetlinkUser.bind("nl_sd", 0, 0));
            next.add(Sys.user("create_nl_socket", y -> {
                if (Sys.regs(y).failed()) {
                    List<Op> out = new ArrayList<>(NetlinkUser.close("nl_sd"));
                    out.add(Sys.act("main", z -> z.console("create failure")));
                    return out;
                }
                return getFamilyIdThenEcho(message);
            }));
            return next;
        }));
        return ops;
    }

    /** get_family_id, then the echo command with the id it found (-1, so type 0xffff, when it failed). */
    private static List<Op> getFamilyIdThenEcho(String message) {
        List<Op> ops = new ArrayList<>(GenlUser.send("nl_sd", 0, x -> new GenlProtocol.GetFamily(FAMILY)));
        ops.addAll(GenlUser.recv("nl_sd"));
        ops.add(Sys.user("get_family_id", x -> {
            Regs r = Sys.regs(x);
            int id = -1;
            if (r.failed()) {
                x.console("recv: " + r.errno.text());
            } else if (GenlUser.reply(r) instanceof GenlProtocol.Error) {
                x.console("received error");
            } else if (GenlUser.reply(r) instanceof GenlProtocol.NewFamily f) {
                id = f.id();
            }
            int familyId = id;
            // The seed copies strlen + 2 bytes of its message: the text, its NUL and one more byte.
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            Nla msg = new Nla(DOC_EXMPL_A_MSG, Arrays.copyOf(text, text.length + 2));
            List<Op> next = new ArrayList<>(GenlUser.send("nl_sd", 60,
                    y -> new GenlProtocol.Command(familyId, DOC_EXMPL_C_ECHO, VERSION_NR, List.of(msg), 0)));
            next.addAll(GenlUser.recv("nl_sd"));
            next.add(Sys.user("main", y -> {
                Regs r2 = Sys.regs(y);
                if (r2.failed()) {
                    y.console("error receiving reply message via Netlink");
                    return List.of();
                }
                if (GenlUser.reply(r2) instanceof GenlProtocol.Error) {
                    y.console("error received NACK - leaving");
                    return List.of();
                }
                if (GenlUser.reply(r2) instanceof GenlProtocol.Message m && m.attr(DOC_EXMPL_A_MSG) != null) {
                    y.console("kernel says: " + m.attr(DOC_EXMPL_A_MSG).asString());
                }
                return NetlinkUser.close("nl_sd");
            }));
            return next;
        }));
        return ops;
    }
}
