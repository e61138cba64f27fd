package dev.kctx.mechanisms.netlink;

/**
 * A netlink family's input function (netlink_kernel_cfg.input): called with each datagram a user
 * sends to the kernel socket. With {@link Netlink.InputMode#SYSCALL} it runs inside the sender's
 * sendmsg, in its process context; with {@link Netlink.InputMode#SOFTIRQ} in a soft IRQ raised by
 * that sendmsg. Either way it runs at once, never waiting for a kernel thread to be scheduled.
 */
@FunctionalInterface
public interface NetlinkInput {
    void input(InputCtx in);
}
