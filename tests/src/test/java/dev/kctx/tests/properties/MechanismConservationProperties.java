package dev.kctx.tests.properties;

import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing is lost silently: on generated machines with netlink, generic netlink and UDP traffic,
 * every message sent is delivered, dropped with the errno Linux gives, or still queued, per
 * mechanism at every audit and per socket at the end, where the counters also agree with what the
 * programs themselves received; and every call returns only errnos Linux returns for it.
 */
@Label("Mechanism conservation")
@AddLifecycleHook(Fuzz.Hook.class)
class MechanismConservationProperties {
    /** Totals over the runs, by mechanism: sent, delivered, in flight, drops by errno; and calls by kind and outcome. */
    static final Map<String, long[]> TOTALS = new TreeMap<>();
    static final Map<String, Long> DROPS = new TreeMap<>();
    static final Map<String, Long> CALLS = new TreeMap<>();
    static int runs;

    @AfterContainer
    static void stop() throws IOException {
        Sim.shutdown();
        StringBuilder sb = new StringBuilder("mechanism-conservation: " + runs + " runs\n");
        TOTALS.forEach((m, t) -> sb.append(m).append(": sent ").append(t[0]).append(" delivered ").append(t[1])
                .append(" in flight at the end ").append(t[2]).append('\n'));
        sb.append("drops: ").append(DROPS).append('\n').append("calls: ").append(CALLS).append('\n');
        Path dir = Path.of("target", "reliability");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("mechanism-conservation.txt"), sb);
        // The generator must keep exercising every way a message is dropped and every kind of call.
        for (String d : List.of("netlink ENOBUFS", "netlink EAGAIN", "netlink ECONNREFUSED", "genetlink ENOBUFS",
                "udp ENOMEM", "udp ECONNREFUSED")) {
            assertTrue(DROPS.getOrDefault(d, 0L) > 0, "some run dropped with " + d + ": " + DROPS);
        }
        for (String c : NetGen.CALL_ERRNOS.keySet()) {
            if (c.equals("netlink multicast")) {
                continue; // its unicast part goes to port 0, which NETLINK_USERSOCK has no kernel socket at
            }
            assertTrue(CALLS.getOrDefault(c + " ok", 0L) > 0, "some run made a successful " + c + " call: " + CALLS);
        }
        for (String c : List.of("netlink send nonblock EAGAIN", "netlink send nonblock ECONNREFUSED", "netlink multicast ECONNREFUSED",
                "netlink recv nonblock ENOBUFS")) {
            assertTrue(CALLS.getOrDefault(c, 0L) > 0, "some run saw " + c + ": " + CALLS);
        }
    }

    @Provide
    Arbitrary<NetGen.Net> machines() {
        return NetGen.machines();
    }

    @Property(seed = "4242", tries = 150)
    @Fuzz.Tries(1500)
    @Label("sent = delivered + dropped + in flight per mechanism and per socket, drops and call errnos as Linux gives them")
    void messagesAreConserved(@ForAll("machines") NetGen.Net m) {
        RunResult r = Sim.run(m.spec(), NetGen.UNTIL, Sim.DEFAULT);
        assertEquals(java.util.Optional.empty(), r.failure(), () -> "the run ended normally\n" + m);
        List<String> bad = new ArrayList<>(r.dmesg().stream().filter(l -> l.contains("VIOLATION")).toList());
        Ledger ledger = m.ledger().get();
        bad.addAll(ConservationLaw.atEnd(m.snapshots(), ledger, "netlink " + NetGen.FAMILY + " "));
        ledger.errors.forEach((call, errnos) -> {
            Set<Errno> allowed = NetGen.CALL_ERRNOS.get(call);
            errnos.keySet().stream().filter(e -> !allowed.contains(e))
                    .forEach(e -> bad.add("call-errno: " + call + " returned " + e + ", Linux gives only " + allowed));
        });
        assertEquals(List.of(), bad, () -> "no rule broken\n" + m);
        assertEquals(List.of(), r.reports(), () -> "no report: atomic senders use MSG_DONTWAIT and GFP_ATOMIC\n" + m);
        tally(m.snapshots(), ledger);
    }

    private static synchronized void tally(List<MechanismSnapshot> snaps, Ledger ledger) {
        runs++;
        for (MechanismSnapshot s : snaps) {
            long[] t = TOTALS.computeIfAbsent(s.mechanism(), k -> new long[3]);
            t[0] += s.sent();
            t[1] += s.delivered();
            t[2] += s.inFlight();
            s.dropped().forEach((e, n) -> DROPS.merge(s.mechanism() + " " + e, n, Long::sum));
        }
        ledger.successes.forEach((c, n) -> CALLS.merge(c + " ok", n, Long::sum));
        ledger.errors.forEach((c, m) -> m.forEach((e, n) -> CALLS.merge(c + " " + e, n, Long::sum)));
    }
}
