package dev.kctx.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Timing choices that move a run off its default schedule, pinned so that the run replays exactly
 * ({@code kctx explore} searches them; a scenario's {@code perturb:} section states them). None of
 * it models the kernel: it stands for what a real machine varies from boot to boot (when a device
 * raises its line, which CPU gets to a contended cache line first).
 *
 * @param irqShiftsNs per interrupt line (by name): every arrival of the line moved by this many ns
 *                    (negative: earlier; an arrival moved before 0 happens at 0)
 * @param ties        the order in which the CPUs of one instant take their turn, or null for the
 *                    default (ascending CPU number)
 */
public record Perturbation(Map<String, Long> irqShiftsNs, Ties ties) {
    /** The default schedule. */
    public static final Perturbation NONE = new Perturbation(Map.of(), null);

    public Perturbation {
        irqShiftsNs = java.util.Collections.unmodifiableMap(new TreeMap<>(irqShiftsNs));
    }

    /** The shift of line {@code name}, 0 when it has none. */
    public long irqShiftNs(String name) {
        return irqShiftsNs.getOrDefault(name, 0L);
    }

    /**
     * The turn order of the CPUs at one instant, in the style of PCT (Burckhardt et al., "A
     * Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): the CPUs
     * get distinct priorities from {@code seed} (a seeded shuffle), and at each instant of
     * {@code changesNs} the CPU that goes first is demoted below all others. Same-instant work of
     * one CPU keeps its order (level, then source): only the interleaving across CPUs changes.
     */
    public record Ties(long seed, List<Long> changesNs) {
        public Ties {
            changesNs = List.copyOf(changesNs);
            for (int i = 0; i < changesNs.size(); i++) {
                if (changesNs.get(i) < 0 || (i > 0 && changesNs.get(i) < changesNs.get(i - 1))) {
                    throw new IllegalArgumentException("priority change times must be non-negative and ascending: " + changesNs);
                }
            }
        }

        /** This order for a machine of {@code cpus} CPUs. */
        public CpuOrder forCpus(int cpus) {
            return new CpuOrder(this, cpus);
        }
    }

    /**
     * {@link Ties} resolved for a CPU count: the rank of each CPU at an instant (0 goes first) and back.
     * The rank depends on the instant only through the number of priority changes before or at it, so
     * every event of one instant is keyed alike.
     */
    public static final class CpuOrder {
        /** CPUs in initial priority order, highest first. */
        private final int[] byPriority;
        /** The position of each CPU in {@link #byPriority}. */
        private final int[] position;
        private final long[] changes;

        CpuOrder(Ties ties, int cpus) {
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < cpus; c++) {
                order.add(c);
            }
            SplittableRandom r = new SplittableRandom(ties.seed());
            for (int i = cpus - 1; i > 0; i--) {
                java.util.Collections.swap(order, i, r.nextInt(i + 1));
            }
            byPriority = order.stream().mapToInt(Integer::intValue).toArray();
            position = new int[cpus];
            for (int i = 0; i < cpus; i++) {
                position[byPriority[i]] = i;
            }
            changes = ties.changesNs().stream().mapToLong(Long::longValue).toArray();
        }

        /** The CPUs in their initial priority order, highest first. */
        public List<Integer> initial() {
            return java.util.Arrays.stream(byPriority).boxed().toList();
        }

        /** How many priority changes have happened by instant {@code t}: each demoted the head to the tail. */
        private int demotions(long t) {
            int lo = 0;
            int hi = changes.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (changes[mid] <= t) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo % byPriority.length;
        }

        /** The turn of {@code cpu} at instant {@code t}: 0 first. */
        public int rank(int cpu, long t) {
            int n = byPriority.length;
            return Math.floorMod(position[cpu] - demotions(t), n);
        }

        /** The CPU whose turn at instant {@code t} is {@code rank}. */
        public int cpu(int rank, long t) {
            return byPriority[(rank + demotions(t)) % byPriority.length];
        }
    }
}
