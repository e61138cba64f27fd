package dev.kctx.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.SpawnHook;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.Tap;
import dev.kctx.actors.trace.FtraceFormatter;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.TimeFormat;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.signal.SigUser;
import dev.kctx.mechanisms.shell.Shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A machine started under an ActorTestKit, paused between rounds. Virtual time moves only when the
 * test calls {@link #advance}, {@link #advanceTo}, {@link #runUntil} or {@link #runToEnd}; each runs
 * whole rounds (every event of an instant) and pauses again. Between moves the test reads what has
 * happened ({@link #trace()}, {@link #reports()}), puts probes on the protocols ({@link #probe}) and
 * schedules what a peer would do ({@link #irq}, {@link #signal}, {@link #netlinkSend}, {@link #write},
 * {@link #process}). The run is the same function of spec and seed as any other: a test that moves
 * time in small steps sees the same run as one that runs to the end at once.
 *
 * <p>Not thread-safe: one test thread drives it. Close it (or let {@link #runToEnd} finish) before the
 * test kit shuts down.
 */
public final class RunningMachine implements AutoCloseable {
    private static final AtomicInteger MACHINES = new AtomicInteger();
    /** A wall-clock safety net for one move; virtual time never depends on it. */
    private static final Duration WALL_LIMIT = Duration.ofMinutes(5);

    private final KctxMachine setup;
    private final ActorTestKit kit;
    private final Engine engine;
    private final ActorRef<Machine.Command> machine;
    private final TestProbe<Machine.Paused> paused;
    private final TestProbe<Machine.Finished> finished;
    /** Filled by the machine's tap on the CPUs' threads, drained by the test thread at each pause. */
    private final List<Tap.Crossing> crossings = Collections.synchronizedList(new ArrayList<>());
    private final List<TraceRecord> trace = new ArrayList<>();
    private final List<Report> reports = new ArrayList<>();
    private final List<Observed> observed = new ArrayList<>();
    private final List<Binding> bindings = new ArrayList<>();
    /** The hook every CPU and context actor is spawned through, for {@link #monitor}. */
    private final MessagePath path;
    /** Every event at or before this instant has run; -1 before the first move. */
    private long horizon = -1;
    private RunResult result;
    private int injected;

    private record Binding(Predicate<Observed> filter, TestProbe<Observed> probe) {
    }

    RunningMachine(KctxMachine setup, ActorTestKit kit) {
        this.setup = setup;
        this.kit = kit;
        this.engine = Engine.of(kit.system().settings().config());
        Tap tap = crossings::add;
        this.path = new MessagePath(kit.system().settings().config());
        var spec = setup.spec().withBoot(Tap.class, () -> tap).withBoot(SpawnHook.class, () -> path);
        // on the machine's own dispatcher thread (kctx.engine.dispatcher), as kctx run places it
        this.machine = kit.spawn(Machine.create(spec, true), "machine-" + MACHINES.incrementAndGet(),
                Machine.props(kit.system().settings().config()));
        this.paused = kit.createTestProbe(Machine.Paused.class);
        this.finished = kit.createTestProbe(Machine.Finished.class);
        machine.tell(new Machine.StartStepped(setup.untilNs(), finished.getRef(), paused.getRef()));
        absorb(paused.expectMessageClass(Machine.Paused.class, WALL_LIMIT));
    }

    /** The machine as the test set it up (seed, end time, origin). */
    public KctxMachine machine() {
        return setup;
    }

    /** The engine this machine runs on (the test kit's). */
    public Engine engine() {
        return engine;
    }

    /** Virtual time reached: every event at or before it has run (0 before the first move). */
    public long nowNs() {
        return Math.max(horizon, 0);
    }

    /** True once the run has ended (its end time, a detected lockup, a failure). */
    public boolean finished() {
        return result != null;
    }

    // ---- moving virtual time ----

    /** Runs every event up to {@code nowNs() + d} (inclusive) and pauses; from the start, {@code advance(ZERO)} runs instant 0. */
    public RunningMachine advance(Duration d) {
        return advanceTo(Math.max(horizon, 0) + d.toNanos());
    }

    /** Runs every event at or before virtual time {@code ns} and pauses there (at most to the end of the run). */
    public RunningMachine advanceTo(long ns) {
        if (ns < horizon) {
            throw new IllegalArgumentException("virtual time is already at " + TimeFormat.format(horizon) + "; cannot go back to "
                    + TimeFormat.format(ns));
        }
        long to = Math.min(ns, setup.untilNs());
        if (result == null) {
            move(to, Long.MAX_VALUE);
        }
        horizon = Math.max(horizon, to);
        return this;
    }

    /**
     * Runs round by round until {@code condition} holds, at most until {@code within} from now;
     * returns the instant it held at. If it does not hold by then, the test fails with the
     * condition's {@code description}, the reports, a trace excerpt and the replay command.
     */
    public long runUntil(Predicate<RunningMachine> condition, Duration within, String description) {
        long limit = Math.min(Math.max(horizon, 0) + within.toNanos(), setup.untilNs());
        while (!condition.test(this)) {
            if (result != null || horizon >= limit) {
                throw fail("not within " + TimeFormat.format(within.toNanos()) + ": " + description);
            }
            long before = lastRound;
            move(limit, 1);
            // no round left before the limit: time jumps to it
            horizon = lastRound == before || result != null ? limit : lastRound;
        }
        return nowNs();
    }

    /** Runs until something {@code filter} accepts is observed, within {@code within}; returns it. */
    public Observed runUntilObserved(Predicate<Observed> filter, Duration within, String description) {
        int from = observed.size();
        runUntil(m -> m.observed.subList(from, m.observed.size()).stream().anyMatch(filter), within, description);
        return observed.subList(from, observed.size()).stream().filter(filter).findFirst().orElseThrow();
    }

    /** Runs to the end of the run and returns its result (statistics included). */
    public RunResult runToEnd() {
        if (result == null) {
            move(setup.untilNs(), Long.MAX_VALUE);
        }
        horizon = Math.max(horizon, result == null ? setup.untilNs() : result.endNs());
        return result;
    }

    private long lastRound = -1;

    private void move(long toNs, long maxRounds) {
        machine.tell(new Machine.Advance(toNs, maxRounds));
        absorb(paused.expectMessageClass(Machine.Paused.class, WALL_LIMIT));
    }

    private void absorb(Machine.Paused p) {
        lastRound = p.lastRoundNs();
        List<Observed> fresh = new ArrayList<>();
        for (TraceRecord r : p.trace()) {
            fresh.add(new Observed.Traced(r));
            if (r.event().equals("signal_deliver")) {
                fresh.add(new Observed.SignalDelivered(r.timeNs(), r.cpu(), r.pid(), r.comm(), intArg(r.args(), "sig="), r.args()));
            }
        }
        trace.addAll(p.trace());
        reports.addAll(p.reports());
        p.reports().forEach(r -> fresh.add(new Observed.ReportRaised(r)));
        List<Tap.Crossing> taken;
        synchronized (crossings) {
            taken = new ArrayList<>(crossings);
            crossings.clear();
        }
        taken.forEach(c -> fresh.add(crossing(c)));
        // Stable: within an instant each stream keeps the order the CPUs ran it.
        fresh.sort(Comparator.comparingLong(Observed::timeNs));
        observed.addAll(fresh);
        for (Observed o : fresh) {
            for (Binding b : bindings) {
                if (b.filter().test(o)) {
                    b.probe().getRef().tell(o);
                }
            }
        }
        if (p.over()) {
            result = finished.expectMessageClass(Machine.Finished.class, WALL_LIMIT).result();
        }
    }

    private static Observed crossing(Tap.Crossing c) {
        return switch (c.protocol() + "/" + c.event()) {
            case "netlink/multicast", "netlink/unicast" -> new Observed.NetlinkMessage(c.timeNs(), c.cpu(),
                    Integer.parseInt(c.target()), c.event().equals("multicast"), c.number(), c.data());
            case "netlink/recv" -> new Observed.SocketReceived(c.timeNs(), c.cpu(), Integer.parseInt(c.target()), c.number(), c.data());
            case "file/read", "file/write" -> new Observed.FileAccess(c.timeNs(), c.cpu(), c.target(), c.event().equals("write"),
                    c.number(), c.data());
            case "upcall/start" -> new Observed.UpcallStarted(c.timeNs(), c.cpu(), c.target(), c.number(), c.data());
            default -> throw new IllegalStateException("a crossing the testkit does not know: " + c);
        };
    }

    private static int intArg(String args, String key) {
        int i = args.indexOf(key);
        if (i < 0) {
            return -1;
        }
        int j = i + key.length();
        int k = j;
        while (k < args.length() && Character.isDigit(args.charAt(k))) {
            k++;
        }
        return k > j ? Integer.parseInt(args.substring(j, k)) : -1;
    }

    // ---- probes ----

    /**
     * A TestProbe that receives, in virtual-time order, everything observed from now on that
     * {@code filter} accepts. Messages arrive when the test moves virtual time.
     */
    public TestProbe<Observed> probe(Predicate<Observed> filter) {
        TestProbe<Observed> p = kit.createTestProbe(Observed.class);
        bindings.add(new Binding(filter, p));
        return p;
    }

    /** Netlink datagrams multicast to {@code group} of family {@code unit}, one per receiving socket. */
    public TestProbe<Observed> netlinkProbe(int unit, int group) {
        return probe(o -> o instanceof Observed.NetlinkMessage n && n.unit() == unit && n.multicast() && n.groupOrPort() == group);
    }

    /** Datagrams a user socket of family {@code unit} takes in process {@code pid} (recvmsg). */
    public TestProbe<Observed> socketProbe(int unit, int pid) {
        return probe(o -> o instanceof Observed.SocketReceived s && s.unit() == unit && s.pid() == pid);
    }

    /** Signals delivered to {@code pid}. */
    public TestProbe<Observed> signalProbe(int pid) {
        return probe(o -> o instanceof Observed.SignalDelivered s && s.pid() == pid);
    }

    /** Reads (shows) and writes (stores) of the file at {@code path}. */
    public TestProbe<Observed> fileProbe(String path) {
        return probe(o -> o instanceof Observed.FileAccess f && f.path().equals(path));
    }

    /** User-mode helpers as they start. */
    public TestProbe<Observed> upcallProbe() {
        return probe(o -> o instanceof Observed.UpcallStarted);
    }

    /** Reports as they are raised. */
    public TestProbe<Observed> reportProbe() {
        return probe(o -> o instanceof Observed.ReportRaised);
    }

    /** Trace events {@code filter} accepts, e.g. {@code r -> r.event().equals("softirq_entry")}. */
    public TestProbe<Observed> traceProbe(Predicate<TraceRecord> filter) {
        return probe(o -> o instanceof Observed.Traced t && filter.test(t.record()));
    }

    // ---- probes on the message path ----

    /**
     * The machine's CPU and context actors by spawn name, in spawn order: {@code hardirq-LINE-NAME},
     * {@code softirq-CPU}, {@code ksoftirqd-CPU}, {@code tasklet-CPU-NAME}, {@code cpu-CPU},
     * {@code kthread-PID-NAME}, {@code process-PID-NAME} (a process started at run time joins the
     * list when it is spawned). These are the names {@link #monitor} and {@link #probeBetween} take.
     */
    public List<String> actors() {
        return path.names();
    }

    /**
     * A TestProbe in the message path of the named actors: from now on it receives, as a
     * {@link Crossing}, every message they process, in the order they process them (for one actor,
     * the order its priority mailbox hands them out: hard IRQ work before soft IRQ before kernel
     * before user at one instant). The messages go on to the actors unchanged: the run is the same
     * with or without monitors. Messages arrive while the machine runs, so call {@code expectMessage...}
     * after moving time.
     *
     * @throws IllegalArgumentException if the machine has no such actor ({@link #actors()} lists them)
     * @throws IllegalStateException on the inline engine ({@link Engine#INLINE}), where the CPUs and
     *                               bursts are method calls and no message crosses
     */
    public TestProbe<Crossing> monitor(String... actors) {
        return monitor(c -> true, actors);
    }

    /** {@link #monitor(String...)}, keeping only the crossings {@code filter} accepts. */
    public TestProbe<Crossing> monitor(Predicate<Crossing> filter, String... actors) {
        if (actors.length == 0) {
            throw new IllegalArgumentException("name at least one actor to monitor; the machine's actors are " + path.names());
        }
        TestProbe<Crossing> p = kit.createTestProbe(Crossing.class);
        path.bind(java.util.Set.of(actors), filter, p.getRef());
        return p;
    }

    /**
     * A TestProbe between two actors: the messages {@code a} sends {@code b} and {@code b} sends
     * {@code a}, e.g. {@code probeBetween("cpu-0", "softirq-0")} for the {@code run} bursts the CPU
     * hands the soft IRQ and its {@code ran} answers; {@code "machine"} names the machine, whose
     * calendar events and round ends go to the CPUs. Same order and guarantees as {@link #monitor}.
     */
    public TestProbe<Crossing> probeBetween(String a, String b) {
        if (a.equals(b)) {
            throw new IllegalArgumentException("a probe goes between two different actors, not '" + a + "' and itself");
        }
        String[] both = java.util.stream.Stream.of(a, b).filter(n -> !n.equals(MessagePath.MACHINE)).toArray(String[]::new);
        return monitor(c -> c.from().equals(a) && c.to().equals(b) || c.from().equals(b) && c.to().equals(a), both);
    }

    // ---- what a peer does ----

    /** Interrupt line {@code line} fires at virtual time {@code at} (after now), on the line's first CPU. */
    public RunningMachine irq(int line, Duration at) {
        long t = future(at);
        if (setup.spec().irqs().stream().noneMatch(i -> i.line() == line)) {
            throw new IllegalArgumentException("the machine has no IRQ line " + line);
        }
        machine.tell(new Machine.InjectIrq(line, t));
        injected++;
        return this;
    }

    /** A user process {@code name} running {@code body} starts on {@code cpu} at {@code at}; returns its pid. */
    public int process(String name, Program body, int cpu, Duration at) {
        long t = future(at);
        if (cpu < 0 || cpu >= setup.spec().cpus()) {
            throw new IllegalArgumentException("the machine has CPUs 0.." + (setup.spec().cpus() - 1) + ", not " + cpu);
        }
        if (!body.userModeOnly()) {
            throw new IllegalArgumentException("process " + name + " runs kernel operations in user mode");
        }
        TestProbe<Integer> pid = kit.createTestProbe(Integer.class);
        machine.tell(new Machine.InjectProcess(name, body, cpu, t, pid.getRef()));
        injected++;
        return pid.expectMessageClass(Integer.class, WALL_LIMIT);
    }

    /** kill(pid, sig) from a process {@code kill} that starts on CPU 0 at {@code at}; returns the sender's pid. */
    public int signal(int pid, int sig, Duration at) {
        return process("kill", Program.of(SigUser.kill(pid, sig).toArray(Op[]::new)), 0, at);
    }

    /**
     * A process {@code nlsend} that, at {@code at}, opens a netlink socket of family {@code unit},
     * sends {@code text} to the kernel (port 0) and closes it; returns its pid.
     */
    public int netlinkSend(int unit, String text, Duration at) {
        List<Op> ops = new ArrayList<>(NetlinkUser.socket("fd", unit));
        ops.addAll(NetlinkUser.bind("fd", 0, 0));
        ops.addAll(NetlinkUser.sendmsg("fd", x -> List.of(NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, NlMsg.NLM_F_REQUEST, 1, x.pid(), text)),
                0, 0, false));
        ops.addAll(NetlinkUser.close("fd"));
        return process("nlsend", Program.of(ops.toArray(Op[]::new)), 0, at);
    }

    /** {@code echo TEXT > PATH} from a shell that starts on CPU 0 at {@code at} (a sysfs store, a procfs write...). */
    public int write(String path, String text, Duration at) {
        return process("sh", Program.of(Shell.command("echo " + text + " > " + path)), 0, at);
    }

    private long future(Duration at) {
        long t = at.toNanos();
        if (result != null) {
            throw new IllegalStateException("the run is over");
        }
        if (t <= horizon || t > setup.untilNs()) {
            throw new IllegalArgumentException("an injected event must come after now (" + TimeFormat.format(nowNs())
                    + ") and not after the end of the run (" + TimeFormat.format(setup.untilNs()) + "), not at "
                    + TimeFormat.format(t));
        }
        return t;
    }

    // ---- what happened ----

    /** The trace so far, in time order. */
    public List<TraceRecord> trace() {
        return Collections.unmodifiableList(trace);
    }

    /** The reports so far, as raised. */
    public List<Report> reports() {
        return Collections.unmodifiableList(reports);
    }

    /** Everything observed so far (trace, reports and protocol crossings), in virtual-time order. */
    public List<Observed> observed() {
        return Collections.unmodifiableList(observed);
    }

    /** How many events the test injected (a replay from the scenario file alone does not have them). */
    public int injected() {
        return injected;
    }

    /** The run's result, once it has ended. */
    public Optional<RunResult> result() {
        return Optional.ofNullable(result);
    }

    /**
     * An AssertionError for an unmet expectation, with what a kernel developer needs: the reports,
     * a trace excerpt around the first report (else the end), the seed and the replay command.
     */
    public AssertionError fail(String unmet) {
        return new AssertionError(FailureText.of(unmet, this));
    }

    String traceExcerpt(int lines) {
        if (trace.isEmpty()) {
            return "  (no trace events)\n";
        }
        int at = trace.size();
        if (!reports.isEmpty()) {
            long t = reports.get(0).where().timeNs();
            at = 0;
            while (at < trace.size() && trace.get(at).timeNs() <= t) {
                at++;
            }
        }
        int from = Math.max(0, at - lines);
        StringBuilder b = new StringBuilder();
        for (TraceRecord r : trace.subList(from, at)) {
            b.append(FtraceFormatter.line(r)).append('\n');
        }
        return b.toString();
    }

    /** Stops the machine's actors (the run's results stay readable). */
    @Override
    public void close() {
        kit.stop(machine, WALL_LIMIT);
    }
}
