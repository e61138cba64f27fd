package dev.kctx.contexts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An allocation's gfp_t, as include/linux/gfp_types.h of Linux 6.6 composes it: the GFP_* names
 * are sets of the __GFP_* bits, and a flag expression ({@code GFP_NOFS | __GFP_NOWARN}) is their
 * union. What the checks need from it is the kernel's own rule, might_alloc in
 * include/linux/sched/mm.h: {@code might_sleep_if(gfpflags_allow_blocking(gfp_mask))}, true when
 * __GFP_DIRECT_RECLAIM is set. So GFP_KERNEL, GFP_NOFS, GFP_NOIO and GFP_USER may sleep (and are
 * sleep-in-atomic in atomic context), GFP_ATOMIC and GFP_NOWAIT never do (and may fail instead);
 * __GFP_NOWARN, __GFP_NORETRY and the other modifiers change neither.
 *
 * @param bits the __GFP_* bits set
 * @param text the expression as written, normalised to single spaces around '|'
 */
public record GfpFlags(Set<Bit> bits, String text) {
    /** The __GFP_* bits kctx tells apart (gfp_types.h); each with the name the kernel writes. */
    public enum Bit {
        DMA, HIGHMEM, DMA32, MOVABLE, RECLAIMABLE, HIGH, IO, FS, ZERO, DIRECT_RECLAIM, KSWAPD_RECLAIM, WRITE, NOWARN,
        RETRY_MAYFAIL, NOFAIL, NORETRY, MEMALLOC, COMP, NOMEMALLOC, HARDWALL, THISNODE, ACCOUNT;

        public String kernelName() {
            return "__GFP_" + name();
        }
    }

    /** The names a flag expression may use: the GFP_* sets of gfp_types.h and every __GFP_* bit. */
    private static final Map<String, Set<Bit>> NAMES = names();

    public static final GfpFlags GFP_KERNEL = parse("GFP_KERNEL");
    public static final GfpFlags GFP_ATOMIC = parse("GFP_ATOMIC");
    public static final GfpFlags GFP_NOWAIT = parse("GFP_NOWAIT");

    public GfpFlags {
        EnumSet<Bit> copy = EnumSet.noneOf(Bit.class);
        copy.addAll(bits);
        bits = Collections.unmodifiableSet(copy);
    }

    private static Map<String, Set<Bit>> names() {
        Map<String, Set<Bit>> m = new LinkedHashMap<>();
        Set<Bit> reclaim = EnumSet.of(Bit.DIRECT_RECLAIM, Bit.KSWAPD_RECLAIM);
        m.put("GFP_ATOMIC", EnumSet.of(Bit.HIGH, Bit.KSWAPD_RECLAIM));
        m.put("GFP_KERNEL", union(reclaim, Bit.IO, Bit.FS));
        m.put("GFP_KERNEL_ACCOUNT", union(reclaim, Bit.IO, Bit.FS, Bit.ACCOUNT));
        m.put("GFP_NOWAIT", EnumSet.of(Bit.KSWAPD_RECLAIM));
        m.put("GFP_NOIO", union(reclaim));
        m.put("GFP_NOFS", union(reclaim, Bit.IO));
        m.put("GFP_USER", union(reclaim, Bit.IO, Bit.FS, Bit.HARDWALL));
        m.put("GFP_DMA", EnumSet.of(Bit.DMA));
        m.put("GFP_DMA32", EnumSet.of(Bit.DMA32));
        m.put("GFP_HIGHUSER", union(reclaim, Bit.IO, Bit.FS, Bit.HARDWALL, Bit.HIGHMEM));
        m.put("__GFP_RECLAIM", union(reclaim));
        for (Bit b : Bit.values()) {
            m.put(b.kernelName(), EnumSet.of(b));
        }
        return Collections.unmodifiableMap(m);
    }

    private static Set<Bit> union(Set<Bit> base, Bit... more) {
        EnumSet<Bit> s = EnumSet.noneOf(Bit.class);
        s.addAll(base);
        s.addAll(List.of(more));
        return s;
    }

    /** Every name a flag expression may use, in the order above. */
    public static List<String> names(boolean withBits) {
        List<String> out = new ArrayList<>();
        for (String n : NAMES.keySet()) {
            if (withBits || !n.startsWith("__")) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Parses {@code NAME | NAME ...}; an unknown name or an empty term is refused with an
     * IllegalArgumentException that names it.
     */
    public static GfpFlags parse(String expression) {
        EnumSet<Bit> bits = EnumSet.noneOf(Bit.class);
        List<String> terms = new ArrayList<>();
        for (String raw : expression.split("\\|", -1)) {
            String term = raw.trim();
            if (term.isEmpty()) {
                throw new IllegalArgumentException("empty term in GFP flags '" + expression + "'");
            }
            Set<Bit> b = NAMES.get(term);
            if (b == null) {
                throw new IllegalArgumentException("unknown GFP flag '" + term + "'");
            }
            bits.addAll(b);
            terms.add(term);
        }
        return new GfpFlags(bits, String.join(" | ", terms));
    }

    /** gfpflags_allow_blocking: __GFP_DIRECT_RECLAIM; might_alloc then calls might_sleep. */
    public boolean allowsBlocking() {
        return bits.contains(Bit.DIRECT_RECLAIM);
    }

    /** __GFP_NOWARN: no allocation-failure warning. */
    public boolean noWarn() {
        return bits.contains(Bit.NOWARN);
    }

    @Override
    public String toString() {
        return text;
    }
}
