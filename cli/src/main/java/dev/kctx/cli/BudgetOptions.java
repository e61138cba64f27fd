package dev.kctx.cli;

import dev.kctx.actors.Simulation;
import dev.kctx.contexts.Durations;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The budget of a run, shared by the commands that run a machine: how many events and how much
 * wall-clock time before it is stopped cleanly, with its partial report. The defaults are far
 * beyond any example (each takes well under a million events and a few seconds; 2 million events
 * are about 12 s of virtual time of the busy standard workload) but stop a scenario that would run
 * for hours, such as a 1 ns loop for 100 s of virtual time, before its trace fills the memory: a
 * dense trace (an IRQ every nanosecond) keeps about 1 KB per event, and with --out its files take
 * about 180 bytes per event.
 */
final class BudgetOptions {
    static final long DEFAULT_MAX_EVENTS = 2_000_000L;
    static final String DEFAULT_MAX_WALL = "300s";

    @Option(names = "--max-events", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_EVENTS,
            description = "Stop the run cleanly after about N events (0: no limit; default: ${DEFAULT-VALUE}).")
    long maxEvents;

    @Option(names = "--max-wall", paramLabel = "TIME", defaultValue = DEFAULT_MAX_WALL,
            description = "Stop the run cleanly after TIME of wall-clock time, e.g. 60s (0: no limit; default: ${DEFAULT-VALUE}).")
    String maxWall;

    /** The budget the options give; bad values are usage errors that name the option. */
    Simulation.Budget budget() {
        if (maxEvents < 0) {
            throw new KctxCommand.UsageError("--max-events must be 0 (no limit) or positive, not " + maxEvents);
        }
        long wallNs;
        try {
            wallNs = "0".equals(maxWall) ? 0 : Durations.parse(maxWall);
        } catch (IllegalArgumentException e) {
            throw new KctxCommand.UsageError("--max-wall: " + e.getMessage() + " (0 for no limit)");
        }
        if (wallNs < 0) {
            throw new KctxCommand.UsageError("--max-wall must be 0 (no limit) or positive, e.g. 60s");
        }
        return new Simulation.Budget(maxEvents == 0 ? Long.MAX_VALUE : maxEvents,
                wallNs == 0 ? null : Duration.ofNanos(wallNs));
    }
}
