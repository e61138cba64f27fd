package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.udp.Udp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test support for the socket mechanisms: a machine whose netlink and UDP state the test can read
 * after the run, and the invariant every run must keep (Caffeine style): each mechanism's counters
 * obey sent = delivered + dropped + in flight.
 */
public final class NetMachine {
    private final AtomicReference<Netlink> netlink = new AtomicReference<>();
    private final AtomicReference<Udp> udp = new AtomicReference<>();

    /** A one-CPU machine with these modules on disk and programs, netlink and UDP state kept for the test. */
    public MachineSpec.Builder builder(List<ModuleDef> modules, Map<String, Function<List<String>, List<Op>>> programs) {
        return MachineSpec.builder().cpus(1)
                .boot(Modules.class, () -> new Modules(modules))
                .boot(Executables.class, () -> Executables.programFiles(programs))
                .boot(Netlink.class, () -> {
                    Netlink n = new Netlink();
                    netlink.set(n);
                    return n;
                })
                .boot(Udp.class, () -> {
                    Udp u = new Udp();
                    udp.set(u);
                    return u;
                });
    }

    public RunResult run(ActorTestKit kit, MachineSpec spec, long untilNs) {
        RunResult r = Transcripts.run(kit, spec, untilNs);
        checkConservation();
        return r;
    }

    public Netlink netlink() {
        return netlink.get();
    }

    public Udp udp() {
        return udp.get();
    }

    /** Every mechanism's counters conserve messages. */
    public void checkConservation() {
        for (MechanismSnapshot s : List.of(netlink.get().netlinkSnapshot(), netlink.get().genetlinkSnapshot(), udp.get().snapshot())) {
            assertTrue(s.conserved(), () -> "sent = delivered + dropped + in flight for " + s.line());
        }
    }
}
