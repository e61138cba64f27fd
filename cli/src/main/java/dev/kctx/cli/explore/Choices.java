package dev.kctx.cli.explore;

import dev.kctx.cli.scenario.PerturbSection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The perturbation choices of one explored run, as plain values (it crosses the wire to cluster
 * workers as it is): what the scenario's {@code perturb:} section pins. The default run has none.
 *
 * @param seed          the machine's seed instead of the scenario's, or null to keep it
 * @param irqShiftsNs   per interrupt line, how far its arrivals move (negative: earlier)
 * @param startShiftsNs per task, how far its start moves
 * @param tiesSeed      the seed of the CPUs' turn order at each instant, or null for the default order
 * @param tieChangesNs  the priority change instants of that order (PCT), ascending; only with a seed
 */
public record Choices(Long seed, Map<String, Long> irqShiftsNs, Map<String, Long> startShiftsNs, Long tiesSeed,
                      List<Long> tieChangesNs) {
    /** The default run. */
    public static final Choices NONE = new Choices(null, Map.of(), Map.of(), null, List.of());

    public Choices {
        irqShiftsNs = java.util.Collections.unmodifiableMap(new TreeMap<>(irqShiftsNs));
        startShiftsNs = java.util.Collections.unmodifiableMap(new TreeMap<>(startShiftsNs));
        tieChangesNs = List.copyOf(tieChangesNs);
        if (tiesSeed == null && !tieChangesNs.isEmpty()) {
            throw new IllegalArgumentException("priority changes need a ties seed");
        }
    }

    /** One perturbation that shrinking may take away: a kind ({@code seed, irq, start, ties, change}) and a name. */
    public record Part(String kind, String name) {
    }

    /** The perturbations, in a fixed order: seed, irqs, starts, ties order, then each priority change. */
    public List<Part> parts() {
        List<Part> out = new ArrayList<>();
        if (seed != null) {
            out.add(new Part("seed", ""));
        }
        irqShiftsNs.keySet().forEach(n -> out.add(new Part("irq", n)));
        startShiftsNs.keySet().forEach(n -> out.add(new Part("start", n)));
        if (tiesSeed != null) {
            out.add(new Part("ties", ""));
            tieChangesNs.forEach(t -> out.add(new Part("change", Long.toString(t))));
        }
        return out;
    }

    /** These choices without {@code p} (without the ties order, its changes go too). */
    public Choices without(Part p) {
        Map<String, Long> irqs = new TreeMap<>(irqShiftsNs);
        Map<String, Long> starts = new TreeMap<>(startShiftsNs);
        List<Long> changes = new ArrayList<>(tieChangesNs);
        switch (p.kind()) {
            case "seed" -> {
                return new Choices(null, irqs, starts, tiesSeed, changes);
            }
            case "irq" -> irqs.remove(p.name());
            case "start" -> starts.remove(p.name());
            case "ties" -> {
                return new Choices(seed, irqs, starts, null, List.of());
            }
            case "change" -> changes.remove(Long.valueOf(p.name()));
            default -> throw new IllegalArgumentException("no part " + p);
        }
        return new Choices(seed, irqs, starts, tiesSeed, changes);
    }

    /** The {@code perturb:} section that pins these choices (empty for none), ending in a newline. */
    public String yaml() {
        if (parts().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("perturb:\n");
        if (seed != null) {
            sb.append("  seed: ").append(seed).append('\n');
        }
        if (!irqShiftsNs.isEmpty()) {
            sb.append("  irqs: ").append(durations(irqShiftsNs)).append('\n');
        }
        if (!startShiftsNs.isEmpty()) {
            sb.append("  starts: ").append(durations(startShiftsNs)).append('\n');
        }
        if (tiesSeed != null) {
            sb.append("  ties: {seed: ").append(tiesSeed);
            if (!tieChangesNs.isEmpty()) {
                List<String> ts = new ArrayList<>();
                tieChangesNs.forEach(t -> ts.add(PerturbSection.format(t)));
                sb.append(", changes: [").append(String.join(", ", ts)).append(']');
            }
            sb.append("}\n");
        }
        return sb.toString();
    }

    private static String durations(Map<String, Long> m) {
        List<String> es = new ArrayList<>();
        m.forEach((k, v) -> es.add(key(k) + ": " + PerturbSection.format(v)));
        return "{" + String.join(", ", es) + "}";
    }

    /** A name as a flow-mapping key: quoted unless plain (a name such as {@code on} or {@code a:b} would read otherwise). */
    private static String key(String name) {
        boolean plain = name.matches("[A-Za-z_][A-Za-z0-9_-]*")
                && !List.of("y", "n", "yes", "no", "on", "off", "true", "false", "null").contains(name.toLowerCase(java.util.Locale.ROOT));
        return plain ? name : "\"" + name + "\"";
    }

    /** One line: {@code seed 17, irq nic -37.5us, start ringd 12us, ties 5 [100us]}, or {@code none}. */
    public String describe() {
        List<String> out = new ArrayList<>();
        if (seed != null) {
            out.add("seed " + seed);
        }
        irqShiftsNs.forEach((k, v) -> out.add("irq " + k + " " + PerturbSection.format(v)));
        startShiftsNs.forEach((k, v) -> out.add("start " + k + " " + PerturbSection.format(v)));
        if (tiesSeed != null) {
            List<String> ts = new ArrayList<>();
            tieChangesNs.forEach(t -> ts.add(PerturbSection.format(t)));
            out.add("ties " + tiesSeed + (ts.isEmpty() ? "" : " changes " + String.join(" ", ts)));
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }
}
