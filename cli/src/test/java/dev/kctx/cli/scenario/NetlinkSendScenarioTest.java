package dev.kctx.cli.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netlink sends from kernel code in scenario files (issue 15): netlink_unicast blocking and with
 * MSG_DONTWAIT, netlink_broadcast and nlmsg_multicast, towards user sockets declared with rcvbuf,
 * fill and hold, with the errnos of net/netlink/af_netlink.c and counters that add up.
 */
@DisplayName("netlink sends from kernel code: netlink_unicast, netlink_broadcast, nlmsg_multicast in scenarios")
class NetlinkSendScenarioTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    @TempDir
    static Path dir;

    static JsonNode run(String name, String yaml) throws IOException {
        return HoldScenarioTest.run(dir, name, yaml);
    }

    static JsonNode runFile(Path f) throws IOException {
        Kctx.Result r = Kctx.run("run", f.toString(), "--format", "json");
        return new ObjectMapper().readTree(r.out());
    }

    static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    /** The kernel log without its timestamps. */
    static List<String> dmesg(JsonNode r) {
        return texts(r.get("dmesg")).stream().map(l -> l.replaceFirst("^\\[[ 0-9.]+\\] ", "")).toList();
    }

    static List<String> kinds(JsonNode r) {
        List<String> l = new ArrayList<>();
        r.get("reports").forEach(n -> l.add(n.get("kind").asText()));
        return l;
    }

    /** sent = delivered + dropped + in flight, for the mechanism and for each of its errnos' sum. */
    static void addsUp(JsonNode nl) {
        long dropped = 0;
        for (JsonNode n : nl.get("dropped")) {
            dropped += n.asLong();
        }
        assertEquals(nl.get("droppedTotal").asLong(), dropped, "dropped per errno adds up: " + nl);
        assertEquals(nl.get("sent").asLong(), nl.get("delivered").asLong() + dropped + nl.get("inFlight").asLong(),
                "sent = delivered + dropped + in flight: " + nl);
        assertTrue(nl.get("conserved").asBoolean(), nl.toString());
    }

    static JsonNode socket(JsonNode nl, String name) {
        return HoldScenarioTest.socket(nl, name);
    }

    static final List<String> DAEMON_READS = List.of("recvmsg: No buffer space available", "kernel says: backlog 1",
            "kernel says: backlog 2", "kernel says: backlog 3", "kernel says: link event");

    @Test
    @DisplayName("must show: a soft IRQ's blocking netlink_unicast to a full declared socket gets the kernel's report (scheduling while atomic, in netlink_attachskb's sleep)")
    void blockingFromSoftirqIsTheKernelsReport() throws IOException {
        JsonNode r = runFile(EXAMPLES.resolve("netlink-softirq-unicast-full.yaml"));
        JsonNode first = r.get("reports").get(0);
        assertEquals("scheduling-while-atomic", first.get("kind").asText(), r.get("reports").toString());
        assertEquals("softirq NET_RX: netlink_unicast(nl_sk[25], skb, portid, 0)", first.get("site").asText());
        assertEquals(2_003_000, first.get("timeNs").asLong(), "at the 2ms event, when the queue is full");
        assertEquals(List.of("scheduling-while-atomic", "may-sleep-in-atomic"), kinds(r),
                "the 5ms send found room: no sleep, kctx's may-sleep-in-atomic");
        assertTrue(dmesg(r).contains("BUG: scheduling while atomic: app/1000/0x00000101"), dmesg(r).toString());
        assertEquals(DAEMON_READS, texts(r.get("console")).subList(1, 6), "the owner reads what was queued, in order");
        addsUp(r.at("/mechanisms/netlink"));
    }

    @Test
    @DisplayName("must show: with MSG_DONTWAIT the soft IRQ gets -EAGAIN and no report; the owner, reading later, gets ENOBUFS once and what was queued, in order; the counters add up")
    void dontwaitFromSoftirqIsEagain() throws IOException {
        JsonNode r = runFile(EXAMPLES.resolve("netlink-softirq-unicast-full-clean.yaml"));
        assertEquals(List.of(), kinds(r), "no report");
        assertEquals(List.of("softirq NET_RX: netlink_unicast(portid 5000) = -11 (EAGAIN)",
                "softirq NET_RX: netlink_unicast(portid 5000) = 28"), dmesg(r), "the driver sees -EAGAIN, then the 28 bytes queued");
        assertEquals(DAEMON_READS, texts(r.get("console")).subList(1, 6), "the owner reads what was queued, in order");
        JsonNode nl = r.at("/mechanisms/netlink");
        addsUp(nl);
        assertEquals(5, nl.get("sent").asLong(), "3 to fill the queue, 2 events: " + nl);
        assertEquals(4, nl.get("delivered").asLong(), nl.toString());
        assertEquals(1, nl.at("/dropped/ENOBUFS").asLong(), "the 2ms event, dropped at the full receiver: " + nl);
        assertEquals(1, socket(nl, "netlink 25 port 0").at("/errors/EAGAIN").asLong(), "the sender's EAGAIN: " + nl);
        assertEquals(1, socket(nl, "netlink 25 port 5000").at("/errors/ENOBUFS").asLong(), "the reader's one ENOBUFS: " + nl);
    }

    static final String DAEMON = """
            processes:
              - name: loader
                pid: 4242
                cpu: 1
                body:
                  - sh: "insmod ev.ko"
              - name: daemon
                pid: 5000
                cpu: 1
                body:
                  - nanosleep: 1ms
                  - netlink: {unit: 25, %s}
            """;

    @Test
    @DisplayName("a kernel thread's blocking netlink_unicast to a full socket sleeps until the owner reads, then queues its message: no drop, no report, no ENOBUFS")
    void blockingFromKthreadWaitsForTheReader() throws IOException {
        JsonNode r = run("kthread", """
                machine: {cpus: 2}
                modules: [{name: ev, netlink: [{unit: 25}]}]
                kthreads:
                  - name: notifier
                    cpu: 0
                    body:
                      - msleep: 2ms
                      - netlink_unicast: {unit: 25, portid: 5000, text: "from the thread"}
                """ + DAEMON.formatted("rcvbuf: 1, fill: full, hold: 4ms, recv: 4") + "run: {until: 10ms}\n");
        assertEquals(List.of(), kinds(r), "sleeping in process context is fine");
        List<String> log = texts(r.get("dmesg"));
        String line = log.stream().filter(l -> l.contains("netlink_unicast(portid 5000) = 32")).findFirst().orElseThrow(() -> new AssertionError(log.toString()));
        double at = Double.parseDouble(line.substring(1, line.indexOf(']')).strip());
        assertTrue(at >= 0.005, "the send returned once the daemon read (from 5ms): " + line);
        assertEquals(List.of("kernel says: backlog 1", "kernel says: backlog 2", "kernel says: backlog 3",
                "kernel says: from the thread"), texts(r.get("console")).subList(1, 5));
        JsonNode nl = r.at("/mechanisms/netlink");
        addsUp(nl);
        assertEquals(0, nl.get("droppedTotal").asLong(), nl.toString());
        assertEquals(4, nl.get("delivered").asLong(), nl.toString());
    }

    @Test
    @DisplayName("netlink_broadcast never waits: the full subscriber is dropped (ENOBUFS) and overrun, the other gets it, the call returns 0; nlmsg_multicast to a group nobody joined is -ESRCH")
    void broadcastToAFullSubscriber() throws IOException {
        JsonNode r = run("broadcast", """
                machine: {cpus: 2}
                modules: [{name: ev, netlink: [{unit: 25, groups: 2}]}]
                irqs:
                  - name: nic
                    line: 21
                    cpus: [0]
                    arrivals: {at: [2ms]}
                    handler: [{compute: 1us}, {raise_softirq: NET_RX}]
                softirqs:
                  NET_RX:
                    - netlink_broadcast: {unit: 25, group: 1, text: "link event", gfp: GFP_ATOMIC}
                    - nlmsg_multicast: {unit: 25, group: 2, text: "nobody", gfp: GFP_ATOMIC}
                """ + DAEMON.formatted("groups: 1, rcvbuf: 1, fill: full, hold: 3ms, recv: 4") + """
                  - name: other
                    pid: 5001
                    cpu: 1
                    body:
                      - nanosleep: 1ms
                      - netlink: {unit: 25, groups: 1, recv: 1}
                run: {until: 6ms}
                """);
        assertEquals(List.of(), kinds(r), "GFP_ATOMIC, and a broadcast never sleeps");
        assertEquals(List.of("softirq NET_RX: netlink_broadcast(group 1) = 0", "softirq NET_RX: nlmsg_multicast(group 2) = -3 (ESRCH)"),
                dmesg(r));
        List<String> console = texts(r.get("console"));
        assertTrue(console.contains("kernel says: link event"), "the other subscriber got it: " + console);
        assertEquals(List.of("recvmsg: No buffer space available", "kernel says: backlog 1", "kernel says: backlog 2",
                "kernel says: backlog 3"), console.stream().filter(l -> !l.equals("kernel says: link event") && !l.startsWith("#")).toList(),
                "the full one: ENOBUFS (netlink_overrun), then its queue");
        JsonNode nl = r.at("/mechanisms/netlink");
        addsUp(nl);
        assertEquals(1, socket(nl, "netlink 25 port 5000").at("/dropped/ENOBUFS").asLong(), nl.toString());
        assertEquals(1, socket(nl, "netlink 25 port 5001").get("delivered").asLong(), nl.toString());
        assertEquals(1, socket(nl, "netlink 25 port 0").at("/errors/ESRCH").asLong(), "the multicast nobody got: " + nl);
    }

    @Test
    @DisplayName("netlink_unicast to a port nobody holds is -ECONNREFUSED, blocking or not, with no report and the drop counted")
    void unicastToNobody() throws IOException {
        JsonNode r = run("refused", """
                modules: [{name: ev, netlink: [{unit: 25}]}]
                irqs:
                  - name: nic
                    line: 21
                    arrivals: {at: [1ms]}
                    handler:
                      - netlink_unicast: {unit: 25, portid: 6000, text: "anyone?", gfp: GFP_ATOMIC}
                      - netlink_unicast: {unit: 25, portid: 6000, text: "anyone?", nonblock: true, gfp: GFP_ATOMIC}
                processes:
                  - name: loader
                    pid: 4242
                    body: [{sh: "insmod ev.ko"}]
                run: {until: 2ms}
                """);
        assertEquals(List.of(), kinds(r), "no socket, no sleep");
        assertEquals(List.of("hardirq 21 nic: netlink_unicast(portid 6000) = -111 (ECONNREFUSED)",
                "hardirq 21 nic: netlink_unicast(portid 6000) = -111 (ECONNREFUSED)"), dmesg(r));
        JsonNode nl = r.at("/mechanisms/netlink");
        addsUp(nl);
        assertEquals(2, nl.at("/dropped/ECONNREFUSED").asLong(), nl.toString());
        assertEquals(2, nl.at("/errors/ECONNREFUSED").asLong(), nl.toString());
    }

    @Test
    @DisplayName("fill: N queues N datagrams that are read first; fill: full stops where the buffer is full; nonblock takes MSG_DONTWAIT, 0 or a boolean")
    void fillAndNonblockForms() throws IOException {
        JsonNode r = run("fill", """
                modules: [{name: ev, netlink: [{unit: 25}]}]
                kthreads:
                  - name: notifier
                    body:
                      - msleep: 2ms
                      - netlink_unicast: {unit: 25, portid: 5000, text: "a", nonblock: MSG_DONTWAIT}
                      - netlink_unicast: {unit: 25, portid: 5000, text: "b", nonblock: 0}
                      - netlink_unicast: {unit: 25, portid: 5000, text: "c", nonblock: false}
                """ + DAEMON.formatted("fill: 2, hold: 2ms, recv: 5").replace("    cpu: 1\n", "") + "run: {until: 10ms}\n");
        assertEquals(List.of(), kinds(r));
        assertEquals(List.of("kernel says: backlog 1", "kernel says: backlog 2", "kernel says: a", "kernel says: b",
                "kernel says: c"), texts(r.get("console")).subList(1, 6));
        addsUp(r.at("/mechanisms/netlink"));
        Kctx.Result bad = Kctx.run("check", write("badnonblock", """
                modules: [{name: ev, netlink: [{unit: 25}]}]
                kthreads:
                  - name: notifier
                    body: [{netlink_unicast: {unit: 25, portid: 1, text: "a", nonblock: MSG_WAITALL}}]
                run: {until: 1ms}
                """).toString());
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue((bad.out() + bad.err()).contains("MSG_DONTWAIT"), bad.out() + bad.err());
    }

    @Test
    @DisplayName("genlmsg_unicast never waits (MSG_DONTWAIT): 0 while there is room, -EAGAIN and a drop once the receiver is full, -ECONNREFUSED after it closed; genlmsg_multicast reaches the group's subscriber (0) and is -ESRCH after it left")
    void genlmsgFromASoftirq() throws IOException {
        JsonNode r = run("genl", """
                machine: {cpus: 2}
                modules:
                  - name: ev
                    genetlink:
                      - name: KCTX_EVENTS
                        attributes: [{type: 1, name: MSG, policy: nul_string}]
                        groups: [events]
                        ops: [{cmd: 1, name: NOTIFY}]
                irqs:
                  - name: nic
                    line: 21
                    cpus: [0]
                    arrivals: {at: [2ms, 2100us, 2200us, 2300us, 2400us, 2500us, 7ms]}
                    handler: [{compute: 1us}, {raise_softirq: NET_RX}]
                softirqs:
                  NET_RX:
                    - genlmsg_unicast: {family: KCTX_EVENTS, portid: 5000, cmd: 1, attrs: [{type: 1, string: "link event"}], gfp: GFP_ATOMIC}
                    - genlmsg_multicast: {family: KCTX_EVENTS, group: events, cmd: 1, attrs: [{type: 1, string: "to all"}], gfp: GFP_ATOMIC}
                processes:
                  - name: loader
                    pid: 4242
                    cpu: 1
                    body: [{sh: "insmod ev.ko"}]
                  - name: daemon
                    pid: 5000
                    cpu: 1
                    body:
                      - nanosleep: 1ms
                      - genetlink: {family: KCTX_EVENTS, subscribe: events, rcvbuf: 1, hold: 3ms, recv: 4}
                run: {until: 8ms}
                """);
        assertEquals(List.of(), kinds(r), "GFP_ATOMIC and MSG_DONTWAIT: nothing sleeps");
        List<String> log = dmesg(r);
        List<String> unicasts = log.stream().filter(l -> l.contains("genlmsg_unicast")).toList();
        assertEquals(7, unicasts.size(), log.toString());
        assertEquals("softirq NET_RX: genlmsg_unicast(KCTX_EVENTS, portid 5000) = 0", unicasts.get(0), "room at first: 0, not the length");
        assertTrue(unicasts.contains("softirq NET_RX: genlmsg_unicast(KCTX_EVENTS, portid 5000) = -11 (EAGAIN)"),
                "then the small buffer is full: " + log);
        assertTrue(log.contains("softirq NET_RX: genlmsg_multicast(KCTX_EVENTS, events) = 0"), log.toString());
        List<String> console = texts(r.get("console"));
        assertEquals("recv: No buffer space available", console.get(1), "the overrun first: " + console);
        assertEquals("kernel says: cmd 1, 1=\"link event\"", console.get(2), "then what was queued, in order: " + console);
        assertEquals("kernel says: cmd 1, 1=\"to all\"", console.get(3), console.toString());
        JsonNode genl = r.at("/mechanisms/genetlink");
        addsUp(genl);
        assertTrue(genl.at("/dropped/ENOBUFS").asLong() > 0, genl.toString());
        assertTrue(socket(genl, "netlink 16 port 0").at("/errors/EAGAIN").asLong() > 0, "the unicasts' EAGAIN: " + genl);
        assertEquals("softirq NET_RX: genlmsg_unicast(KCTX_EVENTS, portid 5000) = -111 (ECONNREFUSED)", unicasts.get(6),
                "at 7ms the daemon has closed its socket: " + log);
        assertEquals("softirq NET_RX: genlmsg_multicast(KCTX_EVENTS, events) = -3 (ESRCH)", log.get(log.size() - 1),
                "and the group has nobody: " + log);
    }

    @Test
    @DisplayName("from a tasklet and from the TIMER soft IRQ a blocking netlink_unicast to a full socket is scheduling while atomic, each at its own site; MSG_DONTWAIT there is -EAGAIN")
    void taskletAndTimerContexts() throws IOException {
        JsonNode r = runFile(write("tasklet", """
                machine: {cpus: 2}
                modules: [{name: ev, netlink: [{unit: 25}]}]
                tasklets:
                  notify:
                    - netlink_unicast: {unit: 25, portid: 5000, text: "t", gfp: GFP_ATOMIC}
                    - netlink_unicast: {unit: 25, portid: 5000, text: "t2", nonblock: MSG_DONTWAIT, gfp: GFP_ATOMIC}
                softirqs:
                  TIMER:
                    - netlink_unicast: {unit: 25, portid: 5000, text: "timer", gfp: GFP_ATOMIC}
                irqs:
                  - name: nic
                    line: 21
                    cpus: [0]
                    arrivals: {at: [2ms]}
                    handler: [{tasklet_schedule: notify}, {raise_softirq: TIMER}]
                """ + DAEMON.formatted("rcvbuf: 1, fill: full, hold: 3ms, recv: 4") + "run: {until: 6ms}\n"));
        assertEquals(List.of("scheduling-while-atomic", "scheduling-while-atomic"), kinds(r), r.get("reports").toString());
        List<String> sites = new ArrayList<>();
        r.get("reports").forEach(n -> sites.add(n.get("context").asText()));
        assertEquals(2, sites.stream().distinct().count(), "one report per context: " + sites);
        assertTrue(sites.stream().anyMatch(c -> c.contains("TIMER")), sites.toString());
        assertTrue(sites.stream().anyMatch(c -> c.contains("notify") || c.contains("TASKLET")), sites.toString());
        assertEquals(3, dmesg(r).stream().filter(l -> l.endsWith("= -11 (EAGAIN)")).count(), dmesg(r).toString());
        addsUp(r.at("/mechanisms/netlink"));
    }

    static Path write(String name, String yaml) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        java.nio.file.Files.writeString(f, yaml);
        return f;
    }
}
