/**
 * Performance instruments of issue 8: the JMH benchmarks (engine throughput on the standard
 * workload, mailboxes, mechanism round trips, scaling) and {@link dev.kctx.bench.Baseline}, the
 * plain discrete-event loop the engine's cost is compared with. See docs/performance.md.
 */
package dev.kctx.bench;
