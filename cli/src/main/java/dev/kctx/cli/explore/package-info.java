/**
 * {@code kctx explore}: runs a scenario under many timings (seeds, IRQ arrivals within a jitter
 * window, task starts, the CPUs' turn order at each instant) to find a run that raises a report or
 * breaks an expectation the default run keeps, shrinks each finding and writes it as a replayable
 * scenario. {@link dev.kctx.cli.explore.Explorer} documents the split into serialisable units that a
 * cluster can run; docs/explore.md is the user's guide.
 */
package dev.kctx.cli.explore;
