package dev.kctx.cli;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import dev.kctx.cli.cluster.ClusterNode;
import dev.kctx.cli.cluster.HostPort;
import dev.kctx.cli.cluster.WorkKind;
import dev.kctx.cli.cluster.Worker;
import dev.kctx.cli.experiment.SweepUnits;
import dev.kctx.cli.explore.ExploreUnits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code kctx worker --join HOST:PORT}: a cluster node that makes the runs a coordinator hands out. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Join the cluster of a coordinator ('kctx experiment NAME --cluster HOST:PORT' or 'kctx explore FILE --cluster HOST:PORT') and make the runs"
                + " it hands out. When the coordinator is done the worker joins again and waits for the next one"
                + " (--once: it exits). See docs/cluster.md.")
final class WorkerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The coordinator's address"
            + " (its --cluster).")
    String join;

    @Option(names = "--bind", paramLabel = "HOST[:PORT]", description = "This worker's address, where the coordinator"
            + " reaches it (default: 127.0.0.1 and any free port; across machines, an address of this machine the"
            + " coordinator can reach).")
    String bind;

    @Option(names = "--jobs", paramLabel = "N", description = "Runs made side by side (default: the number of CPUs).")
    Integer jobs;

    @Option(names = "--threads", description = "Dispatcher threads of the actor system the machines run in (the results"
            + " do not depend on it).")
    Integer threads;

    @Option(names = "--once", description = "Exit when the coordinator is done, instead of joining again.")
    boolean once;

    /** Test hook: keep the first run handed out without ever answering (a worker lost mid-run). */
    @Option(names = "--hold-first-unit", hidden = true)
    boolean holdFirstUnit;

    /** The kinds of unit a worker makes: a command that runs on the cluster adds its {@link WorkKind} here. */
    static Map<String, WorkKind> kinds(Integer threads) {
        Map<String, WorkKind> kinds = new LinkedHashMap<>();
        Config engine = Dispatchers.config(threads == null ? 2 : threads);
        for (WorkKind k : List.<WorkKind>of(new SweepUnits(engine), new ExploreUnits(engine))) {
            kinds.put(k.name(), k);
        }
        return kinds;
    }

    @Override
    public Integer call() {
        PrintWriter stderr = spec.commandLine().getErr();
        int slots = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (slots < 1 || slots > 64) {
            throw new KctxCommand.UsageError("--jobs must be between 1 and 64, not " + slots);
        }
        HostPort coordinator = ClusterOptions.address("--join", join, -1);
        HostPort self = bind == null ? new HostPort("127.0.0.1", 0) : ClusterOptions.address("--bind", bind, 0);
        Map<String, WorkKind> kinds = kinds(threads);
        ExecutorService pool = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "kctx-worker");
            t.setDaemon(true);
            return t;
        });
        boolean hold = holdFirstUnit;
        try {
            do {
                ActorSystem<Worker.Command> system;
                try {
                    system = ClusterNode.start(Worker.create(kinds, slots, pool, line -> say(stderr, line), hold),
                            self, self, Worker.WORKER_ROLE);
                } catch (IllegalStateException e) {
                    throw new KctxCommand.UsageError("--bind: " + e.getMessage());
                }
                hold = false;
                Cluster cluster = Cluster.get(system);
                say(stderr, "worker " + cluster.selfMember().address() + " joining " + coordinator);
                cluster.manager().tell(new JoinSeedNodes(List.of(new akka.actor.Address("akka", ClusterNode.SYSTEM,
                        coordinator.host(), coordinator.port()))));
                system.getWhenTerminated().toCompletableFuture().join();
            } while (!once);
            return 0;
        } finally {
            pool.shutdownNow();
            kinds.values().forEach(WorkKind::close);
        }
    }

    private static void say(PrintWriter stderr, String line) {
        synchronized (stderr) {
            stderr.println("kctx: " + line);
            stderr.flush();
        }
    }
}
