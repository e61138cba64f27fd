package dev.kctx.cli.output;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event formats of trace.dat lay out fields as the kernel's tracepoints do (without needing trace-cmd). */
@DisplayName("TraceEvents")
class TraceEventsTest {
    private final TraceEvents events = new TraceEvents();

    @Test
    @DisplayName("sched_switch's format file has the kernel's fields at the kernel's offsets (6.6 on x86-64)")
    void schedSwitchLayout() {
        String args = "prev_comm=app prev_pid=1000 prev_prio=120 prev_state=R+ ==> next_comm=swapper/0 next_pid=0 next_prio=120";
        String file = events.of("sched_switch", args).file();
        for (String field : new String[] {
            "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;",
            "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;",
            "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;",
            "\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;",
            "\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;",
            "\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;",
            "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;",
            "\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;",
            "\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;"}) {
            assertTrue(file.contains(field + "\n"), field + " in\n" + file);
        }
        assertTrue(file.startsWith("name: sched_switch\nID: "), file);

        ByteBuffer b = ByteBuffer.wrap(events.of("sched_switch", args).payload(0x01, 2, 1000, args)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64, b.capacity(), "the record is the struct's 64 bytes");
        assertEquals(0x01, b.get(2), "common_flags");
        assertEquals(2, b.get(3), "common_preempt_count");
        assertEquals(1000, b.getInt(4), "common_pid");
        assertEquals("app", new String(b.array(), 8, 3, StandardCharsets.UTF_8));
        assertEquals(0, b.get(11), "the comm is NUL-terminated");
        assertEquals(0x100, b.getLong(32), "R+ is TASK_REPORT_MAX: runnable, preempted");
    }

    @Test
    @DisplayName("the other kernel events keep the kernel's fields; a string field is a __data_loc after the fixed ones")
    void otherLayouts() {
        String enter = events.of("sys_enter", "NR 16 (3, 5401, 0, 0, 0, 0)").file();
        assertTrue(enter.contains("\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"), enter);
        assertTrue(enter.contains("\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n"), enter);
        String irq = events.of("irq_handler_entry", "irq=11 name=nic").file();
        assertTrue(irq.contains("\tfield:int irq;\toffset:8;\tsize:4;\tsigned:1;\n"), irq);
        assertTrue(irq.contains("\tfield:__data_loc char[] name;\toffset:12;\tsize:4;\tsigned:0;\n"), irq);
        assertTrue(irq.contains("print fmt: \"irq=%d name=%s\", REC->irq, __get_str(name)\n"), irq);

        ByteBuffer b = ByteBuffer.wrap(events.of("irq_handler_entry", "irq=11 name=nic").payload(0x08, 1, 0, "irq=11 name=nic"))
                .order(ByteOrder.LITTLE_ENDIAN);
        int loc = b.getInt(12);
        assertEquals(16, loc & 0xffff, "the string starts after the fixed fields");
        assertEquals(4, loc >>> 16, "its length counts the NUL");
        assertEquals("nic\0", new String(b.array(), 16, 4, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("kctx's own events, and a kernel event whose text lost the kernel's shape, go to the kctx system")
    void kctxSystem() {
        TraceEvents.Format op = events.of("kctx_op", "spin_lock(dev_lock)");
        assertEquals("kctx", op.system());
        assertTrue(op.file().contains("\tfield:__data_loc char[] msg;\toffset:8;\tsize:4;\tsigned:0;\n"), op.file());
        assertTrue(events.isKernelShaped("softirq_raise", "vec=3 [action=NET_RX]"));
        assertFalse(events.isKernelShaped("softirq_raise", "vector three"), "not the kernel's shape: kept as text");
        assertEquals("kctx", events.of("softirq_raise", "vector three").system());
        assertEquals("irq", events.of("softirq_raise", "vec=3 [action=NET_RX]").system());
    }

    @Test
    @DisplayName("task states are the kernel's TASK_REPORT bits")
    void states() {
        assertEquals(0, TraceEvents.state("R"));
        assertEquals(1, TraceEvents.state("S"));
        assertEquals(2, TraceEvents.state("D"));
        assertEquals(0x10, TraceEvents.state("X"));
        assertEquals(0x100, TraceEvents.state("R+"));
        assertEquals(0x3, TraceEvents.state("S|D"));
    }
}
