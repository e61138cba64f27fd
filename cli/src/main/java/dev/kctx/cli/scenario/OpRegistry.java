package dev.kctx.cli.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The operations a scenario body may name, each with the parser that turns its YAML argument
 * into engine operations. Later issues register lock and mechanism operations here; the loader
 * lists {@link #names()} when a body names an operation that does not exist.
 */
public final class OpRegistry {

    /** Turns one body item's argument into operations. */
    @FunctionalInterface
    public interface OpParser {
        void parse(OpArg arg, OpSink out);
    }

    /**
     * One operation: its name as in the kernel or libc, a one-line usage for documentation and
     * errors ({@code msleep: DURATION}), the bodies it may appear in, and its parser.
     */
    public record OpDef(String name, String usage, Set<BodyKind> allowedIn, OpParser parser) {
        public OpDef {
            allowedIn = Collections.unmodifiableSet(EnumSet.copyOf(allowedIn));
        }
    }

    /** Kernel code of every kind: IRQ handlers, soft IRQs, kernel threads, system calls. */
    public static final Set<BodyKind> KERNEL = EnumSet.of(BodyKind.HARDIRQ, BodyKind.SOFTIRQ, BodyKind.KTHREAD,
            BodyKind.SYSCALL);
    /** Anywhere, user mode included. */
    public static final Set<BodyKind> ANYWHERE = EnumSet.allOf(BodyKind.class);
    /** User mode of a process only. */
    public static final Set<BodyKind> USER = EnumSet.of(BodyKind.USER);

    private final Map<String, OpDef> defs = new LinkedHashMap<>();

    /** Adds an operation; a name may be registered once. */
    public OpRegistry register(OpDef def) {
        if (defs.putIfAbsent(def.name(), def) != null) {
            throw new IllegalArgumentException("operation '" + def.name() + "' is registered twice");
        }
        return this;
    }

    public OpRegistry register(String name, String usage, Set<BodyKind> allowedIn, OpParser parser) {
        return register(new OpDef(name, usage, allowedIn, parser));
    }

    public Optional<OpDef> get(String name) {
        return Optional.ofNullable(defs.get(name));
    }

    /** Every operation name, in registration order. */
    public List<String> names() {
        return List.copyOf(defs.keySet());
    }

    /** The operation names valid in a body of {@code kind}. */
    public List<String> namesFor(BodyKind kind) {
        List<String> l = new ArrayList<>();
        defs.values().forEach(d -> {
            if (d.allowedIn().contains(kind)) {
                l.add(d.name());
            }
        });
        return l;
    }

    public List<OpDef> defs() {
        return List.copyOf(defs.values());
    }

    /** The core vocabulary of this version: {@link StandardOps}. */
    public static OpRegistry standard() {
        OpRegistry r = new OpRegistry();
        StandardOps.registerAll(r);
        return r;
    }
}
