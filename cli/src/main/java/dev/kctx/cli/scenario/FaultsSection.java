package dev.kctx.cli.scenario;

import dev.kctx.actors.MachineSpec;

import java.util.List;

/**
 * The {@code faults} section: faults the engine injects, each decided by a generator seeded from
 * the machine's seed, so that a run with faults is as reproducible as one without.
 * <pre>
 * faults:
 *   gfp_atomic_fail: 0.1   # each GFP_ATOMIC kmalloc fails (returns NULL) with this probability
 *   irq_loss: 0.05         # each interrupt arrival is lost with this probability
 *   spurious_irqs: 500     # extra arrivals per virtual second on every line, with no device event
 * </pre>
 */
public final class FaultsSection {
    public static final List<String> KEYS = List.of("gfp_atomic_fail", "irq_loss", "spurious_irqs");
    /** The most spurious arrivals per second a line may get: the rate bound of arrivals. */
    static final double MAX_SPURIOUS = 1e9;

    private FaultsSection() {
    }

    static MachineSpec.Faults parse(Node node) {
        Fields f = Fields.of(node, "faults", KEYS);
        double gfp = f.opt("gfp_atomic_fail").map(n -> probability(n, "gfp_atomic_fail")).orElse(0.0);
        double loss = f.opt("irq_loss").map(n -> probability(n, "irq_loss")).orElse(0.0);
        double spurious = f.opt("spurious_irqs").map(n -> Values.number(n, "spurious_irqs", 0, MAX_SPURIOUS)).orElse(0.0);
        return new MachineSpec.Faults(gfp, loss, spurious);
    }

    private static double probability(Node n, String what) {
        return Values.number(n, what + " (a probability)", 0, 1);
    }
}
