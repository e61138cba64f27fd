/**
 * {@code kctx experiment}: parameter sweeps over machines built with the engine API, each point
 * the median over seeds with its min-max band, written as CSV, a markdown table and an XChart plot.
 * The programs measure latencies in virtual time with {@link dev.kctx.cli.experiment.Probe}
 * operations that take no time, so the measurement leaves the measured run unchanged.
 */
package dev.kctx.cli.experiment;
