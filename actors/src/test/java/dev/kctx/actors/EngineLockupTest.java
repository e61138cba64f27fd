package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.s;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's lockup and hung-task detectors (kernel/watchdog.c, kernel/hung_task.c of 6.6) and
 * the WARNs of genirq, __local_bh_enable_ip and the system call exit, with instants worked out by
 * hand from the kernel's arithmetic.
 */
class EngineLockupTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static MachineSpec aaOnOneCpu(long irqAt, MachineSpec.Watchdogs w) {
        return MachineSpec.builder().cpus(1).watchdogs(w)
                .kthread("worker", 0, 0, Program.builder().spinLock("L").compute(us(100)).spinUnlock("L").msleep(s(1)).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(irqAt)),
                        Program.builder().spinLock("L").compute(us(1)).spinUnlock("L").build())
                .build();
    }

    static final MachineSpec.Watchdogs MS1 = MachineSpec.Watchdogs.DEFAULT.withThresh(ms(1));

    @Test
    @DisplayName("an IRQ spinning on a lock its interrupted thread holds: hard LOCKUP at the first NMI that finds no hrtimer tick, once")
    void aaDeadlockOnOneCpu() {
        RunResult r = Runs.run(testKit, aaOnOneCpu(us(50), MS1), ms(5));
        List<Report> lockups = r.reportsOf(ReportKind.HARD_LOCKUP);
        assertEquals(1, lockups.size(), "reported once per episode (watchdog_hardlockup_warned): " + r.reports());
        Report h = lockups.get(0);
        assertEquals("watchdog: Watchdog detected hard LOCKUP on cpu 0", h.title());
        // NMIs every 1 ms; the hrtimer (every 0.4 ms) expired at 0.4 ms with IRQs off: no tick by the NMI at 1 ms
        assertEquals(ms(1), h.where().timeNs(), "the first NMI after the spin began");
        assertTrue(String.join("\n", h.details()).contains("held by kthread worker"), "names the holder: " + h.details());
        assertTrue(r.reportsOf(ReportKind.SOFT_LOCKUP).isEmpty(), "with IRQs off the soft detector's timer cannot run");
        assertTrue(r.stopped().isEmpty(), "without hardlockup_panic the kernel goes on, and so does the run");
        assertEquals(ms(5), r.endNs());
    }

    @Test
    @DisplayName("hardlockup_panic: the kernel panics after the report and the run stops there")
    void hardPanic() {
        RunResult r = Runs.runAllowingStop(testKit, aaOnOneCpu(us(50), MS1.withPanics(false, true, false)), ms(5));
        assertEquals(ms(1), r.endNs());
        assertTrue(r.stopped().orElseThrow().contains("Hard LOCKUP"), r.stopped().toString());
        assertTrue(r.dmesg().stream().anyMatch(l -> l.endsWith("Kernel panic - not syncing: Hard LOCKUP")), r.dmesg().toString());
    }

    @Test
    @DisplayName("the same IRQ arriving after the critical section: no lockup")
    void aaCleanTwin() {
        RunResult r = Runs.run(testKit, aaOnOneCpu(us(150), MS1), ms(5));
        assertTrue(r.reportsOf(ReportKind.HARD_LOCKUP).isEmpty() && r.reportsOf(ReportKind.SOFT_LOCKUP).isEmpty(), r.reports().toString());
    }

    @Test
    @DisplayName("ABBA across two CPUs with IRQs on: each CPU reports its own soft lockup, again every report period")
    void abbaAcrossCpus() {
        MachineSpec spec = MachineSpec.builder().cpus(2).watchdogs(MS1)
                .kthread("a", 0, 0, Program.builder().spinLock("A").compute(us(10)).spinLock("B").spinUnlock("B").spinUnlock("A").build())
                .kthread("b", 1, 0, Program.builder().spinLock("B").compute(us(10)).spinLock("A").spinUnlock("A").spinUnlock("B").build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(5));
        List<Report> soft = r.reportsOf(ReportKind.SOFT_LOCKUP);
        // timer every 0.4 ms; exact nanoseconds below a second: reported at the first tick past 2 x 1 ms, 2.4 ms,
        // and again at the first past the new period, 4.8 ms
        assertEquals(List.of(ms(2) + us(400), ms(2) + us(400), ms(4) + us(800), ms(4) + us(800)),
                soft.stream().map(x -> x.where().timeNs()).toList(), "two CPUs, two reports each: " + r.reports());
        assertEquals("watchdog: BUG: soft lockup - CPU#0 stuck for 0s! [a:12]", soft.get(0).title());
        assertEquals("watchdog: BUG: soft lockup - CPU#1 stuck for 0s! [b:13]", soft.get(1).title());
        assertTrue(String.join("\n", soft.get(0).details()).contains("has spun on lock B"), soft.get(0).details().toString());
    }

    static MachineSpec hog(MachineSpec.Preempt preempt, Program body) {
        return MachineSpec.builder().cpus(1).preempt(preempt).kthread("hog", 0, 0, body).build();
    }

    @Test
    @DisplayName("a kernel thread busy for 50 s in a non-preemptible kernel: 'stuck for 22s!' at 24 s, 'stuck for 44s!' at 48 s")
    void busyKernelThread() {
        RunResult r = Runs.run(testKit, hog(MachineSpec.Preempt.NONE, Program.builder().compute(s(50)).build()), s(60));
        List<Report> soft = r.reportsOf(ReportKind.SOFT_LOCKUP);
        // get_timestamp() is ns >> 30: 24 s is 22, past 0 + 20; 48 s is 44, past 22 + 20 (44 s is 40: not yet)
        assertEquals(List.of(s(24), s(48)), soft.stream().map(x -> x.where().timeNs()).toList(), r.reports().toString());
        assertEquals("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [hog:11]", soft.get(0).title());
        assertTrue(soft.get(1).title().contains("stuck for 44s!"), soft.get(1).title());
        assertTrue(r.reportsOf(ReportKind.HARD_LOCKUP).isEmpty(), "IRQs were on: the hrtimer ticked");
        assertTrue(r.dmesg().stream().anyMatch(l -> l.equals("[   24.000000] " + soft.get(0).title())),
                "the report is in the kernel log, timestamped: " + r.dmesg());
    }

    @Test
    @DisplayName("the same work is no lockup with preempt=full, nor with cond_resched() every second")
    void busyButReschedulable() {
        RunResult full = Runs.run(testKit, hog(MachineSpec.Preempt.FULL, Program.builder().compute(s(50)).build()), s(60));
        assertEquals(List.of(), full.reports(), "preemptible: the stopper runs at each timer tick");
        RunResult polite = Runs.run(testKit, hog(MachineSpec.Preempt.NONE,
                Program.builder().loop(50, b -> b.compute(s(1)).condResched()).build()), s(60));
        assertEquals(List.of(), polite.reports(), "cond_resched lets the stopper in");
        RunResult pinned = Runs.run(testKit, hog(MachineSpec.Preempt.FULL,
                Program.builder().preemptDisable().compute(s(30)).preemptEnable().build()), s(40));
        assertEquals(List.of(ReportKind.SOFT_LOCKUP), pinned.reports().stream().map(Report::kind).toList(),
                "preempt_disable keeps the stopper out even with preempt=full");
    }

    @Test
    @DisplayName("25 s with IRQs off: hard LOCKUP at the NMI of 10 s, then the late hrtimer at 25 s sees a soft lockup too")
    void irqsOff() {
        RunResult r = Runs.run(testKit, hog(MachineSpec.Preempt.NONE,
                Program.builder().localIrqDisable().mdelay(s(25)).localIrqEnable().msleep(s(1)).build()), s(40));
        assertEquals(List.of(s(10)), r.reportsOf(ReportKind.HARD_LOCKUP).stream().map(x -> x.where().timeNs()).toList());
        List<Report> soft = r.reportsOf(ReportKind.SOFT_LOCKUP);
        assertEquals(List.of(s(25)), soft.stream().map(x -> x.where().timeNs()).toList(), r.reports().toString());
        assertTrue(soft.get(0).title().contains("stuck for 23s!"), "25 s >> 30 is 23: " + soft.get(0).title());
    }

    @Test
    @DisplayName("watchdog off (nowatchdog): neither detector runs")
    void watchdogOff() {
        MachineSpec spec = MachineSpec.builder().cpus(1).watchdogs(MachineSpec.Watchdogs.DEFAULT.withEnabled(false))
                .kthread("hog", 0, 0, Program.builder().localIrqDisable().mdelay(s(30)).localIrqEnable().build()).build();
        assertEquals(List.of(), Runs.run(testKit, spec, s(40)).reports());
    }

    static MachineSpec sleeper(Program body) {
        return MachineSpec.builder().cpus(1).kthread("stuck", 0, 0, body).build();
    }

    @Test
    @DisplayName("a task in D for 300 s: khungtaskd notes it at 120 s and reports it at 240 s")
    void hungTask() {
        RunResult r = Runs.run(testKit, sleeper(Program.builder().msleep(s(300)).build()), s(400));
        List<Report> hung = r.reportsOf(ReportKind.HUNG_TASK);
        assertEquals(List.of(s(240)), hung.stream().map(x -> x.where().timeNs()).toList(), r.reports().toString());
        assertTrue(hung.get(0).title().matches("INFO: task stuck:\\d+ blocked for more than 120 seconds\\."), hung.get(0).title());
        assertTrue(r.dmesg().stream().anyMatch(l -> l.contains("disables this message.")), r.dmesg().toString());
        RunResult longer = Runs.run(testKit, sleeper(Program.builder().msleep(s(500)).build()), s(500));
        assertEquals(List.of("120", "240", "360"), longer.reportsOf(ReportKind.HUNG_TASK).stream()
                .map(x -> x.title().replaceAll(".*more than (\\d+) seconds\\.", "$1")).toList(), "reported at every check after, at 240, 360 and 480 s");
    }

    @Test
    @DisplayName("interruptible sleep is never a hung task; hung_task_timeout and hung_task_warnings are honoured")
    void hungTaskSettings() {
        assertEquals(List.of(), Runs.run(testKit, sleeper(Program.builder().msleepInterruptible(s(300)).build()), s(400)).reports());
        MachineSpec quick = MachineSpec.builder().cpus(1).watchdogs(MachineSpec.Watchdogs.DEFAULT.withHungTask(s(1), 2))
                .kthread("stuck", 0, 0, Program.builder().msleep(s(10)).build()).build();
        List<Report> hung = Runs.run(testKit, quick, s(10)).reportsOf(ReportKind.HUNG_TASK);
        assertEquals(List.of(s(2), s(3)), hung.stream().map(x -> x.where().timeNs()).toList(), "two warnings, then silence");
        MachineSpec off = MachineSpec.builder().cpus(1).watchdogs(MachineSpec.Watchdogs.DEFAULT.withHungTask(0, 10))
                .kthread("stuck", 0, 0, Program.builder().msleep(s(300)).build()).build();
        assertEquals(List.of(), Runs.run(testKit, off, s(400)).reports(), "hung_task_timeout_secs 0: no check");
    }

    @Test
    @DisplayName("genirq: a handler that enables interrupts is warned about once, and IRQs are off again after it")
    void handlerEnablesIrqs() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(10), us(20))),
                        Program.builder().localIrqEnable().compute(us(1)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        List<Report> w = r.reportsOf(ReportKind.IRQ_HANDLER_ENABLED_IRQS);
        assertEquals(1, w.size(), "WARN_ONCE: " + r.reports());
        assertEquals("irq 11 handler nic enabled interrupts", w.get(0).title());
        assertTrue(r.dmesg().get(0).endsWith("------------[ cut here ]------------"), r.dmesg().toString());
        assertTrue(r.dmesg().get(2).contains("WARNING: CPU: 0 PID: 0 at kernel/irq/handle.c __handle_irq_event_percpu"),
                r.dmesg().toString());
    }

    @Test
    @DisplayName("local_bh_enable with IRQs off warns once (__local_bh_enable_ip); with IRQs on it is clean")
    void bhEnableWithIrqsOff() {
        RunResult r = Runs.run(testKit, MachineSpec.builder().cpus(1).kthread("k", 0, 0,
                Program.builder().loop(2, b -> b.localIrqDisable().localBhDisable().compute(us(1)).localBhEnable()
                        .localIrqEnable().msleep(us(10))).build()).build(), ms(1));
        List<Report> w = r.reportsOf(ReportKind.BH_ENABLE_IRQS_DISABLED);
        assertEquals(1, w.size(), "once: " + r.reports());
        assertTrue(w.get(0).title().matches("WARNING: CPU: 0 PID: \\d+ at kernel/softirq.c __local_bh_enable_ip"), w.get(0).title());
        RunResult clean = Runs.run(testKit, MachineSpec.builder().cpus(1).kthread("k", 0, 0,
                Program.builder().localBhDisable().compute(us(1)).localBhEnable().build()).build(), ms(1));
        assertEquals(List.of(), clean.reports());
    }

    @Test
    @DisplayName("a system call that returns with IRQs off: 'syscall N left IRQs disabled', and IRQs are on again after")
    void syscallLeavesIrqsOff() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process("p", 0, 0, Program.builder().syscall("ioctl", s -> s.localIrqDisable().compute(us(1)))
                        .compute(us(100)).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(50))), Program.builder().compute(us(1)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        List<Report> w = r.reportsOf(ReportKind.SYSCALL_LEFT_IRQS_DISABLED);
        assertEquals(1, w.size(), r.reports().toString());
        assertTrue(w.get(0).title().matches("syscall -?\\d+ left IRQs disabled"), w.get(0).title());
        assertTrue(r.trace().stream().anyMatch(t -> t.event().equals("irq_handler_entry") && t.timeNs() == us(50)),
                "local_irq_enable() after the WARN: the IRQ at 50 us is taken at once");
    }

    @Test
    @DisplayName("touch_nmi_watchdog in an IRQs-off poll loop, touch_softlockup_watchdog in a busy one: no lockup reported")
    void touchedWatchdogs() {
        RunResult nmi = Runs.run(testKit, hog(MachineSpec.Preempt.NONE, Program.builder().localIrqDisable()
                .loop(12, b -> b.mdelay(s(1)).touchWatchdog(true)).localIrqEnable().msleep(s(1)).build()), s(14));
        assertEquals(List.of(), nmi.reports(), "each NMI finds the watchdog touched; the late hrtimer starts a new period");
        RunResult soft = Runs.run(testKit, hog(MachineSpec.Preempt.NONE,
                Program.builder().loop(30, b -> b.compute(s(1)).touchWatchdog(false)).build()), s(31));
        assertEquals(List.of(), soft.reports(), "every tick finds the report period reset");
        RunResult untouched = Runs.run(testKit, hog(MachineSpec.Preempt.NONE,
                Program.builder().loop(30, b -> b.compute(s(1))).build()), s(31));
        assertEquals(List.of(ReportKind.SOFT_LOCKUP), untouched.reports().stream().map(Report::kind).toList(),
                "the same loop without the touch is a soft lockup");
    }
}
