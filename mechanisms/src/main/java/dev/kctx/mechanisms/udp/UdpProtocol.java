package dev.kctx.mechanisms.udp;

import dev.kctx.mechanisms.sock.SocketCall;
import dev.kctx.mechanisms.Errno;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The UDP socket calls a user process makes (requests), what they return (replies) and how they
 * fail (errors); kernel sockets use the same records for what kernel_recvmsg returns. Only
 * loopback exists: an address is 127.0.0.1 (or 0.0.0.0, any, for bind).
 */
public sealed interface UdpProtocol {

    sealed interface Request extends UdpProtocol {
        String syscall();
    }

    sealed interface Reply extends UdpProtocol {
    }

    sealed interface Error extends Reply {
        Errno errno();
    }

    /** socket(AF_INET, SOCK_DGRAM, 0): answers {@link Opened}. */
    record Socket() implements Request {
        public String syscall() {
            return "socket";
        }
    }

    /** bind(fd, {AF_INET, addr, port}); port 0 picks an ephemeral port. Answers {@link Bound}. */
    record Bind(int fd, String addr, int port) implements Request {
        public String syscall() {
            return "bind";
        }
    }

    /** setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value): answers {@link RcvbufSet} with what the kernel stored. */
    record SetRcvbuf(int fd, int value) implements Request {
        public String syscall() {
            return "setsockopt";
        }
    }

    /** sendto(fd, data, flags, {AF_INET, addr, port}): answers {@link Sent}; an unbound socket is bound first. */
    record SendTo(int fd, String addr, int port, byte[] data) implements Request {
        public SendTo {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SendTo s && s.fd == fd && s.addr.equals(addr) && s.port == port && Arrays.equals(s.data, data);
        }

        @Override
        public int hashCode() {
            return (fd * 31 + addr.hashCode()) * 31 + port + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "SendTo[fd=" + fd + ", " + addr + ":" + port + ", " + data.length + " bytes]";
        }

        public String syscall() {
            return "sendto";
        }
    }

    /** recvfrom(fd, flags): one datagram; waits unless {@code dontWait}. Answers {@link Datagram}. */
    record RecvFrom(int fd, boolean dontWait) implements Request {
        public String syscall() {
            return "recvfrom";
        }
    }

    record Close(int fd) implements Request {
        public String syscall() {
            return "close";
        }
    }

    record Opened(int fd) implements Reply, SocketCall.Opens {
    }

    record Bound(String addr, int port) implements Reply {
    }

    record RcvbufSet(int value) implements Reply {
    }

    record Sent(int bytes) implements Reply, SocketCall.Sends {
    }

    /** A datagram and where it came from. */
    record Datagram(String srcAddr, int srcPort, byte[] data) implements Reply {
        public Datagram {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Datagram d && d.srcAddr.equals(srcAddr) && d.srcPort == srcPort && Arrays.equals(d.data, data);
        }

        @Override
        public int hashCode() {
            return srcAddr.hashCode() * 31 + srcPort + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Datagram[" + srcAddr + ":" + srcPort + ", \"" + text() + "\"]";
        }
    }

    record Closed() implements Reply {
    }

    record Failed(String syscall, Errno errno) implements Error {
    }
}
