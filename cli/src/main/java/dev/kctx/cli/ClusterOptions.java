package dev.kctx.cli;

import dev.kctx.cli.cluster.Coordination;
import dev.kctx.cli.cluster.HostPort;

import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.function.Function;

/**
 * The cluster options of the commands that can coordinate ({@code --cluster}, {@code --bind},
 * {@code --min-workers}): a picocli mixin ({@code @Mixin ClusterOptions cluster;}) so that every
 * such command has the same names, help texts and checks.
 */
final class ClusterOptions {
    @Option(names = "--cluster", paramLabel = "HOST:PORT", description = "Make the runs on a cluster: this command"
            + " becomes its coordinator at HOST:PORT, where workers join ('kctx worker --join HOST:PORT') and pull the"
            + " runs. The results are those of a local run, byte for byte. See docs/cluster.md.")
    String cluster;

    @Option(names = "--bind", paramLabel = "HOST[:PORT]", description = "With --cluster: the address to listen on, when it"
            + " is not the --cluster address (e.g. 0.0.0.0 behind NAT; default: the --cluster address).")
    String bind;

    @Option(names = "--min-workers", paramLabel = "N", description = "With --cluster: hand out no run before N workers"
            + " have joined (default: 1).")
    Integer minWorkers;

    /** The checked options, or null without {@code --cluster}; {@code jobs} and {@code threads} (null when not given) belong to the workers then. */
    Coordinator coordinator(Integer jobs, Integer threads) {
        return coordinator(cluster, bind, minWorkers, jobs, threads);
    }

    /** A checked {@code --cluster}: where the coordinator is known, where it listens, how many workers it waits for. */
    record Coordinator(HostPort at, HostPort bind, int minWorkers) {
        /**
         * Starts the coordinator, says on {@code stderr} where workers join, runs {@code job} with it
         * and leaves the cluster.
         */
        <T> T run(PrintWriter stderr, Function<Coordination, T> job) {
            Coordination c;
            try {
                c = Coordination.start(at, bind, minWorkers);
            } catch (IllegalStateException e) {
                throw new KctxCommand.UsageError("--cluster: " + e.getMessage());
            }
            try (c) {
                stderr.println("kctx: coordinator " + c.address() + "; waiting for " + minWorkers + " worker"
                        + (minWorkers == 1 ? "" : "s") + " (kctx worker --join " + at + ")");
                stderr.flush();
                return job.apply(c);
            }
        }
    }

    /** The checked options, or null without {@code --cluster}; {@code jobs} and {@code threads} belong to the workers then. */
    private static Coordinator coordinator(String cluster, String bind, Integer minWorkers, Integer jobs, Integer threads) {
        if (cluster == null) {
            for (var o : new Object[][] {{"--bind", bind}, {"--min-workers", minWorkers}}) {
                if (o[1] != null) {
                    throw new KctxCommand.UsageError(o[0] + " needs --cluster");
                }
            }
            return null;
        }
        if (jobs != null || threads != null) {
            throw new KctxCommand.UsageError((jobs != null ? "--jobs" : "--threads") + " is a worker's option with --cluster:"
                    + " give it to kctx worker");
        }
        int min = minWorkers == null ? 1 : minWorkers;
        if (min < 1 || min > 1000) {
            throw new KctxCommand.UsageError("--min-workers must be between 1 and 1000, not " + min);
        }
        HostPort at = address("--cluster", cluster, -1);
        if (at.port() == 0) {
            throw new KctxCommand.UsageError("--cluster needs a fixed port for the workers to join, not 0");
        }
        return new Coordinator(at, bind == null ? at : address("--bind", bind, at.port()), min);
    }

    /** {@code text} as HOST:PORT, or a usage error naming {@code option}. */
    static HostPort address(String option, String text, int defaultPort) {
        try {
            return HostPort.parse(text, defaultPort);
        } catch (IllegalArgumentException e) {
            throw new KctxCommand.UsageError(option + " " + e.getMessage());
        }
    }

    /** Lines on stderr for what the user should know of a job on the cluster: runs handed out again, the end. */
    static Coordination.Listener events(PrintWriter stderr) {
        return new Coordination.Listener() {
            @Override
            public void takenBack(int units, String node) {
                stderr.println("kctx: " + node + " is unreachable or gone; " + units + " unit" + (units == 1 ? "" : "s")
                        + " it held handed out again");
                stderr.flush();
            }

            @Override
            public void finished(int units, int takenBack) {
                stderr.println("kctx: " + units + " units made on the cluster; " + takenBack + " handed out again");
                stderr.flush();
            }
        };
    }

}
