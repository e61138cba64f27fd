package dev.kctx.contexts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The lock validator's memory: lock classes with their usage bits, and the graph of
 * held-while-acquired dependencies between them, searched breadth-first along "strong" paths the
 * way lockdep's __bfs does. Not thread-safe; {@link LockValidator} serialises access.
 */
final class LockGraph {
    // Dependency kinds of an edge prev -> next (lockdep's DEP_*_MASK): S/E = prev shared/exclusive,
    // R/N = next recursive-read/non-recursive.
    static final int DEP_SR = 1;
    static final int DEP_ER = 2;
    static final int DEP_SN = 4;
    static final int DEP_EN = 8;

    /** One lock class: the unit lockdep validates (every lock with the same name here). */
    static final class LockClass {
        final String name;
        final LockClassKind kind;
        int usage;
        /** Where each usage bit was first set (lockdep's usage_traces). */
        final Where[] usageWhere = new Where[LockUsage.BITS];
        final List<Dep> after = new ArrayList<>();
        final List<Dep> before = new ArrayList<>();

        LockClass(String name, LockClassKind kind) {
            this.name = name;
            this.kind = kind;
        }

        boolean has(int bit) {
            return (usage & LockUsage.flag(bit)) != 0;
        }

        /** The class as lockdep prints it: {@code (name){+.-.}}. */
        String printed() {
            return "(" + name + ")" + LockUsage.chars(usage);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The dependency {@code from -> to}: {@code to} was acquired while {@code from} was held. */
    static final class Dep {
        final LockClass from;
        final LockClass to;
        /** Kinds seen in the forward direction (calc_dep). */
        int dep;
        /** The same edge seen backwards (calc_depb): roles of S/E and R/N swapped. */
        int depBack;
        /** The acquisition of {@code to} that first created the edge. */
        final Where where;
        /** How {@code from} was taken at that moment, e.g. {@code spin_lock_irqsave(A)}. */
        final String fromOp;

        Dep(LockClass from, LockClass to, Where where, String fromOp) {
            this.from = from;
            this.to = to;
            this.where = where;
            this.fromOp = fromOp;
        }
    }

    /** A step of a search: the class reached, the edge used, the step before it. */
    static final class Node {
        final LockClass cls;
        final Dep via;
        final Node parent;
        /** True when the path so far ends in recursive-read edges only (lockdep's only_xr). */
        boolean onlyXr;

        Node(LockClass cls, Dep via, Node parent, boolean onlyXr) {
            this.cls = cls;
            this.via = via;
            this.parent = parent;
            this.onlyXr = onlyXr;
        }

        int depth() {
            int d = 0;
            for (Node n = parent; n != null; n = n.parent) {
                d++;
            }
            return d;
        }
    }

    private final Map<String, LockClass> classes = new LinkedHashMap<>();

    /** register_lock_class: the class of that name, created on first use (its first kind sticks). */
    LockClass classFor(String name, LockClassKind kind) {
        return classes.computeIfAbsent(name, n -> new LockClass(n, kind));
    }

    LockClass find(String name) {
        return classes.get(name);
    }

    Map<String, LockClass> classes() {
        return classes;
    }

    Dep edge(LockClass from, LockClass to) {
        for (Dep d : from.after) {
            if (d.to == to) {
                return d;
            }
        }
        return null;
    }

    /** Adds {@code from -> to} with the kinds of this acquisition, or widens an existing edge. */
    void addEdge(LockClass from, int fromRead, LockClass to, int toRead, Where where, String fromOp) {
        Dep d = edge(from, to);
        if (d == null) {
            d = new Dep(from, to, where, fromOp);
            from.after.add(d);
            to.before.add(d);
        }
        d.dep |= calcDep(fromRead, toRead);
        d.depBack |= calcDepBack(fromRead, toRead);
    }

    /** calc_dep: read levels are lockdep's (0 write, 1 read, 2 recursive read). */
    static int calcDep(int prevRead, int nextRead) {
        return 1 << ((prevRead == 0 ? 1 : 0) + ((nextRead != 2 ? 1 : 0) << 1));
    }

    /** calc_depb: the edge as seen from {@code next}. */
    static int calcDepBack(int prevRead, int nextRead) {
        return 1 << ((nextRead != 2 ? 1 : 0) + ((prevRead == 0 ? 1 : 0) << 1));
    }

    /** bfs_init_root: a forward search from an acquisition with this read level. */
    static Node root(LockClass cls, int read) {
        return new Node(cls, null, null, read == 2);
    }

    /** bfs_init_rootb: a backward search from an acquisition with this read level. */
    static Node rootBack(LockClass cls, int read) {
        return new Node(cls, null, null, read != 0);
    }

    /**
     * __bfs: breadth-first from {@code root}, forwards (locks taken after) or backwards (locks held
     * before), visiting each class once and only along strong paths (no recursive-read edge followed
     * by a shared-read one). Returns the first node {@code match} accepts, root included, or null.
     */
    static Node bfs(Node root, boolean forward, Predicate<Node> match) {
        ArrayDeque<Node> queue = new ArrayDeque<>();
        Set<LockClass> accessed = new HashSet<>();
        queue.add(root);
        while (!queue.isEmpty()) {
            Node n = queue.poll();
            // Marked on first dequeue even if the path turns out weak: lockdep does the same.
            if (!accessed.add(n.cls)) {
                continue;
            }
            if (n.parent != null) {
                int dep = forward ? n.via.dep : n.via.depBack;
                if (n.parent.onlyXr) {
                    dep &= ~(DEP_SR | DEP_SN);
                }
                if (dep == 0) {
                    continue;
                }
                n.onlyXr = (dep & (DEP_SN | DEP_EN)) == 0;
            }
            if (match.test(n)) {
                return n;
            }
            for (Dep d : forward ? n.cls.after : n.cls.before) {
                queue.add(new Node(forward ? d.to : d.from, d, n, false));
            }
        }
        return null;
    }

    /** The classes from the search root to {@code leaf}, root first. */
    static List<LockClass> path(Node leaf) {
        List<LockClass> out = new ArrayList<>();
        for (Node n = leaf; n != null; n = n.parent) {
            out.add(0, n.cls);
        }
        return out;
    }
}
