package dev.kctx.cli.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("The cluster's coordinator")
class CoordinatorTest {
    private static final HostPort LOOPBACK = new HostPort("127.0.0.1", 0);
    /** A cluster node's actor system (not joined: the coordinator only needs the cluster extension). */
    static final ActorTestKit KIT = ActorTestKit.create(ClusterNode.SYSTEM,
            ClusterNode.config(LOOPBACK, LOOPBACK, Worker.COORDINATOR_ROLE));

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static List<JsonNode> payloads(int n) {
        List<JsonNode> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(JsonNodeFactory.instance.numberNode(i));
        }
        return p;
    }

    private static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }

    @Test
    @DisplayName("counts a result that arrives twice once, keeps the first, and answers in unit order")
    void duplicateResultCountsOnce() {
        var coordinator = KIT.spawn(Coordinator.create(1));
        TestProbe<Worker.Command> worker = KIT.createTestProbe();
        TestProbe<Coordinator.JobDone> done = KIT.createTestProbe();
        List<Long> progress = new ArrayList<>();
        coordinator.tell(new Coordinator.Submit("k", payloads(2), new Coordination.Listener() {
            @Override
            public void progress(long n) {
                progress.add(n);
            }
        }, done.ref()));
        coordinator.tell(new Coordinator.RequestWork(worker.ref()));
        coordinator.tell(new Coordinator.RequestWork(worker.ref()));
        Worker.Work first = worker.expectMessageClass(Worker.Work.class);
        Worker.Work second = worker.expectMessageClass(Worker.Work.class);
        assertEquals(List.of(0, 1), List.of(first.index(), second.index()), "lowest index first, one unit per slot");
        coordinator.tell(new Coordinator.UnitDone(second.job(), 1, text("b"), worker.ref()));
        coordinator.tell(new Coordinator.UnitDone(second.job(), 1, text("b again"), worker.ref()));
        coordinator.tell(new Coordinator.UnitDone(first.job(), 0, text("a"), worker.ref()));
        assertEquals(List.of(text("a"), text("b")), done.receiveMessage().results(), "results by unit index, the first of each");
        assertEquals(List.of(1L, 2L), progress, "two units counted, not three");
    }

    @Test
    @DisplayName("hands a unit leased to a worker that stops to another worker")
    void leaseOfAStoppedWorkerGoesToAnother() {
        var coordinator = KIT.spawn(Coordinator.create(1));
        TestProbe<Worker.Command> lost = KIT.createTestProbe();
        TestProbe<Worker.Command> other = KIT.createTestProbe();
        TestProbe<Coordinator.JobDone> done = KIT.createTestProbe();
        List<Integer> takenBack = new ArrayList<>();
        coordinator.tell(new Coordinator.Submit("k", payloads(1), new Coordination.Listener() {
            @Override
            public void takenBack(int units, String node) {
                takenBack.add(units);
            }
        }, done.ref()));
        coordinator.tell(new Coordinator.RequestWork(lost.ref()));
        Worker.Work leased = lost.expectMessageClass(Worker.Work.class);
        coordinator.tell(new Coordinator.RequestWork(other.ref()));
        other.expectNoMessage();
        lost.stop();
        Worker.Work again = other.expectMessageClass(Worker.Work.class);
        assertEquals(leased.index(), again.index(), "the same unit, handed out again");
        coordinator.tell(new Coordinator.UnitDone(again.job(), again.index(), text("x"), other.ref()));
        assertEquals(List.of(text("x")), done.receiveMessage().results());
        assertEquals(List.of(1), takenBack, "one lease taken back");
    }
}
