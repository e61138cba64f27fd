package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** call_rcu, rcu_barrier and grace periods that wait for readers (kernel/rcu/tree.c, Linux 6.6) in scenario files. */
@DisplayName("RCU callbacks and grace periods in scenario files")
class RcuScenarioTest {

    @TempDir
    static Path dir;

    private static Kctx.Result run(String name, String yaml) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return Kctx.run("run", f.toString(), "--out", dir.resolve(name).toString());
    }

    private static List<String> trace(String name, String event) throws IOException {
        return Files.readAllLines(dir.resolve(name + "/trace.txt")).stream().filter(l -> l.contains(event)).toList();
    }

    @Test
    @DisplayName("a 50 ms reader delays call_rcu's callback and synchronize_rcu; the callback runs in RCU_SOFTIRQ on the queueing CPU")
    void readerDelaysCallback() throws IOException {
        Kctx.Result r = run("long", """
                machine: {cpus: 2}
                kthreads:
                  - name: reader
                    cpu: 1
                    body: [rcu_read_lock, compute: 50ms, rcu_read_unlock]
                  - name: updater
                    cpu: 0
                    start: 1ms
                    body:
                      - call_rcu: {func: free_old, body: [kfree: old]}
                      - synchronize_rcu
                      - compute: 1us
                run: {until: 60ms}
                expect: {clean: true}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> cb = trace("long", "rcu_invoke_callback");
        assertEquals(1, cb.size(), cb.toString());
        assertTrue(cb.get(0).contains(" 0.051000: ") && cb.get(0).contains("[000]") && cb.get(0).contains("func=free_old"),
                "after the reader left at 50 ms, at the grace period's next check, on CPU 0: " + cb);
        List<String> ends = trace("long", "rcu_grace_period").stream().filter(l -> l.endsWith(" end")).toList();
        assertEquals(2, ends.size(), "call_rcu's grace period, then the one synchronize_rcu asked for while it ran: " + ends);
        assertTrue(ends.get(1).contains(" 0.052000: "), ends.toString());
    }

    @Test
    @DisplayName("call_rcu's body is a soft IRQ body: a sleeping call there is the kernel's BUG, and syscall-only operations are refused")
    void callbackBody() throws IOException {
        Kctx.Result r = run("sleepy", """
                kthreads:
                  - name: u
                    body: [call_rcu: {func: cb, body: [msleep: 1ms]}, rcu_barrier]
                run: {until: 5ms}
                """);
        assertTrue(r.out().contains("BUG: scheduling while atomic"), r.out());
        ScenarioError e = assertThrows(ScenarioError.class, () -> ScenarioLoader.load("""
                kthreads:
                  - name: u
                    body: [call_rcu: {func: cb}]
                """, "t"));
        assertTrue(e.getMessage().contains("body"), e.getMessage());
    }
}
