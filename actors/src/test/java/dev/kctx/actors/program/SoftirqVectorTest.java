package dev.kctx.actors.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("SoftirqVector and Syscalls")
class SoftirqVectorTest {

    @Test
    @DisplayName("the ten vectors are in include/linux/interrupt.h order, one bit each")
    void kernelOrder() {
        assertEquals(List.of("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"),
                Arrays.stream(SoftirqVector.values()).map(Enum::name).toList(), "HI_SOFTIRQ=0 ... RCU_SOFTIRQ=9");
        assertEquals(1 << 3, SoftirqVector.NET_RX.bit(), "NET_RX is bit 3 of the pending mask");
    }

    @Test
    @DisplayName("parse ignores case and surrounding blanks, and lists the valid names on error")
    void parse() {
        assertEquals(SoftirqVector.NET_RX, SoftirqVector.parse(" net_rx "), "case and blanks do not matter");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftirqVector.parse("NET"),
                "an unknown vector is rejected");
        assertTrue(e.getMessage().contains("unknown soft IRQ vector 'NET'") && e.getMessage().contains("NET_RX"),
                "the message names the bad input and the valid vectors: " + e.getMessage());
    }

    /** Numbers from arch/x86/entry/syscalls/syscall_64.tbl. */
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"read,0", "write,1", "open,2", "close,3", "lseek,8", "mmap,9", "munmap,11", "ioctl,16",
            "sched_yield,24", "nanosleep,35", "getpid,39", "socket,41", "sendto,44", "recvfrom,45", "sendmsg,46",
            "recvmsg,47", "bind,49", "kill,62", "mkdir,83", "rmdir,84", "rt_sigqueueinfo,129", "mknod,133",
            "init_module,175", "delete_module,176", "openat,257", "setsockopt,54", "getsockopt,55"})
    @DisplayName("system call numbers follow the x86_64 table")
    void syscallNumbers(String name, int nr) {
        assertEquals(nr, Syscalls.nr(name), name + " has number " + nr + " on x86_64");
    }

    @Test
    @DisplayName("a call outside the table has no number")
    void unknownCall() {
        assertThrows(IllegalArgumentException.class, () -> Syscalls.nr("my_driver_call"), "no NR -1 for an unknown name");
    }
}
