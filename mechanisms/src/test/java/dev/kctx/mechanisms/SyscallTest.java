package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.syscall.SyscallArgs;
import dev.kctx.mechanisms.syscall.SyscallExample;
import dev.kctx.mechanisms.syscall.SyscallTable;
import dev.kctx.mechanisms.syscall.SyscallUser;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.vfs.UserPtr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyscallTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("the table has x86_64's numbers for the calls kctx makes, and knows which slots the kernel uses")
    void numbers() {
        assertEquals(0, SyscallTable.nr("read"));
        assertEquals(16, SyscallTable.nr("ioctl"));
        assertEquals(103, SyscallTable.nr("syslog"));
        assertEquals(169, SyscallTable.nr("reboot"));
        assertEquals(175, SyscallTable.nr("init_module"));
        assertEquals(217, SyscallTable.nr("getdents64"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SyscallTable.nr("no_such_call"),
                "unknown names have no number (never NR -1)");
        assertTrue(SyscallTable.builtin(39) && SyscallTable.builtin(334) && SyscallTable.builtin(462) && SyscallTable.builtin(547),
                "0-334, 424-462 and the x32 calls are the kernel's");
        assertFalse(SyscallTable.builtin(335) || SyscallTable.builtin(423) || SyscallTable.builtin(463) || SyscallTable.builtin(548),
                "335-423, 463-511 and 548 up are free");
    }

    @Test
    @DisplayName("sys_enter and sys_exit carry the call's number and the kernel's return value, -errno on failure")
    void traced() {
        RunResult r = Transcripts.run(testKit, SeedDemos.SYSCALL);
        List<String> exits = Transcripts.events(r, "sys_exit").stream().map(TraceRecord::args).toList();
        assertEquals(List.of("NR 548 = -38", "NR 548 = 12", "NR 548 = -14", "NR 548 = -38"),
                exits.stream().filter(a -> a.startsWith("NR 548 ")).toList(), "ENOSYS, 12 bytes, EFAULT, ENOSYS");
        assertTrue(exits.contains("NR 175 = 0") && exits.contains("NR 175 = -16"), "init_module: loaded, then EBUSY");
        assertTrue(exits.contains("NR 176 = 0"), "delete_module");
        assertTrue(exits.contains("NR 103 = " + "[    0.001000] syscall_example: added system call 548 (kctx_hello)".length()),
                "syslog (dmesg) returns the bytes of the log it read: one timestamped line: " + exits);
        assertTrue(Transcripts.events(r, "sys_enter").stream().noneMatch(t -> t.args().startsWith("NR -1 ")),
                "every call the shell makes has its number");
    }

    @Test
    @DisplayName("syscall(2) leaves -1 and errno to the caller; getpid by number works; a user may call a module's call; over 256 bytes is EINVAL")
    void callsFromUserSpace() {
        UserPtr msg = UserPtr.of("hi".getBytes(StandardCharsets.UTF_8));
        RunResult r = Transcripts.run(testKit, Transcripts.spec(List.of(SyscallExample.module()), Transcripts.program(
                SyscallUser.syscall(548, msg, 2L),
                Libc.printf(rg -> "before: ret=" + rg.ret + " result=" + rg.result() + " errno=" + rg.errno),
                SyscallUser.syscall(39),
                Libc.printf(rg -> "getpid " + rg.shown()),
                SyscallUser.syscall(5000),
                Libc.printf(rg -> "beyond the table " + rg.shown()),
                "insmod syscall_example.ko",
                "setuid 1000",
                SyscallUser.syscall(548, msg, 2L),
                Libc.printf(rg -> "as a user " + rg.shown()),
                SyscallUser.syscall(548, msg, 300L),
                Libc.printf(rg -> "too long " + rg.shown()),
                SyscallUser.syscall(548, msg, 3L),
                Libc.printf(rg -> "past the buffer " + rg.shown()),
                "dmesg")));
        assertEquals(List.of(
                "before: ret=-38 result=-1 errno=ENOSYS",
                "getpid = 4242",
                "beyond the table = -1 ENOSYS (Function not implemented)",
                "# insmod syscall_example.ko",
                "# setuid 1000",
                "as a user = 2",
                "too long = -1 EINVAL (Invalid argument)",
                "past the buffer = -1 EFAULT (Bad address)",
                "$ dmesg",
                "syscall_example: added system call 548 (kctx_hello)",
                "kctx_hello: sh[4242] says \"hi\""), Transcripts.console(r), "the transcript");
    }

    @Test
    @DisplayName("adding a call: a number in the kernel's range or taken by another module is EBUSY, one outside the table EINVAL; rmmod frees it")
    void registration() {
        ModuleDef other = SyscallExample.module();
        ModuleDef second = new ModuleDef("second", List.of(), m -> {
            SyscallTable.register(m, 548, "second", (c, a) -> 2);
            return 0;
        }, m -> { });
        RunResult r = Transcripts.run(testKit, List.of(other, second), List.of(
                "insmod syscall_example.ko nr=39",
                "insmod syscall_example.ko nr=5000",
                "insmod syscall_example.ko",
                "insmod second.ko",
                "rmmod syscall_example",
                "insmod second.ko",
                "dmesg"));
        assertEquals(List.of(
                "# insmod syscall_example.ko nr=39",
                "insmod: ERROR: could not insert module syscall_example.ko: Device or resource busy",
                "# insmod syscall_example.ko nr=5000",
                "insmod: ERROR: could not insert module syscall_example.ko: Invalid parameters",
                "# insmod syscall_example.ko",
                "# insmod second.ko",
                "insmod: ERROR: could not insert module second.ko: Device or resource busy",
                "# rmmod syscall_example",
                "# insmod second.ko",
                "# dmesg",
                "syscall_example: cannot add system call 39: slot in use",
                "syscall_example: cannot add system call 5000: out of range",
                "syscall_example: added system call 548 (kctx_hello)",
                "syscall_example: removed system call 548"), Transcripts.console(r), "548 is free for second once syscall_example is gone");
        SyscallTable t = new SyscallTable();
        t.add(600, "x", "m", (c, a) -> 1);
        assertThrows(KernelError.class, () -> t.add(600, "y", "n", (c, a) -> 1), "taken");
        t.remove(600);
        t.add(600, "y", "n", (c, a) -> 1);
        assertEquals("y", t.entry(600).name(), "free again after remove");
    }

    @Test
    @DisplayName("arguments: at most six, numbers or user pointers; a missing pointer is a bad one")
    void arguments() {
        assertThrows(IllegalArgumentException.class, () -> SyscallArgs.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), "seven");
        assertThrows(IllegalArgumentException.class, () -> SyscallArgs.of("text"), "a Java string is not a register");
        SyscallArgs a = SyscallArgs.of(7L, UserPtr.none());
        assertEquals(7, a.number(0));
        assertEquals(0, a.number(5), "an unused register reads 0");
        assertFalse(a.pointer(0).valid(), "a number used as a pointer is bad");
        assertThrows(KernelError.class, () -> a.number(1), "a pointer used as a number");
    }
}
