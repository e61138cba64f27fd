package dev.kctx.cli.scenario;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The scenario loader")
class ScenarioLoaderTest {

    private static final String FULL = """
            name: demo
            description: a little of everything
            machine: {cpus: 2, preempt: full, time_slice: 2ms, seed: 42, softirq_defer: true}
            locks:
              L: spinlock
              M: mutex
            irqs:
              - name: nic
                line: 11
                cpus: [0, 1]
                arrivals: {every: 1ms, start: 300us, count: 5}
                handler:
                  - compute: 4us
                  - raise_softirq: NET_RX
              - name: disk
                line: 14
                arrivals: {at: [100us, 2ms]}
                handler: [compute: 1us]
              - name: noise
                line: 15
                arrivals: {rate: 2000, count: 10}
                handler: [compute: 1us]
            softirqs:
              NET_RX:
                - compute: {min: 10us, max: 30us}
                - spin_lock_irqsave: L
                - kmalloc: GFP_ATOMIC
                - spin_unlock_irqrestore: L
                - wake_up: rxq
            kthreads:
              - name: rxworker
                cpu: 0
                repeat: forever
                body:
                  - wait_event: rxq
                  - mutex_lock: M
                  - kmalloc: {size: 256, flags: GFP_KERNEL}
                  - mutex_unlock: M
                  - loop: {count: 3, body: [cond_resched, {udelay: 5us}]}
            processes:
              - name: reader
                cpu: 1
                start: 50us
                pid: 4242
                repeat: 2
                body:
                  - compute: 100us
                  - syscall:
                      name: read
                      body:
                        - wait_event_interruptible: rxq
                        - copy_to_user: 1500
                  - nanosleep: 1ms
            run: {until: 20ms}
            expect:
              reports: {sleep-in-atomic: 0, bad-unlock-balance: {min: 0, max: 2}}
              irq_to_softirq_max: 50us
              softirq_wake_to_run_p99: 1ms
            """;

    @Test
    @DisplayName("reads every section of a complete scenario into the machine spec")
    void fullScenario() {
        Scenario s = ScenarioLoader.load(FULL, "ignored");
        MachineSpec m = s.spec();
        assertEquals("demo", s.name(), "the name comes from 'name:'");
        assertEquals(2, m.cpus());
        assertEquals(MachineSpec.Preempt.FULL, m.preempt());
        assertEquals(ms(2), m.sched().baseSliceNs());
        assertEquals(42, m.seed());
        assertTrue(m.softirqDeferToKsoftirqd(), "softirq_defer is read");
        assertEquals(LockType.SPINLOCK, m.locks().get("L"));
        assertEquals(LockType.MUTEX, m.locks().get("M"));
        assertEquals(ms(20), s.untilNs());

        MachineSpec.Irq nic = m.irqs().get(0);
        assertEquals(11, nic.line());
        assertEquals(List.of(0, 1), nic.cpus());
        assertEquals(new Arrivals.Every(ms(1), 5, us(300)), nic.arrivals());
        assertEquals(List.of(new Ops.Compute(us(4)), new Ops.RaiseSoftirq(SoftirqVector.NET_RX)), nic.handler().ops());
        assertEquals(new Arrivals.At(List.of(us(100), ms(2))), m.irqs().get(1).arrivals());
        assertEquals(List.of(0), m.irqs().get(1).cpus(), "the affinity defaults to CPU 0");
        assertEquals(new Arrivals.Rate(2000, 10, 0), m.irqs().get(2).arrivals());

        List<Op> rx = m.softirqs().get(SoftirqVector.NET_RX).ops();
        assertEquals(new Ops.ComputeRandom(us(10), us(30)), rx.get(0));
        assertEquals(new Ops.SpinLockPrepare("L", Ops.SpinVariant.IRQSAVE), rx.get(1));
        assertEquals(new Ops.SpinLockAcquire("L", Ops.SpinVariant.IRQSAVE), rx.get(2));
        assertEquals(new Ops.Kmalloc(64, true), rx.get(3));
        assertEquals(new Ops.SpinUnlock("L", Ops.SpinVariant.IRQSAVE), rx.get(4));

        MachineSpec.Task k = m.kthreads().get(0);
        assertEquals(-1, k.body().repeat(), "repeat: forever is -1");
        assertEquals(0, k.cpu());
        assertEquals(new Ops.Kmalloc(256, false), k.body().ops().get(2));
        Ops.Loop loop = assertInstanceOf(Ops.Loop.class, k.body().ops().get(4));
        assertEquals(3, loop.count());
        assertEquals(List.of(Ops.CondResched.INSTANCE, new Ops.Mdelay(us(5))), loop.body());

        MachineSpec.Task p = m.processes().get(0);
        assertEquals(4242, p.pid());
        assertEquals(us(50), p.startNs());
        assertEquals(2, p.body().repeat());
        List<Op> ops = p.body().ops();
        assertEquals(new Ops.SysEnter("read"), ops.get(1));
        assertEquals(new Ops.WaitEvent("rxq", true), ops.get(2));
        assertEquals(new Ops.CopyUser(1500, true), ops.get(3));
        assertEquals(dev.kctx.mechanisms.user.Sys.scenarioExit("read"), ops.get(4));
        assertEquals(new Ops.SysEnter("nanosleep"), ops.get(5));
        assertTrue(p.body().userModeOnly(), "kernel operations sit inside system calls");
        assertEquals(java.util.Set.of("reader"), s.processes());
        assertEquals("read", s.syscalls().get(0), "syscall numbers are named for the outputs");
        assertEquals("nanosleep", s.syscalls().get(35));

        Expect e = s.expect().orElseThrow();
        assertEquals(new Expect.Range(0, 0), e.reports().get(ReportKind.SLEEP_IN_ATOMIC));
        assertEquals(new Expect.Range(0, 2), e.reports().get(ReportKind.BAD_UNLOCK_BALANCE));
        assertEquals(List.of(new Expect.Bound(Expect.Histo.IRQ_TO_SOFTIRQ, Expect.Stat.MAX, us(50)),
                new Expect.Bound(Expect.Histo.SOFTIRQ_WAKE_TO_RUN, Expect.Stat.P99, ms(1))), e.bounds());
    }

