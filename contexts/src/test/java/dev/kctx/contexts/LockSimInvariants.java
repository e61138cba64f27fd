package dev.kctx.contexts;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks, after every test, what must hold for any run of the lock validator: every report is one
 * of the validator's kinds, opens with lockdep's rule line under a kernel title, names a dedupe
 * site, and every lock class prints a well-formed usage.
 */
final class LockSimInvariants implements AfterEachCallback {
    private static final ThreadLocal<List<LockSim>> CREATED = ThreadLocal.withInitial(ArrayList::new);
    private static final Set<ReportKind> VALIDATOR_KINDS = EnumSet.of(ReportKind.RECURSIVE_LOCKING,
            ReportKind.CIRCULAR_LOCKING, ReportKind.INCONSISTENT_LOCK_STATE, ReportKind.IRQ_LOCK_INVERSION,
            ReportKind.IRQ_SAFE_TO_UNSAFE, ReportKind.BAD_UNLOCK_BALANCE);
    private static final Pattern USAGE = Pattern.compile("\\{[.+?-]{4}}");

    static void register(LockSim sim) {
        CREATED.get().add(sim);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<LockSim> sims = new ArrayList<>(CREATED.get());
        CREATED.get().clear();
        for (LockSim sim : sims) {
            for (Report r : sim.reports) {
                check(VALIDATOR_KINDS.contains(r.kind()), "a validator kind: " + r.kind());
                check(r.title().startsWith("WARNING: "), "a kernel WARNING title: " + r.title());
                check(r.details().get(0).equals("=".repeat(r.title().length())), "the rule line opens the details");
                check(!r.site().isBlank(), "a dedupe site");
            }
            for (String c : sim.validator.lockClasses()) {
                check(USAGE.matcher(sim.validator.usage(c)).matches(), "usage of " + c + " well formed");
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("invariant broken: " + what);
        }
    }
}
