/**
 * Akka Cluster for kctx: a coordinator hands independent units of work to worker JVMs by work
 * pulling and gathers their results in unit order, so that what a command writes does not depend
 * on which worker ran what, or on a worker lost half-way. The package knows nothing of what the
 * units are: a command names a {@link dev.kctx.cli.cluster.WorkKind} and hands over plain-value
 * payloads ({@link dev.kctx.cli.cluster.Coordination} on the coordinator; {@code kctx worker} runs
 * {@link dev.kctx.cli.cluster.Worker}). The cluster lives in an actor system of its own, configured
 * under {@code kctx.cluster} in reference.conf, apart from the systems that run the machines.
 */
package dev.kctx.cli.cluster;
