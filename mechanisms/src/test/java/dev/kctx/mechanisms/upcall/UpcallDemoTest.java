package dev.kctx.mechanisms.upcall;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.demo.SeedDemos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UpcallDemoTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("kctx demo upcall: each wait mode's return value from a kworker, ENOENT only when waiting, and a waiting call"
            + " from a timer reported")
    void transcript() {
        RunResult r = DemoRuns.demo(testKit, SeedDemos.UPCALL);
        String ctl = " > /sys/kernel/debug/upcall_example";
        String kw = "upcall_example: kthread kworker/1:1: call_usermodehelper(";
        assertEquals(List.of(
                "# insmod upcall_example.ko",
                "# echo \"UMH_NO_WAIT /sbin/kctx_helper exit=3\"" + ctl,
                "# echo \"UMH_WAIT_EXEC /sbin/kctx_helper exit=3\"" + ctl,
                "# echo \"UMH_WAIT_PROC /sbin/kctx_helper exit=3\"" + ctl,
                "# echo \"UMH_WAIT_PROC /sbin/kctx_helper\"" + ctl,
                "# echo \"UMH_NO_WAIT /sbin/no_such_helper\"" + ctl,
                "# echo \"UMH_WAIT_EXEC /sbin/no_such_helper\"" + ctl,
                "# echo \"UMH_WAIT_PROC /sbin/no_such_helper\"" + ctl,
                "# dmesg -c",
                kw + "/sbin/kctx_helper, UMH_NO_WAIT) = 0",
                kw + "/sbin/kctx_helper, UMH_WAIT_EXEC) = 0",
                kw + "/sbin/kctx_helper, UMH_WAIT_PROC) = 768 (exit status 3)",
                kw + "/sbin/kctx_helper, UMH_WAIT_PROC) = 0 (exit status 0)",
                kw + "/sbin/no_such_helper, UMH_NO_WAIT) = 0",
                kw + "/sbin/no_such_helper, UMH_WAIT_EXEC) = -2 (ENOENT)",
                kw + "/sbin/no_such_helper, UMH_WAIT_PROC) = -2 (ENOENT)",
                "# cat /tmp/kctx_helper.log",
                "kctx_helper[4243]: uid 0, argv: /sbin/kctx_helper exit=3",
                "kctx_helper[4244]: uid 0, argv: /sbin/kctx_helper exit=3",
                "kctx_helper[4245]: uid 0, argv: /sbin/kctx_helper exit=3",
                "kctx_helper[4246]: uid 0, argv: /sbin/kctx_helper",
                "# echo \"timer UMH_NO_WAIT /sbin/kctx_helper\"" + ctl,
                "# echo \"timer UMH_WAIT_PROC /sbin/kctx_helper exit=1\"" + ctl,
                "# sleep 1ms",
                "# dmesg",
                "upcall_example: softirq TIMER: call_usermodehelper(/sbin/kctx_helper, UMH_NO_WAIT) = 0",
                // the kernel's checkers print to the same log: the waiting call's two BUGs come first
                "BUG: sleeping function called from invalid context at include/linux/sched/mm.h",
                "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 0, name: swapper/0",
                "preempt_count: 100, expected: 0",
                // no RCU nest depth line: __might_resched prints it only with CONFIG_PREEMPT_RCU (preempt=full)
                "CPU: 0 PID: 0 Comm: swapper/0",
                "BUG: scheduling while atomic: swapper/0/0/0x00000101",
                "CPU: 0 PID: 0 Comm: swapper/0",
                "upcall_example: softirq TIMER: call_usermodehelper(/sbin/kctx_helper, UMH_WAIT_PROC) = 256 (exit status 1)"),
                Transcripts.console(r), "the transcript");
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC, ReportKind.SCHEDULING_WHILE_ATOMIC),
                r.reports().stream().map(Report::kind).toList(),
                "only the waiting call from the timer is reported: might_alloc at the call, then its wait schedules");
        for (Report rep : r.reports()) {
            assertEquals(ContextLevel.SOFTIRQ, rep.where().level(), "reported in the TIMER soft IRQ");
            assertEquals("call_usermodehelper(/sbin/kctx_helper, UMH_WAIT_PROC)", rep.where().op(), "the call");
        }
        assertEquals("BUG: sleeping function called from invalid context at include/linux/sched/mm.h", r.reports().get(0).title(),
                "the kernel's title");
    }
}
