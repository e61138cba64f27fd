package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pagefault_disable (include/linux/uaccess.h) and might_fault (mm/memory.c __might_fault), Linux 6.6. */
class PagefaultDisableTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static RunResult run(Program body) {
        MachineSpec spec = MachineSpec.builder().cpus(1).lock("L", dev.kctx.actors.program.KernelObjects.LockType.SPINLOCK)
                .kthread("k", 0, 0, body).build();
        return Runs.run(testKit, spec, ms(1));
    }

    static Ops.CopyUser missingPage(String onFault) {
        return new Ops.CopyUser(64, true, false, List.of(new Ops.Printk(onFault)));
    }

    @Test
    @DisplayName("copy_to_user and get_user under a spin lock are sleep-in-atomic; with pagefault_disable() they are not")
    void mightFaultSkipped() {
        RunResult bad = run(Program.builder().spinLock("L").copyToUser(64).op(new Ops.Call(KernelCall.GET_USER, "get_user(x, p)"))
                .spinUnlock("L").build());
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC, ReportKind.SLEEP_IN_ATOMIC),
                bad.reports().stream().map(r -> r.kind()).toList(), bad.reports().toString());
        RunResult fixed = run(Program.builder().spinLock("L").pagefaultDisable().copyToUser(64)
                .op(new Ops.Call(KernelCall.GET_USER, "get_user(x, p)")).pagefaultEnable().spinUnlock("L").build());
        assertEquals(List.of(), fixed.reports(), "__might_fault returns when pagefault_disabled()");
        RunResult after = run(Program.builder().pagefaultDisable().pagefaultEnable().spinLock("L").copyToUser(64).spinUnlock("L")
                .build());
        assertEquals(1, after.reports().size(), "pagefault_enable() restores the check");
    }

    @Test
    @DisplayName("a page that is not present: -EFAULT with the fault handler disabled, faulted in otherwise")
    void missingPage() {
        RunResult disabled = run(Program.builder().pagefaultDisable().op(missingPage("efault")).pagefaultEnable().build());
        assertEquals(List.of("efault"), disabled.dmesg().stream().map(l -> l.substring(l.indexOf("] ") + 2)).toList());
        assertTrue(disabled.trace().stream().anyMatch(t -> t.event().equals("kctx_fault") && t.args().contains("-EFAULT")),
                "the failed copy is traced");
        RunResult process = run(Program.builder().op(missingPage("efault")).build());
        assertEquals(List.of(), process.dmesg(), "in process context the fault handler brings the page in: no -EFAULT");
        RunResult atomic = run(Program.builder().spinLock("L").op(missingPage("efault")).spinUnlock("L").build());
        assertTrue(atomic.dmesg().stream().anyMatch(l -> l.endsWith("] efault")),
                "in_atomic() disables the fault handler too (faulthandler_disabled): " + atomic.dmesg());
        assertEquals(ReportKind.SLEEP_IN_ATOMIC, atomic.reports().get(0).kind(), "and might_fault still warns there");
    }
}
