package dev.kctx.actors;

import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("MachineSpec")
class MachineSpecTest {

    private static final Program COMPUTE = Program.builder().compute(us(5)).build();
    private static final Arrivals ONCE = new Arrivals.At(List.of(0L));

    private static IllegalArgumentException rejected(MachineSpec.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build, "the spec is rejected");
    }

    @Test
    @DisplayName("the builder's defaults: 1 CPU, preempt none, the kernel's scheduler defaults (HZ 250, 0.75 ms base slice, RT 950 ms per s), seed 1")
    void defaults() {
        MachineSpec s = MachineSpec.builder().build();

        assertEquals(1, s.cpus(), "one CPU");
        assertEquals(MachineSpec.Preempt.NONE, s.preempt(), "non-preemptive kernel");
        assertEquals(us(750), s.sched().baseSliceNs(), "sysctl_sched_base_slice for one CPU");
        assertEquals(250, s.sched().hz(), "CONFIG_HZ 250, as Debian builds it");
        assertEquals(ms(950), s.sched().rtRuntimeNs(), "sched_rt_runtime_us 950000");
        assertEquals(us(2250), MachineSpec.builder().cpus(4).build().sched().baseSliceNs(),
                "0.75 ms * (1 + ilog2(4)) on four CPUs");
        assertEquals(1, s.seed(), "seed 1");
        assertFalse(s.softirqDeferToKsoftirqd(), "soft IRQs are not deferred to ksoftirqd");
        assertTrue(s.irqs().isEmpty() && s.kthreads().isEmpty() && s.processes().isEmpty(), "no contexts");
    }

    @ParameterizedTest(name = "{0} CPUs")
    @ValueSource(ints = {0, -1, 4097})
    @DisplayName("the number of CPUs must be between 1 and 4096")
    void cpusOutOfRange(int cpus) {
        IllegalArgumentException e = rejected(MachineSpec.builder().cpus(cpus));

        assertEquals("cpus must be between 1 and 4096, not " + cpus, e.getMessage(), "the message gives the range");
    }

    @ParameterizedTest(name = "{0} CPUs")
    @ValueSource(ints = {1, 4096})
    @DisplayName("1 and 4096 CPUs are accepted")
    void cpusAtBounds(int cpus) {
        assertEquals(cpus, MachineSpec.builder().cpus(cpus).build().cpus(), "the bound itself is valid");
    }

    @Test
    @DisplayName("the base slice must be positive and within the sysctl's bounds; HZ one of the kernel's")
    void timeSlicePositive() {
        assertThrows(IllegalArgumentException.class, () -> MachineSpec.builder().baseSlice(0), "a zero base slice");
        rejected(MachineSpec.builder().baseSlice(1000));
        rejected(MachineSpec.builder().hz(333));
    }

    @Test
    @DisplayName("an IRQ whose affinity names a CPU outside the machine is rejected")
    void irqAffinityOutside() {
        IllegalArgumentException e = rejected(MachineSpec.builder().cpus(2).irq("nic", 11, List.of(0, 2), ONCE, COMPUTE));

        assertEquals("irq nic has CPU 2 in its affinity; the machine has CPUs 0..1", e.getMessage(),
                "the message names the IRQ, the CPU and the valid range");
        rejected(MachineSpec.builder().cpus(2).irq("nic", 11, List.of(-1), ONCE, COMPUTE));
    }

    @Test
    @DisplayName("an IRQ needs at least one CPU in its affinity")
    void irqAffinityEmpty() {
        assertThrows(IllegalArgumentException.class,
                () -> MachineSpec.builder().irq("nic", 11, List.of(), ONCE, COMPUTE), "empty affinity is rejected");
    }

    @Test
    @DisplayName("a task pinned to a CPU outside the machine is rejected; -1 means any CPU")
    void taskPinnedOutside() {
        IllegalArgumentException e = rejected(MachineSpec.builder().cpus(2).kthread("worker", 2, 0, COMPUTE));
        assertEquals("worker is pinned to CPU 2; the machine has CPUs 0..1", e.getMessage(), "kthread message");
        rejected(MachineSpec.builder().cpus(2).process("app", 5, 0, COMPUTE));
        rejected(MachineSpec.builder().cpus(2).process("app", -2, 0, COMPUTE));
        assertDoesNotThrow(() -> MachineSpec.builder().cpus(2).process("app", -1, 0, COMPUTE).build(),
                "-1 lets the machine assign the CPU");
    }

    @Test
    @DisplayName("a process that runs kernel operations outside a system call is rejected")
    void processKernelOpsOutsideSyscall() {
        Program bad = Program.builder().compute(us(1)).spinLock("L").spinUnlock("L").build();

        IllegalArgumentException e = rejected(MachineSpec.builder().process("app", 0, 0, bad));

        assertEquals("process app runs kernel operations in user mode; put them inside a syscall", e.getMessage(),
                "the message names the process and the fix");
        rejected(MachineSpec.builder().process("app", 0, 0, Program.builder().loop(3, l -> l.msleep(us(1))).build()));
    }

    @Test
    @DisplayName("the same operations are fine inside a system call, and in a kernel thread without one")
    void kernelOpsInTheirPlace() {
        Program inSyscall = Program.builder().syscall("ioctl", s -> s.spinLock("L").spinUnlock("L")).build();
        Program kernelBody = Program.builder().spinLock("L").spinUnlock("L").build();

        assertDoesNotThrow(() -> MachineSpec.builder().process("app", 0, 0, inSyscall).kthread("k", 0, 0, kernelBody)
                .build(), "kernel operations belong in system calls and kernel threads");
    }

    @Test
    @DisplayName("a built spec does not change when its builder is used again")
    void specIsImmutable() {
        MachineSpec.Builder b = MachineSpec.builder().cpus(2).process("app", 0, 0, COMPUTE)
                .softirq(SoftirqVector.NET_RX, COMPUTE);
        MachineSpec s = b.build();
        b.process("other", 1, 0, COMPUTE).softirq(SoftirqVector.TIMER, COMPUTE);

        assertEquals(1, s.processes().size(), "processes added later are not in the built spec");
        assertEquals(1, s.softirqs().size(), "soft IRQ handlers added later are not in the built spec");
        assertThrows(UnsupportedOperationException.class, () -> s.irqs().clear(), "the spec's lists are read-only");
    }
}
