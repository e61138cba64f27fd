package dev.kctx.cli.explore;

import akka.actor.typed.ActorSystem;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.cli.experiment.Sweep;
import dev.kctx.cli.output.RunReport;
import dev.kctx.cli.scenario.Expect;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioLoader;
import dev.kctx.contexts.Reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One explored run, the unit {@code kctx explore} hands out: a pure function from a {@link Task}
 * (the scenario's text, its name, the run's {@link Choices}) to a {@link Result} (its reports by
 * site, its expectations, a fingerprint of its schedule). Both are records of plain values, so a
 * task can be run anywhere (another thread, a cluster worker) and gives the same result.
 */
public final class ExploreUnit {
    private ExploreUnit() {
    }

    /**
     * One run to do.
     *
     * @param index   its place in the plan (0 is the default run); results are merged in this order
     * @param text    the scenario file's text, as read
     * @param name    the scenario's name as loaded from its file (pinned in the replay when the text has none)
     * @param choices the perturbations of this run
     */
    public record Task(long index, String text, String name, Choices choices) {
    }

    /**
     * A report site a run raised: {@code key} is the deduplication key (kind and site, as
     * {@code kctx run} deduplicates), {@code line} the first such report in one line, {@code count}
     * how many there were.
     */
    public record Site(String key, String kind, String line, int count) {
    }

    /**
     * What one run showed.
     *
     * @param index       the task's index
     * @param choices     the task's choices
     * @param sites       its distinct reports, in the order of their first occurrence
     * @param expectMet   per expectation of the scenario's {@code expect:} block (in its order), met or not
     * @param expectTexts the same expectations as {@code kctx run} prints them
     * @param fingerprint the SHA-256 of the run's ftrace text: equal for equal schedules
     * @param failure     why the run failed (an engine failure, a stop), or null
     * @param tieInstants the first instants at which the trace shows work on more than one CPU (where
     *                    the CPUs' turn order can matter), at most {@link #MAX_TIE_INSTANTS}
     * @param cpus        the machine's CPUs
     */
    public record Result(long index, Choices choices, List<Site> sites, List<Boolean> expectMet, List<String> expectTexts,
                         String fingerprint, String failure, List<Long> tieInstants, int cpus) {
        public Result {
            tieInstants = List.copyOf(tieInstants);
            sites = List.copyOf(sites);
            expectMet = List.copyOf(expectMet);
            expectTexts = List.copyOf(expectTexts);
        }

        /** Whether every expectation was met. */
        public boolean expectationsMet() {
            return !expectMet.contains(false);
        }
    }

    /** The scenario of {@code task}: its text with the choices pinned, loaded as {@code kctx run} would load the replay. */
    public static Scenario scenario(Task task) {
        return ScenarioLoader.load(Replay.text(task.text(), task.name(), task.choices()), task.name());
    }

    /** Runs {@code task} as a machine of {@code system} (any actor system: runs do not share state). */
    public static Result run(Task task, ActorSystem<Void> system) {
        Scenario s = scenario(task);
        RunResult r = Sweep.runIn(system, new Sweep.Run(s.spec(), s.untilNs(), true, x -> Map.of()));
        return result(task, s, r);
    }

    /** The result of {@code task}'s run {@code r}. */
    static Result result(Task task, Scenario s, RunResult r) {
        List<Site> sites = new ArrayList<>();
        for (Reports.Group g : Reports.dedupe(r.reports())) {
            sites.add(new Site(g.first().key(), g.first().kind().id(), g.first().oneLine(), g.count()));
        }
        List<Boolean> met = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Expect.Outcome o : s.expect().map(e -> e.check(r)).orElse(List.of())) {
            met.add(o.met());
            texts.add(o.text());
        }
        String failure = r.failure().or(r::budget).orElse(null);
        return new Result(task.index(), task.choices(), sites, met, texts, RunReport.sha256(r.traceText()), failure,
                tieInstants(r), r.cpus());
    }

    /** The most tie instants a result carries. */
    public static final int MAX_TIE_INSTANTS = 4096;

    /** Instants at which trace records of two or more CPUs fall. */
    static List<Long> tieInstants(RunResult r) {
        List<Long> out = new ArrayList<>();
        long time = -1;
        int firstCpu = -1;
        boolean added = false;
        for (TraceRecord t : r.trace()) {
            if (t.timeNs() != time) {
                time = t.timeNs();
                firstCpu = t.cpu();
                added = false;
            } else if (t.cpu() != firstCpu && !added) {
                out.add(time);
                added = true;
                if (out.size() == MAX_TIE_INSTANTS) {
                    break;
                }
            }
        }
        return out;
    }
}
