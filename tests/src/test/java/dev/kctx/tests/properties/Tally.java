package dev.kctx.tests.properties;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the runs of one property looked at, written to target/reliability/NAME.txt for
 * docs/reliability.md, and checked so that a generator that stopped exercising something is noticed.
 */
final class Tally {
    final String name;
    final LongAdder runs = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder irqEntries = new LongAdder();
    final LongAdder softirqEntries = new LongAdder();
    final LongAdder trackedArrivals = new LongAdder();
    final LongAdder switches = new LongAdder();

    Tally(String name) {
        this.name = name;
    }

    void add(TraceChecker.Result r) {
        runs.increment();
        events.add(r.events);
        irqEntries.add(r.irqEntries);
        softirqEntries.add(r.softirqEntries);
        trackedArrivals.add(r.trackedArrivals);
        switches.add(r.switches);
    }

    @Override
    public String toString() {
        if (irqEntries.sum() == 0 && switches.sum() == 0) {
            return name + ": " + runs + " runs, " + events + " trace events";
        }
        return name + ": " + runs + " runs, " + events + " trace events, " + irqEntries + " hard IRQ entries, "
                + softirqEntries + " soft IRQ entries, " + trackedArrivals + " arrivals followed, " + switches
                + " task switches";
    }

    void write() {
        try {
            Path dir = Path.of("target", "reliability");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".txt"), toString() + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
