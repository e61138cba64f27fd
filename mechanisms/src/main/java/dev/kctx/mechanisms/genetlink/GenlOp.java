package dev.kctx.mechanisms.genetlink;

import dev.kctx.mechanisms.netlink.NlMsg;

import java.util.List;

/**
 * One command of a family (struct genl_ops): its number, flags ({@link Genetlink#GENL_ADMIN_PERM})
 * and handlers. {@code doit} answers a request and returns 0 or -errno (an error is NACKed);
 * {@code dumpit} answers an NLM_F_DUMP request with a list of messages (null: no dump).
 */
public record GenlOp(int cmd, int flags, Doit doit, Dumpit dumpit) {

    /** genl_ops.doit. */
    @FunctionalInterface
    public interface Doit {
        int doit(GenlInfo info);
    }

    /** genl_ops.dumpit, all at once: the messages of the dump (the framework adds NLM_F_MULTI and NLMSG_DONE). */
    @FunctionalInterface
    public interface Dumpit {
        List<NlMsg> dump(GenlInfo info);
    }

    public static GenlOp doit(int cmd, int flags, Doit doit) {
        return new GenlOp(cmd, flags, doit, null);
    }
}
