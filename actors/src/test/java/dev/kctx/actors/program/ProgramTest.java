package dev.kctx.actors.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Program")
class ProgramTest {

    @Test
    @DisplayName("repeat 0 is rejected; a negative repeat means forever")
    void repeatValidation() {
        assertThrows(IllegalArgumentException.class, () -> new Program(List.of(), 0), "repeat 0 runs nothing");
        assertEquals(-1, Program.builder().forever().build().repeat(), "forever() is repeat -1");
        assertEquals(3, Program.builder().repeat(3).build().repeat(), "repeat(3) is kept");
        assertEquals(1, Program.of().repeat(), "Program.of runs once");
    }

    @Test
    @DisplayName("a program keeps its own copy of the operation list")
    void opsAreCopied() {
        List<Op> ops = new ArrayList<>(List.of(new Ops.Compute(1)));
        Program p = new Program(ops, 1);
        ops.add(new Ops.Compute(2));

        assertEquals(1, p.ops().size(), "changing the caller's list does not change the program");
        assertThrows(UnsupportedOperationException.class, () -> p.ops().add(new Ops.Compute(3)), "the ops are read-only");
    }

    @Test
    @DisplayName("user-mode only: computing and system calls with kernel operations inside them")
    void userModeWithSyscalls() {
        Program p = Program.builder()
                .compute(5)
                .syscall("read", b -> b.mutexLock("M").copyToUser(64).mutexUnlock("M"))
                .computeRandom(1, 2)
                .nanosleep(100)
                .build();

        assertTrue(p.userModeOnly(), "kernel operations inside system calls are fine for a process");
    }

    @Test
    @DisplayName("not user-mode only: a kernel operation outside any system call")
    void kernelOpOutsideSyscall() {
        assertFalse(Program.builder().compute(5).mutexLock("M").build().userModeOnly(),
                "mutex_lock in user mode is rejected");
        assertFalse(Program.builder().java("h", api -> { }).build().userModeOnly(),
                "a Java handler is kernel code: not in user mode");
        assertFalse(Program.builder().syscall("read", b -> b.compute(1)).printk("after").build().userModeOnly(),
                "a kernel operation after the system call returned is rejected");
    }

    @Test
    @DisplayName("loops are checked inside: a kernel operation in a loop body must be in a system call")
    void loopsAreChecked() {
        assertTrue(Program.builder().loop(10, b -> b.compute(5).syscall("write", s -> s.copyFromUser(8))).build()
                .userModeOnly(), "a loop of computing and system calls is fine");
        assertFalse(Program.builder().loop(10, b -> b.compute(5).spinLock("L")).build().userModeOnly(),
                "a spin lock in a user-mode loop body is rejected");
        assertFalse(Program.builder().loop(2, outer -> outer.loop(3, inner -> inner.schedule())).build().userModeOnly(),
                "nested loops are checked all the way down");
        assertTrue(Program.builder().syscall("ioctl", s -> s.loop(3, b -> b.kmalloc(8, false))).build().userModeOnly(),
                "a loop inside a system call may hold kernel operations");
    }

    @Test
    @DisplayName("a loop must leave the mode it was entered in")
    void loopsMustBeBalanced() {
        Program enterInLoop = Program.builder().loop(2, b -> b.op(new Ops.SysEnter("read"))).build();

        assertFalse(enterInLoop.userModeOnly(), "a loop body that enters the kernel without leaving is rejected");
    }

    @Test
    @DisplayName("a system call that is entered must be left before the program ends")
    void syscallMustBeLeft() {
        Program p = Program.builder().op(new Ops.SysEnter("read")).op(new Ops.CopyUser(8, true)).build();

        assertFalse(p.userModeOnly(), "a process may not end inside the kernel");
    }

    @Test
    @DisplayName("a system call cannot be entered from inside the kernel")
    void nestedSyscallRejected() {
        Program p = Program.builder().syscall("read", b -> b.syscall("write", w -> w.compute(1))).build();

        assertFalse(p.userModeOnly(), "sys_enter inside a system call is not user code");
    }

    @Test
    @DisplayName("a return to user mode without a system call is rejected")
    void strayExitRejected() {
        Program p = Program.builder().compute(1).op(new Ops.SysExit("read", 0)).build();

        assertFalse(p.userModeOnly(), "sys_exit in user mode has no system call to return from");
    }
}
