package dev.kctx.tests;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The traces of every example: each system call carries its x86-64 number (no {@code NR -1}), and
 * a page fault is an exception (exceptions:page_fault_user), not a system call.
 */
@DisplayName("The example scenarios' traces")
class ExampleTracesTest {

    @Test
    @DisplayName("no sys_enter or sys_exit of any example has NR -1")
    void everySyscallHasItsNumber(@TempDir Path out) throws IOException {
        List<String> bad = new ArrayList<>();
        int traces = 0;
        for (Path example : ExamplesTest.examples().toList()) {
            Path dir = out.resolve(example.getFileName().toString().replace(".yaml", ""));
            ExamplesTest.Result r = ExamplesTest.kctx("run", "--no-progress", "--out=" + dir, example.toString());
            assertTrue(r.code() == 0 || r.code() == 1, "kctx run " + example + " ran (exit " + r.code() + ")\n" + r.err());
            Path trace = dir.resolve("trace.txt");
            assertTrue(Files.exists(trace), example + " wrote trace.txt");
            traces++;
            try (var lines = Files.lines(trace)) {
                lines.filter(l -> l.contains("sys_enter: NR -1") || l.contains("sys_exit: NR -1"))
                        .limit(3).forEach(l -> bad.add(example.getFileName() + ": " + l.strip()));
            }
        }
        assertTrue(traces > 50, "every example ran: " + traces);
        assertEquals(List.of(), bad, "system calls without their number");
    }

    @Test
    @DisplayName("mechanism-mmap: the first touch of the page is exceptions:page_fault_user with address, ip and error_code, inside no system call")
    void pageFaultIsAnException(@TempDir Path out) throws IOException {
        ExamplesTest.Result r = ExamplesTest.kctx("run", "--no-progress", "--out=" + out, ExamplesTest.EXAMPLES.resolve("mechanism-mmap.yaml").toString());
        assertTrue(r.code() == 0 || r.code() == 1, r.err());
        List<String> lines = Files.readAllLines(out.resolve("trace.txt"));
        int fault = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("page_fault_user: ")) {
                fault = i;
                break;
            }
        }
        assertTrue(fault > 0, "a page fault is traced");
        assertTrue(lines.get(fault).matches(".*page_fault_user: address=0x7ffff7ff7000 ip=0x400000 error_code=0x[46]$"), lines.get(fault));
        // The nearest sys_enter before the fault was answered by its sys_exit before it: the fault is in no call.
        String pid = lines.get(fault).strip().split("\\s+")[0];
        for (int i = fault - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (l.strip().startsWith(pid + " ") && (l.contains("sys_enter:") || l.contains("sys_exit:"))) {
                assertTrue(l.contains("sys_exit: NR 9 = "), "the last system call before the fault was mmap, and it had returned: " + l);
                break;
            }
        }
    }
}
