package dev.kctx.bench;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.dispatch.Envelope;
import akka.dispatch.MessageQueue;
import akka.dispatch.UnboundedMailbox;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.Cpu;
import dev.kctx.actors.LevelPriorityMailbox;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import scala.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CPU mailbox's cost per message: the priority mailbox (kctx.context-mailbox) against Akka's
 * default, on the engine's own message mix. The mix is the standard workload's: calendar events
 * in the proportions of its context levels (counted by the {@link Baseline}), sent as the machine
 * sends them, a round's events with the last wrapped in the {@link Cpu.LastEvent} that ends the
 * round, and taken out before the next round.
 * {@code order=calendar} sends a round's events in calendar order, which for one CPU is level
 * order (the calendar orders an instant's events by cpu, then level), as the machine does;
 * {@code order=mixed} sends the levels of a round interleaved, a harder case the machine never
 * produces (every round with two levels out of order makes the priority mailbox sort).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MailboxBench {
    /** Messages per invocation. */
    static final int MESSAGES = 4096;

    @Param({"priority", "default"})
    public String mailbox;

    @Param({"calendar", "mixed"})
    public String order;

    private ActorSystem system;
    private MessageQueue queue;
    private ActorRef self;
    private Envelope[][] rounds;

    @Setup(Level.Trial)
    public void setUp() {
        Quiet.logs();
        system = ActorSystem.create("mailbox-bench", ConfigFactory.load());
        self = system.deadLetters();
        queue = "priority".equals(mailbox)
                ? new LevelPriorityMailbox(system.settings(), ConfigFactory.empty()).create(Option.empty(), Option.empty())
                : new UnboundedMailbox().create(Option.empty(), Option.empty());
        rounds = mix(Baseline.run(Params.standard(), 200_000_000L), MESSAGES, "calendar".equals(order)).stream()
                .map(r -> r.stream().map(m -> Envelope.apply(m, self, system)).toArray(Envelope[]::new))
                .toArray(Envelope[][]::new);
    }

    /**
     * {@code total} messages in rounds: as many events per round as the run had per instant, their
     * levels in the run's proportions (spread evenly), the last of each round in the LastEvent that
     * ends it; with {@code calendar} a round's events are in level order, as the machine sends them
     * to one CPU.
     */
    static List<List<Object>> mix(Baseline.Result r, int total, boolean calendar) {
        ContextLevel[] rank = {ContextLevel.HARDIRQ, ContextLevel.SOFTIRQ, ContextLevel.KERNEL, ContextLevel.USER};
        double perRound = (double) r.events() / r.rounds();
        List<List<Object>> rounds = new ArrayList<>();
        List<Object> round = new ArrayList<>();
        double[] credit = new double[rank.length];
        // round k ends before event k * perRound, so that the rounds hold perRound events on average
        double end = perRound;
        for (int i = 0; i < total; i++) {
            if (i >= end) {
                rounds.add(round);
                round = new ArrayList<>();
                end += perRound;
            }
            int best = 0;
            for (int l = 0; l < rank.length; l++) {
                credit[l] += (double) r.eventsByLevel()[l] / r.events();
                if (credit[l] > credit[best]) {
                    best = l;
                }
            }
            credit[best] -= 1;
            round.add(new Cpu.StepDone(i, i, rank[best]));
        }
        rounds.add(round);
        for (List<Object> rd : rounds) {
            if (calendar) {
                rd.sort(java.util.Comparator.comparingInt(LevelPriorityMailbox::priorityOf)); // stable
            }
            rd.set(rd.size() - 1, new Cpu.LastEvent((Cpu.Event) rd.get(rd.size() - 1)));
        }
        return rounds;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void perMessage(Blackhole bh) {
        for (Envelope[] round : rounds) {
            for (Envelope e : round) {
                queue.enqueue(self, e);
            }
            Envelope e;
            while ((e = queue.dequeue()) != null) {
                bh.consume(e);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        system.terminate();
    }
}
