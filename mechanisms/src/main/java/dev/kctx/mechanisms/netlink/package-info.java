/**
 * Netlink (net/netlink/af_netlink.c): MAX_LINKS families with kernel sockets and input functions,
 * user sockets with port ids, unicast and multicast both ways, receive buffers that overflow into
 * EAGAIN for the sender and ENOBUFS for the receiver, and the check the mission names: sends from
 * soft or hard IRQ must not block. Messages are nlmsghdr plus payload ({@link
 * dev.kctx.mechanisms.netlink.NlMsg}), attributes nlattr TLVs ({@link dev.kctx.mechanisms.netlink.Nla}).
 */
package dev.kctx.mechanisms.netlink;
