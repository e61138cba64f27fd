package dev.kctx.mechanisms.netlink;

import dev.kctx.mechanisms.sock.SocketCall;
import dev.kctx.mechanisms.Errno;

import java.util.List;

/**
 * The netlink socket calls a user process makes (requests), what they return (replies) and how they
 * fail (errors). A request runs as a system call in the caller's process context
 * ({@link NetlinkUser}); its reply is left in the caller's {@link dev.kctx.mechanisms.user.Regs}.
 */
public sealed interface NetlinkProtocol {

    /** A system call on a netlink socket. */
    sealed interface Request extends NetlinkProtocol {
        /** The system call's name, as the trace shows it. */
        String syscall();
    }

    /** What a successful call returns. */
    sealed interface Reply extends NetlinkProtocol {
    }

    /** How a call fails: -1 with errno. */
    sealed interface Error extends Reply {
        Errno errno();
    }

    /** socket(AF_NETLINK, SOCK_RAW, protocol): user process, answers {@link Opened} or {@link Failed}. */
    record Socket(int protocol) implements Request {
        public String syscall() {
            return "socket";
        }
    }

    /** bind(fd, {nl_pid, nl_groups}): portId 0 asks the kernel to choose (the pid first). Answers {@link Bound}. */
    record Bind(int fd, int portId, int groups) implements Request {
        public String syscall() {
            return "bind";
        }
    }

    /** setsockopt(fd, level, option, value): answers {@link OptionSet}. */
    record SetSockOpt(int fd, Option option, int value) implements Request {
        public String syscall() {
            return "setsockopt";
        }
    }

    /**
     * sendmsg(fd, msgs, {nl_pid, nl_groups}, flags): one datagram holding {@code msgs}, unicast to
     * {@code dstPortId} (0: the kernel) and, when {@code dstGroups} is set, multicast to its lowest
     * group too. Answers {@link Sent}.
     */
    record SendMsg(int fd, List<NlMsg> msgs, int dstPortId, int dstGroups, boolean dontWait) implements Request {
        public SendMsg {
            msgs = List.copyOf(msgs);
        }

        public String syscall() {
            return "sendmsg";
        }
    }

    /** recvmsg(fd, flags): one datagram; waits for one unless {@code dontWait}. Answers {@link Received}. */
    record RecvMsg(int fd, boolean dontWait) implements Request {
        public String syscall() {
            return "recvmsg";
        }
    }

    /** close(fd): answers {@link Closed}. */
    record Close(int fd) implements Request {
        public String syscall() {
            return "close";
        }
    }

    /** The socket options kctx models. */
    enum Option {
        /** SOL_SOCKET SO_RCVBUF: the kernel stores twice the value, at least SOCK_MIN_RCVBUF. */
        SO_RCVBUF,
        /** SOL_NETLINK NETLINK_ADD_MEMBERSHIP: subscribe to a multicast group (1..32). */
        NETLINK_ADD_MEMBERSHIP,
        /** SOL_NETLINK NETLINK_DROP_MEMBERSHIP. */
        NETLINK_DROP_MEMBERSHIP,
        /** SOL_NETLINK NETLINK_BROADCAST_ERROR: a broadcast that cannot be queued here fails with ENOBUFS (value 0 or 1). */
        NETLINK_BROADCAST_ERROR
    }

    /** The new socket's descriptor. */
    record Opened(int fd) implements Reply, SocketCall.Opens {
    }

    /** The port id the socket holds now. */
    record Bound(int portId) implements Reply {
    }

    /** The value the kernel stored (SO_RCVBUF: doubled). */
    record OptionSet(Option option, int value) implements Reply {
    }

    /** Bytes sent. */
    record Sent(int bytes) implements Reply, SocketCall.Sends {
    }

    /**
     * recvmsg found nothing to read and may wait: the caller sleeps on {@code queue} and runs the call
     * again when woken (the kernel's skb_recv_datagram loop). Never seen by user space.
     */
    record Blocked(String queue) implements Reply {
    }

    /** One datagram: its sender's port id, the group it was multicast to (0: unicast), its messages. */
    record Received(int srcPortId, int group, List<NlMsg> msgs, int bytes) implements Reply {
        public Received {
            msgs = List.copyOf(msgs);
        }
    }

    /** The descriptor is gone. */
    record Closed() implements Reply {
    }

    /** The call returned -1 with {@code errno}. */
    record Failed(String syscall, Errno errno) implements Error {
    }
}
