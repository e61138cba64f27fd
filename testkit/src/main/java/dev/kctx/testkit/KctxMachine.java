package dev.kctx.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.cli.scenario.Expect;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioLoader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A machine a test is about to run: its spec (from a YAML scenario or the Java builder
 * {@link MachineSpec#builder()}), how long it may run, and where it came from (for the replay
 * command a failure prints). Immutable: {@link #seed}, {@link #until} and {@link #change} give
 * changed copies. {@link #start} starts it, paused at virtual time 0.
 */
public final class KctxMachine {
    private final MachineSpec spec;
    private final long untilNs;
    private final Path file;
    private final Expect expect;
    /** True when the test changed the scenario's machine in code: the file alone no longer replays it. */
    private final boolean changed;

    private KctxMachine(MachineSpec spec, long untilNs, Path file, Expect expect) {
        this(spec, untilNs, file, expect, false);
    }

    private KctxMachine(MachineSpec spec, long untilNs, Path file, Expect expect, boolean changed) {
        if (untilNs <= 0) {
            throw new IllegalArgumentException("a machine runs for a positive virtual time, not " + untilNs + "ns");
        }
        this.spec = Objects.requireNonNull(spec, "spec");
        this.untilNs = untilNs;
        this.file = file;
        this.expect = expect;
        this.changed = changed;
    }

    /** The machine of a scenario file (docs/scenario.md), with its {@code run: until} and its {@code expect:} block. */
    public static KctxMachine scenario(Path file) {
        Scenario s = ScenarioLoader.load(file);
        return new KctxMachine(s.spec(), s.untilNs(), file, s.expect().orElse(null));
    }

    /** The machine of scenario text (YAML); a failure cannot offer a replay command for it. */
    public static KctxMachine scenario(String yaml, String name) {
        Scenario s = ScenarioLoader.load(yaml, name);
        return new KctxMachine(s.spec(), s.untilNs(), null, s.expect().orElse(null));
    }

    /** A machine built in Java, to run for at most {@code until} of virtual time. */
    public static KctxMachine of(MachineSpec spec, Duration until) {
        return new KctxMachine(spec, until.toNanos(), null, null);
    }

    /** The same machine with another seed (the random compute lengths and arrival times change with it). */
    public KctxMachine seed(long seed) {
        return new KctxMachine(spec.withSeed(seed), untilNs, file, expect, changed);
    }

    /** The same machine, to run for at most {@code until}. */
    public KctxMachine until(Duration until) {
        return new KctxMachine(spec, until.toNanos(), file, expect, changed);
    }

    /**
     * The machine changed in code, e.g. {@code m.change(s -> s.withFaults(...))}. A failure still
     * names the scenario file in its replay command, and says that the test changed the machine.
     */
    public KctxMachine change(UnaryOperator<MachineSpec> how) {
        return new KctxMachine(how.apply(spec), untilNs, file, expect, true);
    }

    public MachineSpec spec() {
        return spec;
    }

    public long untilNs() {
        return untilNs;
    }

    /** The scenario file this machine came from, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The scenario's {@code expect:} block, if it has one. */
    public Optional<Expect> expect() {
        return Optional.ofNullable(expect);
    }

    /**
     * Starts the machine under {@code testKit}, paused before virtual time 0: nothing runs until the
     * test advances it. The engine is the one the test kit's configuration selects ({@link Engine}).
     * {@code -Dkctx.testkit.seed=N} overrides the seed (to replay a failure).
     */
    public RunningMachine start(ActorTestKit testKit) {
        String seed = System.getProperty("kctx.testkit.seed");
        KctxMachine m = seed == null || seed.isBlank() ? this : seed(Long.parseLong(seed.trim()));
        return new RunningMachine(m, testKit);
    }

    /** The one command line that replays this machine with the kctx command. */
    public String replayCommand() {
        if (file == null) {
            return "mvn test -Dtest=<this test> -Dkctx.testkit.seed=" + spec.seed()
                    + "   (the machine was built in Java: there is no scenario file for ./kctx run)";
        }
        return "./kctx run " + file.toAbsolutePath().normalize() + " --seed " + spec.seed() + " --until " + untilNs + "ns"
                + (changed ? "   (the test changed the machine in code: the file alone gives the unchanged machine)" : "");
    }
}
