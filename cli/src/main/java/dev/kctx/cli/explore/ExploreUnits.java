package dev.kctx.cli.explore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.kctx.cli.cluster.Coordination;
import dev.kctx.cli.cluster.MachineWorkKind;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code kctx explore} on the cluster: one unit per explored run. The payload is an
 * {@link ExploreUnit.Task} as plain JSON values (the scenario's text and name, the run's index and
 * {@link Choices}), the result its {@link ExploreUnit.Result}; a worker makes it with
 * {@link ExploreUnit#run}, the same pure function the local runner calls, so a run's result, and so
 * every finding, summary line and replay, is that of a local exploration. The coordinator's
 * {@link #remote} is an {@link Explorer.Runner}: the default run, the explored runs and the
 * shrinking runs all go to the workers; planning, merging and writing stay on the coordinator.
 */
public final class ExploreUnits extends MachineWorkKind {
    /** The kind's name on the cluster. */
    public static final String KIND = "explore";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param engineConfig the configuration of the actor system the worker's machines run in */
    public ExploreUnits(Config engineConfig) {
        super("kctx-explore", engineConfig);
    }

    @Override
    public String name() {
        return KIND;
    }

    @Override
    public JsonNode run(JsonNode payload) {
        return JSON.valueToTree(ExploreUnit.run(task(payload), engine()));
    }

    /** {@code payload} as the task it carries. */
    static ExploreUnit.Task task(JsonNode payload) {
        try {
            return JSON.treeToValue(payload, ExploreUnit.Task.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an explore unit: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code node} as the result it carries. */
    static ExploreUnit.Result result(JsonNode node) {
        try {
            return JSON.treeToValue(node, ExploreUnit.Result.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a worker answered no explore result (another kctx version?): "
                    + e.getOriginalMessage(), e);
        }
    }


    /**
     * The coordinator's side: a runner that hands each batch of tasks to the workers of
     * {@code cluster} and answers their results in task order; {@code events} hears of leases
     * taken back at once, and of the units made and handed out again, over all batches, when the
     * runner closes. Closing it leaves the cluster to its owner.
     */
    public static Explorer.Runner remote(Coordination cluster, Coordination.Listener events) {
        return new Explorer.Runner() {
            private long units;
            private long takenBack;

            @Override
            public List<ExploreUnit.Result> run(List<ExploreUnit.Task> tasks, Runnable done) {
                List<JsonNode> payloads = new ArrayList<>();
                tasks.forEach(t -> payloads.add(JSON.valueToTree(t)));
                long[] told = {0};
                List<ExploreUnit.Result> out = new ArrayList<>();
                for (JsonNode r : cluster.run(KIND, payloads, new Coordination.Listener() {
                    @Override
                    public void progress(long n) {
                        for (; told[0] < n; told[0]++) {
                            done.run();
                        }
                    }

                    @Override
                    public void takenBack(int units, String node) {
                        events.takenBack(units, node);
                    }

                    @Override
                    public void finished(int n, int redone) {
                        units += n;
                        takenBack += redone;
                    }
                })) {
                    out.add(result(r));
                }
                return out;
            }

            @Override
            public void close() {
                if (units > 0) {
                    events.finished(Math.toIntExact(units), Math.toIntExact(takenBack));
                }
            }
        };
    }
}
