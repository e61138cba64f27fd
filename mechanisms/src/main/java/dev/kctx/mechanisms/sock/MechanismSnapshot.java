package dev.kctx.mechanisms.sock;

import dev.kctx.mechanisms.Errno;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mechanism's counters at an instant (netlink, genetlink, udp), with its sockets. The
 * conservation law {@link #conserved()}: sent = delivered + dropped + in flight.
 */
public record MechanismSnapshot(String mechanism, long sent, long delivered, Map<Errno, Long> dropped, long inFlight,
                                Map<Errno, Long> errors, List<SocketSnapshot> sockets) {
    public MechanismSnapshot {
        dropped = Map.copyOf(dropped);
        errors = Map.copyOf(errors);
        sockets = List.copyOf(sockets);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    public boolean conserved() {
        return sent == delivered + droppedTotal() + inFlight;
    }

    /** The mechanism line: {@code udp: sent 21 delivered 4 dropped 17 (ENOMEM 17) in-flight 0}. */
    public String line() {
        return mechanism + ": sent " + sent + " delivered " + delivered + " dropped " + droppedTotal() + byErrno(dropped)
                + " in-flight " + inFlight + (errors.isEmpty() ? "" : " errors" + byErrno(errors));
    }

    /** The counters as text: the mechanism line, then one indented line per socket. */
    public String text() {
        StringBuilder sb = new StringBuilder(line()).append('\n');
        for (SocketSnapshot s : sockets) {
            sb.append("  ").append(s.line()).append('\n');
        }
        return sb.toString();
    }

    static String byErrno(Map<Errno, Long> m) {
        if (m.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        new TreeMap<>(m).forEach((e, n) -> sb.append(sb.length() > 2 ? ", " : "").append(e.name()).append(' ').append(n));
        return sb.append(')').toString();
    }
}
