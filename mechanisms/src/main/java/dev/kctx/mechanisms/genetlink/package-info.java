/**
 * Generic netlink (net/netlink/genetlink.c): one netlink family, NETLINK_GENERIC, multiplexing named
 * families that modules register at run time, with the controller nlctrl resolving names to ids.
 * The seed's gnkernel/gnuser pair is {@link dev.kctx.mechanisms.genetlink.GnExample}.
 */
package dev.kctx.mechanisms.genetlink;
