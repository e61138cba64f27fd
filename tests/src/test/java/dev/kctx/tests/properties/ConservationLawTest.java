package dev.kctx.tests.properties;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conservation checker can fail: counters that miscount one message each break the rule named. */
class ConservationLawTest {
    static final SocketSnapshot A = new SocketSnapshot("netlink 2 port 4600", 4600, true, 3, 2, Map.of(Errno.EAGAIN, 1L), 1, Map.of());
    static final SocketSnapshot B = new SocketSnapshot("netlink 2 port 4601", 4601, true, 2, 1, Map.of(), 0, Map.of());

    /** 5 sent (3 by A, 2 by B), 3 delivered, 1 dropped at A with EAGAIN, 1 queued at A. */
    static MechanismSnapshot good() {
        return new MechanismSnapshot("netlink", 5, 3, Map.of(Errno.EAGAIN, 1L), 1, Map.of(), List.of(A, B));
    }

    static List<String> rules(List<String> violations) {
        return violations.stream().map(v -> v.substring(0, v.indexOf(':'))).distinct().toList();
    }

    @Test
    @DisplayName("correct counters pass")
    void correctCountersPass() {
        assertEquals(List.of(), ConservationLaw.check(good()));
        MechanismSnapshot refused = new MechanismSnapshot("udp", 2, 1, Map.of(Errno.ECONNREFUSED, 1L), 0, Map.of(),
                List.of(new SocketSnapshot("udp 127.0.0.1:7000", 4600, true, 2, 1, Map.of(), 0, Map.of())));
        assertEquals(List.of(), ConservationLaw.check(refused), "a drop at no socket is ECONNREFUSED, counted by the mechanism only");
    }

    @Test
    @DisplayName("a message lost without a count breaks conservation")
    void lostMessage() {
        MechanismSnapshot s = new MechanismSnapshot("netlink", 6, 3, Map.of(Errno.EAGAIN, 1L), 1, Map.of(), List.of(A, B));
        assertTrue(rules(ConservationLaw.check(s)).contains("conservation"), () -> ConservationLaw.check(s).toString());
    }

    @Test
    @DisplayName("a delivery counted by the mechanism but by no socket breaks the socket sums")
    void socketMiscount() {
        MechanismSnapshot s = new MechanismSnapshot("netlink", 5, 3, Map.of(Errno.EAGAIN, 1L), 1, Map.of(),
                List.of(A, new SocketSnapshot("netlink 2 port 4601", 4601, true, 2, 0, Map.of(), 0, Map.of())));
        assertEquals(List.of("socket-sums"), rules(ConservationLaw.check(s)));
    }

    @Test
    @DisplayName("a drop with an errno Linux does not drop with is caught, as is a drop moved to another errno")
    void wrongErrno() {
        SocketSnapshot a = new SocketSnapshot("netlink 2 port 4600", 4600, true, 3, 2, Map.of(Errno.ENOMEM, 1L), 1, Map.of());
        MechanismSnapshot s = new MechanismSnapshot("netlink", 5, 3, Map.of(Errno.ENOMEM, 1L), 1, Map.of(), List.of(a, B));
        assertEquals(List.of("drop-errno"), rules(ConservationLaw.check(s)));
        MechanismSnapshot moved = new MechanismSnapshot("netlink", 5, 3, Map.of(Errno.ENOBUFS, 1L), 1, Map.of(), List.of(A, B));
        assertEquals(List.of("socket-sums"), rules(ConservationLaw.check(moved)));
    }

    @Test
    @DisplayName("a closed socket with messages, or a kernel socket that overran, is caught")
    void socketStates() {
        SocketSnapshot closed = new SocketSnapshot("netlink 2 port 4600", 4600, false, 3, 2, Map.of(Errno.EAGAIN, 1L), 1, Map.of());
        assertEquals(List.of("closed-empty"), rules(ConservationLaw.check(
                new MechanismSnapshot("netlink", 5, 3, Map.of(Errno.EAGAIN, 1L), 1, Map.of(), List.of(closed, B)))));
        SocketSnapshot kernel = new SocketSnapshot("netlink 25 port 0", 0, true, 0, 0, Map.of(Errno.ENOBUFS, 1L), 0, Map.of());
        assertEquals(List.of("kernel-socket-drop"), rules(ConservationLaw.check(
                new MechanismSnapshot("netlink", 1, 0, Map.of(Errno.ENOBUFS, 1L), 0, Map.of(),
                        List.of(kernel, new SocketSnapshot("netlink 25 port 4600", 4600, true, 1, 0, Map.of(), 0, Map.of()))))));
    }

    /** What the programs received when the counters of {@link #good()} are right: A took 2, B 1. */
    static Ledger matching() {
        Ledger ledger = new Ledger();
        ledger.received("netlink", 4600);
        ledger.received("netlink", 4600);
        ledger.received("netlink", 4601);
        return ledger;
    }

    @Test
    @DisplayName("at the end, counters that disagree with what the programs received, or a message received twice, are caught")
    void ledgerDisagrees() {
        Ledger ledger = matching();
        assertEquals(List.of(), ConservationLaw.atEnd(List.of(good()), ledger, "netlink 25 "), "the ledger matches");
        ledger.received("netlink", 4601);
        assertEquals(List.of("per-socket"), rules(ConservationLaw.atEnd(List.of(good()), ledger, "netlink 25 ")));
        Ledger twice = matching();
        twice.message("netlink 4600 nl", "m4601.3");
        twice.message("netlink 4600 nl", "m4601.3");
        assertEquals(List.of("no-duplicates"), rules(ConservationLaw.atEnd(List.of(good()), twice, "netlink 25 ")));
        twice.kernelInputs = 1;
        assertTrue(rules(ConservationLaw.atEnd(List.of(good()), twice, "netlink 25 ")).contains("per-socket"),
                "a kernel input that ran more often than its socket counts deliveries");
    }

    @Test
    @DisplayName("a receive that reports an overrun no drop accounts for is caught")
    void unexplainedEnobufs() {
        Ledger ledger = matching();
        ledger.outcome("netlink recv nonblock", Errno.ENOBUFS);
        assertEquals(List.of("overrun-reported"), rules(ConservationLaw.atEnd(List.of(good()), ledger, "netlink 25 ")));
    }
}
