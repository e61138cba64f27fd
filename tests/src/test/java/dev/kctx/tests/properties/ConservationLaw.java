package dev.kctx.tests.properties;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.SocketSnapshot;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The message conservation law and what goes with it, as named rules over the mechanisms' counters
 * (and, at the end of a run, over what the programs themselves saw, {@link Ledger}). Each
 * broken rule is one line starting with its name.
 */
public final class ConservationLaw {
    /**
     * The errnos a message may be dropped with. Netlink: ENOBUFS (a kernel sender or a multicast
     * found the receive queue full: netlink_overrun), EAGAIN (a user sender found it full:
     * netlink_attachskb), ECONNREFUSED (no socket at the port, a kernel socket without input, or
     * queued when its socket closed). UDP: ENOMEM (__udp_enqueue_schedule_skb, UDP_MIB_RCVBUFERRORS),
     * ECONNREFUSED (no socket at the port, UDP_MIB_NOPORTS, or queued when its socket closed).
     */
    static final Map<String, Set<Errno>> DROP_ERRNOS = Map.of(
            "netlink", EnumSet.of(Errno.ENOBUFS, Errno.EAGAIN, Errno.ECONNREFUSED),
            "genetlink", EnumSet.of(Errno.ENOBUFS, Errno.EAGAIN, Errno.ECONNREFUSED),
            "udp", EnumSet.of(Errno.ENOMEM, Errno.ECONNREFUSED));

    private ConservationLaw() {
    }

    /** The rules one snapshot must keep at any instant. */
    public static List<String> check(MechanismSnapshot s) {
        List<String> bad = new ArrayList<>();
        if (!s.conserved()) {
            bad.add("conservation: sent != delivered + dropped + in flight: " + s.line());
        }
        if (s.sent() < 0 || s.delivered() < 0 || s.inFlight() < 0 || s.dropped().values().stream().anyMatch(n -> n < 0)) {
            bad.add("non-negative: a negative count: " + s.line());
        }
        Set<Errno> allowed = DROP_ERRNOS.getOrDefault(s.mechanism(), Set.of());
        for (Errno e : s.dropped().keySet()) {
            if (!allowed.contains(e)) {
                bad.add("drop-errno: " + s.mechanism() + " dropped with " + e + ", which Linux does not drop with; expected one of "
                        + allowed + ": " + s.line());
            }
        }
        long sent = 0;
        long delivered = 0;
        long queued = 0;
        Map<Errno, Long> dropped = new TreeMap<>();
        for (SocketSnapshot k : s.sockets()) {
            sent += k.sent();
            delivered += k.delivered();
            queued += k.queued();
            k.dropped().forEach((e, n) -> dropped.merge(e, n, Long::sum));
            if (k.sent() < 0 || k.delivered() < 0 || k.queued() < 0) {
                bad.add("non-negative: a negative count: " + k.line());
            }
            if (!k.open() && k.queued() != 0) {
                bad.add("closed-empty: a closed socket still holds messages: " + k.line());
            }
            if (k.owner() == 0 && k.dropped().keySet().stream().anyMatch(e -> e != Errno.ECONNREFUSED)) {
                bad.add("kernel-socket-drop: a kernel socket has no receive queue to overrun: " + k.line());
            }
        }
        if (sent != s.sent()) {
            bad.add("socket-sums: the sockets sent " + sent + ", the mechanism " + s.sent() + ":\n" + s.text());
        }
        if (delivered != s.delivered()) {
            bad.add("socket-sums: the sockets took " + delivered + ", the mechanism counts " + s.delivered() + " delivered:\n" + s.text());
        }
        if (queued != s.inFlight()) {
            bad.add("socket-sums: the sockets hold " + queued + ", the mechanism counts " + s.inFlight() + " in flight:\n" + s.text());
        }
        Set<Errno> errnos = EnumSet.noneOf(Errno.class);
        errnos.addAll(dropped.keySet());
        errnos.addAll(s.dropped().keySet());
        for (Errno e : errnos) {
            long atSockets = dropped.getOrDefault(e, 0L);
            long total = s.dropped().getOrDefault(e, 0L);
            // Only a message to a port nobody holds is dropped at no socket, with ECONNREFUSED.
            if (e == Errno.ECONNREFUSED ? atSockets > total : atSockets != total) {
                bad.add("socket-sums: the sockets dropped " + atSockets + " with " + e + ", the mechanism " + total + ":\n" + s.text());
            }
        }
        return bad;
    }

    /**
     * The rules at the end of a run, comparing the counters with the ledger: every user socket
     * owner received as many datagrams as its sockets count delivered, the kernel input got as
     * many as the kernel socket {@code kernelSocket} (a name prefix) counts, no receiver got a
     * message twice, and a receive call returned ENOBUFS no more often than its mechanism overran
     * a queue.
     */
    static List<String> atEnd(List<MechanismSnapshot> snaps, Ledger ledger, String kernelSocket) {
        List<String> bad = new ArrayList<>();
        for (MechanismSnapshot s : snaps) {
            bad.addAll(check(s));
            Map<String, Long> byOwner = s.sockets().stream().filter(k -> k.owner() != 0)
                    .collect(Collectors.groupingBy(k -> s.mechanism() + " " + k.owner(), TreeMap::new,
                            Collectors.summingLong(SocketSnapshot::delivered)));
            Map<String, Long> seen = new TreeMap<>();
            ledger.received.forEach((k, n) -> {
                if (k.startsWith(s.mechanism() + " ")) {
                    seen.put(k, n);
                }
            });
            byOwner.values().removeIf(n -> n == 0);
            if (!byOwner.equals(seen)) {
                bad.add("per-socket: datagrams the programs received " + seen + " differ from the sockets' delivered counts "
                        + byOwner + ":\n" + s.text());
            }
            long kernelDelivered = s.sockets().stream().filter(k -> k.owner() == 0 && k.name().startsWith(kernelSocket))
                    .mapToLong(SocketSnapshot::delivered).sum();
            if (s.mechanism().equals("netlink") && kernelDelivered != ledger.kernelInputs) {
                bad.add("per-socket: the kernel input ran " + ledger.kernelInputs + " times, its socket counts "
                        + kernelDelivered + " delivered:\n" + s.text());
            }
            long enobufsReturned = ledger.errors.entrySet().stream().filter(e -> e.getKey().startsWith(s.mechanism() + " recv"))
                    .mapToLong(e -> e.getValue().getOrDefault(Errno.ENOBUFS, 0L)).sum();
            if (enobufsReturned > s.dropped().getOrDefault(Errno.ENOBUFS, 0L)) {
                bad.add("overrun-reported: receive calls returned ENOBUFS " + enobufsReturned + " times, but only "
                        + s.dropped().getOrDefault(Errno.ENOBUFS, 0L) + " messages were dropped with it: " + s.line());
            }
        }
        if (!ledger.duplicates.isEmpty()) {
            bad.add("no-duplicates: messages reached one receiver twice: " + ledger.duplicates);
        }
        return bad;
    }
}
