package dev.kctx.mechanisms.netlink;

/**
 * A kernel netlink family that a layer above netlink creates at boot, registered as
 * {@link dev.kctx.mechanisms.Initcalls} so that netlink names none of them: genetlink's
 * NETLINK_GENERIC (genl_init's netlink_kernel_create in net/netlink/genetlink.c).
 */
public interface NetlinkInitcall {
    /** The family's number (NETLINK_GENERIC, say). */
    int unit();

    /** Its netlink_kernel_cfg: the input, flags, groups. */
    Netlink.Config config();
}
