package dev.kctx.mechanisms.sock;

import dev.kctx.mechanisms.Errno;

import java.util.Map;

/**
 * One socket's counters at an instant. {@code sent} is what it sent; {@code delivered},
 * {@code dropped} and {@code queued} are about messages addressed to it, so that for every socket
 * offered = delivered + dropped + queued (offered is not kept: the law holds for the mechanism).
 *
 * @param name   e.g. {@code netlink 31 port 4243} or {@code udp 127.0.0.1:5555}
 * @param owner  the pid that created it, 0 for the kernel
 * @param open   false once closed (its counters stay)
 */
public record SocketSnapshot(String name, int owner, boolean open, long sent, long delivered,
                             Map<Errno, Long> dropped, long queued, Map<Errno, Long> errors) {
    public SocketSnapshot {
        dropped = Map.copyOf(dropped);
        errors = Map.copyOf(errors);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line, e.g. {@code udp 127.0.0.1:6000 pid 4243: sent 1 delivered 3 dropped 17 (ENOMEM 17) queued 0}. */
    public String line() {
        return name + (owner == 0 ? " kernel" : " pid " + owner) + (open ? "" : " (closed)") + ": sent " + sent
                + " delivered " + delivered + " dropped " + droppedTotal() + MechanismSnapshot.byErrno(dropped)
                + " queued " + queued + (errors.isEmpty() ? "" : " errors" + MechanismSnapshot.byErrno(errors));
    }
}
