/**
 * The standard workload of the performance measurements (issue 8): one reusable machine, built
 * from the real mechanisms, that the JMH suite, {@code kctx bench} and the baseline's equivalence
 * test all run, so their numbers are about the same thing.
 */
package dev.kctx.mechanisms.bench;
