package dev.kctx.actors.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** kctx's system call numbers against the kernel's own table (arch/x86/entry/syscalls/syscall_64.tbl, Linux 6.6). */
class SyscallsTableTest {

    static Map<String, Integer> kernelTable() throws IOException {
        Map<String, Integer> t = new TreeMap<>();
        try (InputStream in = SyscallsTableTest.class.getResourceAsStream("/syscall_64.tbl")) {
            assertNotNull(in, "the table excerpt is on the test class path");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                // x32 entries (512-547) reuse names with other numbers; kctx models x86-64 (common and 64).
                if (!f[1].equals("x32")) {
                    t.put(f[2], Integer.parseInt(f[0]));
                }
            }
        }
        return t;
    }

    @Test
    @DisplayName("every system call kctx models has the number syscall_64.tbl gives it (setsockopt 54, getsockopt 55, ...)")
    void numbersMatchTheKernel() throws IOException {
        Map<String, Integer> kernel = kernelTable();
        Map<String, Integer> ours = new TreeMap<>(Syscalls.table());
        for (Map.Entry<String, Integer> e : ours.entrySet()) {
            assertEquals(kernel.get(e.getKey()), e.getValue(), "the number of " + e.getKey());
        }
        assertEquals(kernel.keySet(), ours.keySet(), "the excerpt lists exactly the calls kctx models");
        assertEquals(54, Syscalls.nr("setsockopt"), "setsockopt");
        assertEquals(55, Syscalls.nr("getsockopt"), "getsockopt");
    }

    @Test
    @DisplayName("a name outside the table has no number: asking for one is an error, never NR -1")
    void unknownNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Syscalls.nr("page_fault"), "a page fault is not a system call");
        assertThrows(IllegalArgumentException.class, () -> Syscalls.nr("kctx_custom"), "nor is a made-up name");
    }
}
