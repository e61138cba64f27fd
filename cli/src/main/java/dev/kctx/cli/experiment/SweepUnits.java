package dev.kctx.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.kctx.cli.cluster.Coordination;
import dev.kctx.cli.cluster.MachineWorkKind;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A sweep on the cluster: one unit per run (an experiment's cell and seed). The coordinator's
 * {@link #remote} sends the units; a worker's {@link SweepUnits} builds the experiment's
 * {@link Sweep.Plan}, the same one the coordinator's experiment has, and runs that one machine as a
 * local sweep would ({@link Sweep#measure}), so each run's measures, and so every output, are those
 * of a local sweep.
 */
public final class SweepUnits extends MachineWorkKind {
    /** The kind's name on the cluster. */
    public static final String KIND = "sweep";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run: the experiment (and whether --quick), its number of cells (a check that both ends agree), the cell and seed. */
    record Unit(String experiment, boolean quick, int cells, int cell, long seed) {
    }

    /** @param engineConfig the configuration of the actor system the worker's machines run in */
    public SweepUnits(Config engineConfig) {
        super("kctx-sweep", engineConfig);
    }

    @Override
    public String name() {
        return KIND;
    }

    @Override
    public JsonNode run(JsonNode payload) {
        Unit u;
        try {
            u = JSON.treeToValue(payload, Unit.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a sweep unit: " + e.getOriginalMessage(), e);
        }
        Experiment e = Experiment.named(u.experiment(), u.quick())
                .orElseThrow(() -> new IllegalArgumentException("no experiment '" + u.experiment() + "' on this worker"));
        Sweep.Plan<?> plan = e.plan();
        if (plan.cells().size() != u.cells()) {
            throw new IllegalArgumentException(u.experiment() + " has " + plan.cells().size() + " cells on this worker, "
                    + u.cells() + " on the coordinator (another kctx version?)");
        }
        ObjectNode out = JSON.createObjectNode();
        Sweep.measure(engine(), plan.run(u.cell(), u.seed())).forEach((k, v) -> out.put(k, v.doubleValue()));
        return out;
    }


    /**
     * The coordinator's side: a {@link Sweep.Remote} that hands the runs of {@code experiment} to
     * the workers of {@code cluster}; {@code events} hears of leases taken back and the job's end.
     */
    public static Sweep.Remote remote(Coordination cluster, String experiment, boolean quick, Coordination.Listener events) {
        return (cells, seeds, progress) -> {
            List<JsonNode> payloads = new ArrayList<>();
            for (int c = 0; c < cells; c++) {
                for (long s = 1; s <= seeds; s++) {
                    payloads.add(JSON.valueToTree(new Unit(experiment, quick, cells, c, s)));
                }
            }
            List<Map<String, Double>> measures = new ArrayList<>();
            for (JsonNode r : cluster.run(KIND, payloads, forwarding(events, progress))) {
                Map<String, Double> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    m.put(f.getKey(), f.getValue().isNumber() ? f.getValue().doubleValue() : Double.valueOf(f.getValue().asText()));
                }
                measures.add(m);
            }
            return measures;
        };
    }

    private static Coordination.Listener forwarding(Coordination.Listener events, LongConsumer progress) {
        return new Coordination.Listener() {
            @Override
            public void progress(long done) {
                progress.accept(done);
            }

            @Override
            public void takenBack(int units, String node) {
                events.takenBack(units, node);
            }

            @Override
            public void finished(int units, int takenBack) {
                events.finished(units, takenBack);
            }
        };
    }
}
