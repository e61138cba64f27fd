package dev.kctx.cli.scenario;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.Perturbation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code perturb} section: the timing choices of one run found by {@code kctx explore}, pinned
 * so that {@code kctx run} replays that run exactly (docs/explore.md).
 * <pre>
 * perturb:
 *   seed: 17                          # instead of machine.seed
 *   irqs: {nic: -37.512us}            # every arrival of line nic moved by this much (clamped at 0)
 *   starts: {ringd: 12us}             # the task starts this much later (negative: earlier, clamped at 0)
 *   ties: {seed: 5, changes: [100us]} # the CPUs' turn order at each instant (Perturbation.Ties)
 * </pre>
 * None of it models the kernel: it stands for what varies between boots of a real machine.
 */
public final class PerturbSection {
    public static final List<String> KEYS = List.of("seed", "irqs", "starts", "ties");

    private PerturbSection() {
    }

    /** What the section pins: an optional seed, start shifts by task name, and the engine's part. */
    record Pinned(Optional<Long> seed, Map<String, Long> startShiftsNs, Perturbation perturbation) {
    }

    static Pinned parse(Node node, Set<String> irqNames, Set<String> taskNames) {
        Fields f = Fields.of(node, "perturb", KEYS);
        Optional<Long> seed = f.opt("seed").map(n -> Values.integer(n, "perturb seed", Long.MIN_VALUE, Long.MAX_VALUE));
        Map<String, Long> irqs = shifts(f.opt("irqs"), "irq", irqNames);
        Map<String, Long> starts = shifts(f.opt("starts"), "task", taskNames);
        Perturbation.Ties ties = f.opt("ties").map(PerturbSection::ties).orElse(null);
        return new Pinned(seed, starts, new Perturbation(irqs, ties));
    }

    /** {@code NAME: SIGNED_DURATION} for names of {@code what} the scenario has. */
    private static Map<String, Long> shifts(Optional<Node> node, String what, Set<String> names) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (node.isEmpty()) {
            return out;
        }
        Node.MapNode m = Values.map(node.get(), "perturb " + what + "s", what + " names and signed durations, e.g. 'nic: -3us'");
        for (Node.Entry e : m.entries()) {
            if (!names.contains(e.key())) {
                throw new ScenarioError(e.keyLoc(), Errors.unknown(what, e.key(), names), "the name of a declared " + what);
            }
            out.put(e.key(), signedDuration(e.value(), what + " " + e.key() + " shift"));
        }
        return out;
    }

    private static Perturbation.Ties ties(Node node) {
        Fields f = Fields.of(node, "perturb ties", List.of("seed", "changes"));
        long seed = Values.integer(f.req("seed", "N"), "ties seed", Long.MIN_VALUE, Long.MAX_VALUE);
        List<Long> changes = new ArrayList<>();
        Optional<Node> cs = f.opt("changes");
        if (cs.isPresent()) {
            for (Node t : Values.seq(cs.get(), "ties changes", "virtual times, e.g. [100us, 2ms]").items()) {
                long v = Values.duration(t, "priority change time");
                if (!changes.isEmpty() && v < changes.get(changes.size() - 1)) {
                    throw new ScenarioError(t.loc(), "priority change time " + Values.string(t, "") + " is before the one before it",
                            "ascending times");
                }
                changes.add(v);
            }
        }
        return new Perturbation.Ties(seed, changes);
    }

    /** A duration with an optional minus sign, e.g. {@code -3.5us}. */
    static long signedDuration(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.STRING && s.text().strip().startsWith("-")) {
            return -Values.duration(new Node.ScalarNode(s.loc(), s.kind(), s.text().strip().substring(1)), what);
        }
        return Values.duration(n, what);
    }

    /** The tasks with their start times moved ({@code starts:}), clamped at 0. */
    static List<MachineSpec.Task> shiftStarts(List<MachineSpec.Task> tasks, Map<String, Long> shifts) {
        if (shifts.isEmpty()) {
            return tasks;
        }
        List<MachineSpec.Task> out = new ArrayList<>();
        for (MachineSpec.Task t : tasks) {
            long s = shifts.getOrDefault(t.name(), 0L);
            out.add(s == 0 ? t : new MachineSpec.Task(t.name(), t.cpu(), Math.max(0, t.startNs() + s), t.body(), t.pid(),
                    t.attr(), t.allowed()));
        }
        return out;
    }

    /**
     * {@code ns} as the section writes it, exactly: whole microseconds as {@code 12us}, else
     * microseconds with up to three decimals ({@code -37.512us}).
     */
    public static String format(long ns) {
        String sign = ns < 0 ? "-" : "";
        long a = Math.abs(ns);
        long frac = a % 1000;
        if (frac == 0) {
            return sign + a / 1000 + "us";
        }
        String f = String.format(java.util.Locale.ROOT, "%03d", frac).replaceAll("0+$", "");
        return sign + a / 1000 + "." + f + "us";
    }
}