    @Test
    @DisplayName("reads the lock, semaphore, completion, sleep and allocation operations into the engine's own")
    void lockValidatorOperations() {
        Scenario s = ScenarioLoader.load("""
                machine: {watchdog_thresh: 2ms}
                locks:
                  L: spinlock
                  rw: rwlock
                  slots: {semaphore: 3}
                  bin: semaphore
                  zero: {semaphore: 0}
                kthreads:
                  - name: k
                    body:
                      - read_lock: rw
                      - read_unlock_irqrestore: rw
                      - write_lock_bh: rw
                      - write_unlock_irq: rw
                      - spin_trylock: {lock: L, then: [compute: 1us, spin_unlock: L], else: [compute: 2us]}
                      - write_trylock: {lock: rw, then: [write_unlock: rw]}
                      - down: slots
                      - down_interruptible: bin
                      - up: zero
                      - wait_for_completion: done
                      - complete: done
                      - msleep_interruptible: 5ms
                      - usleep_range: {min: 100us, max: 200us}
                      - kmalloc: GFP_NOWAIT
                      - kmalloc: {size: 16, flags: GFP_NOWAIT}
                      - kfree
                      - kfree: buf
                      - vmalloc: 4096
                      - alloc_skb: GFP_ATOMIC
                      - alloc_skb: {size: 64, flags: GFP_KERNEL}
                      - get_user
                      - put_user: status
                """, "x");
        assertEquals(ms(2), s.spec().watchdogThreshNs(), "watchdog_thresh is read");
        assertEquals(MachineSpec.DEFAULT_WATCHDOG_THRESH_NS,
                ScenarioLoader.load("kthreads: [{name: k, body: [compute: 1us]}]\n", "x").spec().watchdogThreshNs(),
                "the kernel's 10 s by default");
        assertEquals(LockType.SEMAPHORE, s.spec().locks().get("slots"));
        assertEquals(java.util.Map.of("slots", 3, "bin", 1, "zero", 0), s.spec().semaphoreCounts(),
                "counts from {semaphore: N}; a bare semaphore is binary");
        List<Op> ops = s.spec().kthreads().get(0).body().ops();
        List<Op> expected = List.of(
                new Ops.SpinLockPrepare("rw", Ops.SpinVariant.PLAIN, Ops.LockMode.READ),
                new Ops.SpinLockAcquire("rw", Ops.SpinVariant.PLAIN, Ops.LockMode.READ),
                new Ops.SpinUnlock("rw", Ops.SpinVariant.IRQSAVE, Ops.LockMode.READ),
                new Ops.SpinLockPrepare("rw", Ops.SpinVariant.BH, Ops.LockMode.WRITE),
                new Ops.SpinLockAcquire("rw", Ops.SpinVariant.BH, Ops.LockMode.WRITE),
                new Ops.SpinUnlock("rw", Ops.SpinVariant.IRQ, Ops.LockMode.WRITE),
                new Ops.SpinTrylock("L", Ops.LockMode.SPIN, List.of(new Ops.Compute(us(1)), new Ops.SpinUnlock("L", Ops.SpinVariant.PLAIN)),
                        List.of(new Ops.Compute(us(2)))),
                new Ops.SpinTrylock("rw", Ops.LockMode.WRITE, List.of(new Ops.SpinUnlock("rw", Ops.SpinVariant.PLAIN, Ops.LockMode.WRITE)),
                        List.of()),
                new Ops.Down("slots", false),
                new Ops.Down("bin", true),
                new Ops.Up("zero"),
                new Ops.Completion("done", true),
                new Ops.Completion("done", false),
                new Ops.MsleepInterruptible(ms(5)),
                new Ops.TimedSleep(KernelCall.USLEEP_RANGE, us(200), 'D'),
                new Ops.Kmalloc(64, dev.kctx.contexts.GfpFlags.GFP_NOWAIT, List.of()),
                new Ops.Kmalloc(16, dev.kctx.contexts.GfpFlags.GFP_NOWAIT, List.of()),
                new Ops.Call(KernelCall.KFREE, "kfree(ptr)"),
                new Ops.Call(KernelCall.KFREE, "kfree(buf)"),
                new Ops.Call(KernelCall.VMALLOC, "vmalloc(4096)"),
                new Ops.Call(KernelCall.ALLOC_SKB_GFP_ATOMIC, "alloc_skb(1500, GFP_ATOMIC)"),
                new Ops.Call(KernelCall.ALLOC_SKB_GFP_KERNEL, "alloc_skb(64, GFP_KERNEL)"),
                new Ops.Call(KernelCall.GET_USER, "get_user(x, ptr)"),
                new Ops.Call(KernelCall.PUT_USER, "put_user(status)"));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), ops.get(i), "operation " + i);
        }
        assertEquals(expected.size(), ops.size());
    }

    @Test
    @DisplayName("interruptible and killable waits: the scalar forms, and the map forms with the on_interrupt cleanup inside a system call")
    void interruptibleWaits() {
        Scenario s = ScenarioLoader.load("""
                locks: {S: semaphore, M: mutex}
                kthreads:
                  - name: k
                    body: [down_killable: S, mutex_lock_interruptible: M, mutex_lock_killable: M, wait_event_killable: q,
                           msleep_interruptible: {duration: 2ms}]
                processes:
                  - name: p
                    body:
                      - syscall:
                          name: ioctl
                          body:
                            - mutex_lock: M
                            - down_interruptible: {semaphore: S, on_interrupt: [mutex_unlock: M]}
                            - wait_event_interruptible: {queue: q, on_interrupt: [up: S, mutex_unlock: M]}
                            - msleep_interruptible: {duration: 1ms, on_interrupt: [mutex_unlock: M]}
                """, "intr");
        assertEquals(List.of(new Ops.Down("S", Ops.WaitMode.KILLABLE, List.of()),
                new Ops.MutexLock("M", Ops.WaitMode.INTERRUPTIBLE, List.of()), new Ops.MutexLock("M", Ops.WaitMode.KILLABLE, List.of()),
                new Ops.WaitEvent("q", Ops.WaitMode.KILLABLE, List.of()), new Ops.MsleepInterruptible(ms(2))),
                s.spec().kthreads().get(0).body().ops());
        List<Op> ops = s.spec().processes().get(0).body().ops();
        assertEquals(List.of(new Ops.SysEnter("ioctl"), new Ops.MutexLock("M"),
                new Ops.Down("S", Ops.WaitMode.INTERRUPTIBLE, List.of(new Ops.MutexUnlock("M"))),
                new Ops.WaitEvent("q", Ops.WaitMode.INTERRUPTIBLE, List.of(new Ops.Up("S"), new Ops.MutexUnlock("M"))),
                new Ops.MsleepInterruptible(ms(1), List.of(new Ops.MutexUnlock("M"))),
                dev.kctx.mechanisms.user.Sys.scenarioExit("ioctl")), ops);
    }

    @Test
    @DisplayName("fills in the defaults: one CPU, no preemption, 4 ms slices, seed 1, 10 ms, the file name")
    void defaults() {
        Scenario s = ScenarioLoader.load("kthreads: [{name: k, body: [compute: 1us]}]\n", "my-file");
        assertEquals("my-file", s.name());
        assertEquals(1, s.spec().cpus());
        assertEquals(MachineSpec.Preempt.NONE, s.spec().preempt());
        assertEquals(us(750), s.spec().sched().baseSliceNs());
        assertEquals(1, s.spec().seed());
        assertEquals(ms(10), s.untilNs());
        assertEquals(-1, s.spec().kthreads().get(0).cpu(), "no cpu means any (round robin)");
        assertTrue(s.expect().isEmpty());
    }

    @Test
    @DisplayName("lets a body be shared through a YAML anchor and alias")
    void anchors() {
        Scenario s = ScenarioLoader.load("""
                kthreads:
                  - {name: a, body: &work [compute: 1us, schedule]}
                  - {name: b, body: *work}
                """, "x");
        assertEquals(s.spec().kthreads().get(0).body().ops(), s.spec().kthreads().get(1).body().ops());
        assertSame(Ops.Schedule.INSTANCE, s.spec().kthreads().get(1).body().ops().get(1), "bare names need no argument");
    }

    @Test
    @DisplayName("accepts every registered operation in some body, and the registry lists them")
    void registry() {
        OpRegistry r = OpRegistry.standard();
        assertTrue(r.names().containsAll(List.of("spin_lock_irqsave", "mutex_lock", "msleep", "syscall", "loop",
                "raise_softirq", "local_bh_disable", "rcu_read_unlock", "printk", "read_lock_bh", "write_unlock_irqrestore",
                "spin_trylock", "read_trylock", "write_trylock", "down", "down_interruptible", "up", "wait_for_completion",
                "complete", "vmalloc", "kfree", "get_user", "put_user", "alloc_skb", "msleep_interruptible", "usleep_range")),
                r.names().toString());
        assertEquals(List.of("compute", "syscall", "nanosleep", "loop", "sh", "kill", "sigaction", "ioctl", "netlink", "genetlink",
                "sched_setscheduler", "sched_setattr", "nice", "sched_setaffinity", "sched_yield"), r.namesFor(BodyKind.USER));
    }

    @Test
    @DisplayName("takes new operations through the registry, as later issues will")
    void extensible() {
        OpRegistry r = OpRegistry.standard().register("ndelay", "ndelay: DURATION", OpRegistry.KERNEL,
                (a, o) -> o.mdelay(a.duration()));
        Scenario s = ScenarioLoader.load("kthreads: [{name: k, body: [ndelay: 5ns]}]\n", "x", r);
        assertEquals(List.of(new Ops.Mdelay(5)), s.spec().kthreads().get(0).body().ops());
    }

    @Test
    @DisplayName("kmalloc takes GFP flag expressions; a typo and an on_failure on flags that may sleep are located errors")
    void gfpExpressions() {
        Scenario s = ScenarioLoader.load("kthreads: [{name: k, body: [kmalloc: GFP_NOFS | __GFP_NOWARN,"
                + " kmalloc: {size: 8, flags: GFP_ATOMIC|__GFP_NOWARN, on_failure: [compute: 1us]}]}]\n", "x");
        List<Op> ops = s.spec().kthreads().get(0).body().ops();
        assertEquals(new Ops.Kmalloc(64, dev.kctx.contexts.GfpFlags.parse("GFP_NOFS | __GFP_NOWARN"), List.of()), ops.get(0));
        assertEquals("kmalloc(8, GFP_ATOMIC | __GFP_NOWARN)", ops.get(1).describe());
        ScenarioError typo = org.junit.jupiter.api.Assertions.assertThrows(ScenarioError.class,
                () -> ScenarioLoader.load("kthreads: [{name: k, body: [kmalloc: GFP_KERNAL]}]\n", "x"));
        assertTrue(typo.getMessage().contains("unknown GFP flag 'GFP_KERNAL'")
                && typo.getMessage().contains("GFP_NOFS"), typo.getMessage());
        ScenarioError sleepy = org.junit.jupiter.api.Assertions.assertThrows(ScenarioError.class,
                () -> ScenarioLoader.load("kthreads: [{name: k, body: [kmalloc: {flags: GFP_KERNEL, on_failure: [compute: 1us]}]}]\n", "x"));
        assertTrue(sleepy.getMessage().contains("on_failure needs an allocation that can fail"), sleepy.getMessage());
    }
}
