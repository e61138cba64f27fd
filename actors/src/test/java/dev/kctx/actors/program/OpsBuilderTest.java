package dev.kctx.actors.program;

import dev.kctx.actors.program.Ops.SpinVariant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("OpsBuilder")
class OpsBuilderTest {

    @Test
    @DisplayName("syscall flattens to sys_enter, the body's operations, sys_exit returning 0")
    void syscallFlattens() {
        Program p = Program.builder()
                .compute(us(1))
                .syscall("ioctl", b -> b.mutexLock("M").copyFromUser(16).mutexUnlock("M"))
                .build();

        assertEquals(List.of(new Ops.Compute(us(1)), new Ops.SysEnter("ioctl"), new Ops.MutexLock("M"),
                        new Ops.CopyUser(16, false), new Ops.MutexUnlock("M"), new Ops.SysExit("ioctl", 0)),
                p.ops(), "the system call is its entry, its body in order, and its exit, in line with the program");
    }

    @Test
    @DisplayName("a system call with an empty body is just its entry and exit")
    void emptySyscall() {
        assertEquals(List.of(new Ops.SysEnter("getpid"), new Ops.SysExit("getpid", 0)),
                Program.builder().syscall("getpid", b -> { }).build().ops(), "entry then exit");
    }

    @Test
    @DisplayName("nanosleep is a system call around hrtimer_nanosleep")
    void nanosleep() {
        assertEquals(List.of(new Ops.SysEnter("nanosleep"), new Ops.Nanosleep(ms(2)), new Ops.SysExit("nanosleep", 0)),
                Program.builder().nanosleep(ms(2)).build().ops(), "nanosleep(2) enters the kernel to sleep");
    }

    @Test
    @DisplayName("loop builds one Loop operation holding its body")
    void loopBuildsLoopOp() {
        Program p = Program.builder().loop(4, b -> b.compute(1).wakeUp("q")).build();

        assertEquals(List.of(new Ops.Loop(4, List.of(new Ops.Compute(1), new Ops.WakeUp("q")))), p.ops(),
                "the body is kept inside the loop, not flattened");
    }

    @Test
    @DisplayName("each vocabulary call adds the operation it names, in call order")
    void vocabulary() {
        Program p = Program.builder()
                .mdelay(1).msleep(2).schedule().condResched()
                .spinLock("L", SpinVariant.BH).spinUnlock("L", SpinVariant.BH)
                .kmalloc(32, true).copyToUser(4).raiseSoftirq(SoftirqVector.HI)
                .waitEvent("q").waitEventInterruptible("r")
                .localBhDisable().localBhEnable().localIrqDisable().localIrqEnable().localIrqSave().localIrqRestore()
                .preemptDisable().preemptEnable().rcuReadLock().rcuReadUnlock().printk("x")
                .build();

        assertEquals(List.of(new Ops.Mdelay(1), new Ops.Msleep(2), Ops.Schedule.INSTANCE, Ops.CondResched.INSTANCE,
                new Ops.SpinLockPrepare("L", SpinVariant.BH), new Ops.SpinLockAcquire("L", SpinVariant.BH),
                new Ops.SpinUnlock("L", SpinVariant.BH), new Ops.Kmalloc(32, true), new Ops.CopyUser(4, true),
                new Ops.RaiseSoftirq(SoftirqVector.HI), new Ops.WaitEvent("q", false), new Ops.WaitEvent("r", true),
                Ops.Simple.LOCAL_BH_DISABLE, Ops.Simple.LOCAL_BH_ENABLE, Ops.Simple.LOCAL_IRQ_DISABLE,
                Ops.Simple.LOCAL_IRQ_ENABLE, Ops.Simple.LOCAL_IRQ_SAVE, Ops.Simple.LOCAL_IRQ_RESTORE,
                Ops.Simple.PREEMPT_DISABLE, Ops.Simple.PREEMPT_ENABLE, Ops.Simple.RCU_READ_LOCK,
                Ops.Simple.RCU_READ_UNLOCK, new Ops.Printk("x")), p.ops(), "one operation per call, in order");
    }
}
