package dev.kctx.cli.output;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The event formats of trace.dat: for each event kctx traces, the binary record the kernel's
 * tracepoint would write and the format file (/sys/kernel/tracing/events/SYSTEM/EVENT/format) that
 * tells libtraceevent how to read and print it.
 *
 * <p>The kernel's events keep the kernel's fields and print formats, from the TRACE_EVENT
 * definitions of Linux 6.6: sched_switch, sched_wakeup, sched_wakeup_new, sched_migrate_task and
 * sched_process_exit from include/trace/events/sched.h; irq_handler_entry/exit and
 * softirq_raise/entry/exit from include/trace/events/irq.h; sys_enter/sys_exit from
 * include/trace/events/syscalls.h (the raw_syscalls system); signal_generate from
 * include/trace/events/signal.h; nmi_handler from include/trace/events/nmi.h; rcu_grace_period,
 * rcu_callback and rcu_invoke_callback from include/trace/events/rcu.h. The common
 * fields and their layout (struct trace_entry) are those
 * of kernel/trace/trace_events.c, trace_define_common_fields().
 *
 * <p>Where kctx's trace names a thing the kernel prints as an address (a tasklet, a timer, a
 * signal handler, a faulting instruction), the event keeps the kernel's name and system but
 * carries the name as a string ({@code __data_loc char[]}), with a print format that prints what
 * trace.txt prints; its format file says so. kctx's own events (kctx_op, kctx_preempt, ...) are in
 * a {@code kctx} system with one string field {@code msg}. An event this table does not know, or
 * whose text does not have its format's shape, is written the same way, under the {@code kctx}
 * system, so that nothing traced is lost; {@link #isKernelShaped} tells a test which happened.
 */
final class TraceEvents {

    /** struct trace_entry: common_type, common_flags, common_preempt_count, common_pid. */
    static final int COMMON_SIZE = 8;
    /** First event id; the kernel hands ids out at boot, so any fixed numbering will do. */
    private static final int FIRST_ID = 300;

    /** How a field is laid out and parsed from the trace text. */
    enum Kind {
        /** char NAME[16]: a task's comm, TASK_COMM_LEN. */
        COMM(16),
        /** a 32-bit integer, decimal in the text. */
        S32(4),
        U32(4),
        /** a 64-bit integer (long), decimal in the text. */
        S64(8),
        /** an unsigned long printed as hex without 0x. */
        HEX64(8),
        /** __data_loc char[]: a 32-bit (length << 16 | offset) pointing at the string after the fixed fields. */
        STR(4),
        /** sched_switch's prev_state: the task-state letters (R, S, D, X, ... and + for preempted) as TASK_REPORT bits. */
        STATE(8),
        /** irq_handler_exit's ret: "handled" is 1 (IRQ_HANDLED), "unhandled" 0. */
        HANDLED(4),
        /** raw_syscalls sys_enter's unsigned long args[6], printed "(a, b, c, d, e, f)" in hex. */
        ARGS6(48);

        final int size;

        Kind(int size) {
            this.size = size;
        }
    }

    /** One field after the common ones: its C type as the format file spells it, its name and kind. */
    record Field(String type, String name, Kind kind) {
        String decl() {
            return switch (kind) {
                case COMM -> type + " " + name + "[16]";
                case STR -> "__data_loc " + type + "[] " + name;
                case ARGS6 -> type + " " + name + "[6]";
                default -> type + " " + name;
            };
        }

        boolean signed() {
            return kind == Kind.S32 || kind == Kind.S64 || kind == Kind.STATE || kind == Kind.HANDLED;
        }
    }

    /** One event's format: where it lives, its id, fields, print format, and the text it parses. */
    record Format(String system, String name, int id, List<Field> fields, String printFmt, Pattern text,
                  boolean kernelShaped) {

        /** The format file, as the kernel's trace_format_show() (kernel/trace/trace_events.c) prints it. */
        String file() {
            StringBuilder sb = new StringBuilder();
            sb.append("name: ").append(name).append('\n');
            sb.append("ID: ").append(id).append('\n');
            sb.append("format:\n");
            sb.append("\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n");
            sb.append("\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n");
            sb.append("\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n");
            sb.append("\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n");
            int offset = COMMON_SIZE;
            for (Field f : fields) {
                offset = align(offset, f.kind());
                sb.append("\tfield:").append(f.decl()).append(";\toffset:").append(offset).append(";\tsize:")
                        .append(f.kind().size).append(";\tsigned:").append(f.signed() ? 1 : 0).append(";\n");
                offset += f.kind().size;
            }
            sb.append("\nprint fmt: ").append(printFmt).append('\n');
            return sb.toString();
        }

        /**
         * The record's payload (common fields included) for an event whose trace text is {@code args},
         * or null when the text does not have this format's shape.
         */
        byte[] payload(int flags, int preemptCount, int pid, String args) {
            Matcher m = text.matcher(args);
            if (!m.matches()) {
                return null;
            }
            int fixed = COMMON_SIZE;
            for (Field f : fields) {
                fixed = align(fixed, f.kind()) + f.kind().size;
            }
            Le out = new Le(fixed + 32);
            out.u16(id);
            out.u8(flags);
            out.u8(preemptCount);
            out.u32(pid);
            List<byte[]> strings = new ArrayList<>();
            int stringAt = fixed;
            for (Field f : fields) {
                out.pad(align(out.size(), f.kind()) - out.size());
                String v = m.group(group(f.name()));
                switch (f.kind()) {
                    case COMM -> {
                        byte[] b = v.getBytes(StandardCharsets.UTF_8);
                        byte[] c = new byte[16];
                        System.arraycopy(b, 0, c, 0, Math.min(b.length, 15));
                        out.bytes(c);
                    }
                    case S32, U32 -> out.u32((int) Long.parseLong(v));
                    case S64 -> out.u64(Long.parseLong(v));
                    case HEX64 -> out.u64(Long.parseUnsignedLong(v, 16));
                    case HANDLED -> out.u32(v.equals("handled") ? 1 : 0);
                    case STATE -> out.u64(state(v));
                    case ARGS6 -> {
                        String[] a = v.split(", ");
                        if (a.length != 6) {
                            return null;
                        }
                        for (String x : a) {
                            out.u64(Long.parseUnsignedLong(x, 16));
                        }
                    }
                    case STR -> {
                        byte[] b = (v + "\0").getBytes(StandardCharsets.UTF_8);
                        if (b.length > 0xffff) {
                            return null;
                        }
                        out.u32(b.length << 16 | stringAt);
                        strings.add(b);
                        stringAt += b.length;
                    }
                }
            }
            for (byte[] s : strings) {
                out.bytes(s);
            }
            return out.toByteArray();
        }
    }

    /** Natural alignment of a field, as the compiler lays out the tracepoint's struct. */
    private static int align(int offset, Kind k) {
        int a = switch (k) {
            case COMM -> 1;
            case S32, U32, STR, HANDLED -> 4;
            default -> 8;
        };
        return (offset + a - 1) / a * a;
    }

    /**
     * TASK_REPORT bits of a state as sched_switch prints it (__trace_sched_switch_state in
     * include/trace/events/sched.h): R is 0, S 1, D 2, T 4, t 8, X 0x10, Z 0x20, P 0x40, I 0x80;
     * a trailing + (preempted while runnable) is TASK_REPORT_MAX, 0x100.
     */
    static long state(String s) {
        long v = 0;
        for (char c : s.toCharArray()) {
            int bit = "SDTtXZPI".indexOf(c);
            if (c == '+') {
                v |= 0x100;
            } else if (bit >= 0) {
                v |= 1L << bit;
            } else if (c != 'R' && c != '|') {
                throw new IllegalArgumentException("task state " + s);
            }
        }
        return v;
    }

    private static final String COMMS = "(?<%s>[^\\n]{0,15}?)";
    private static final String NUM = "(?<%s>-?\\d+)";

    /** A field's regex group name: Java's group names have no underscore. */
    static String group(String field) {
        return field.replace("_", "");
    }

    private static String comms(String field) {
        return COMMS.formatted(group(field));
    }

    private static String num(String field) {
        return NUM.formatted(group(field));
    }

    private final Map<String, Format> byName = new LinkedHashMap<>();
    private int nextId = FIRST_ID;

    TraceEvents() {
        String wakeup = "\"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, REC->target_cpu";
        List<Field> wakeupFields = List.of(comm("comm"), s32("pid_t", "pid"), s32("int", "prio"),
                s32("int", "target_cpu"));
        Pattern wakeupText = shape("comm=@comm pid=#pid prio=#prio target_cpu=#target_cpu");
        // The kernel's print fmt spells the masks as TASK_REPORT_MAX expressions; here with their values
        // (TASK_REPORT_MAX = 0x100): the states below it by __print_flags, R for none, + when preempted.
        kernel("sched", "sched_switch", List.of(comm("prev_comm"), s32("pid_t", "prev_pid"), s32("int", "prev_prio"),
                        new Field("long", "prev_state", Kind.STATE), comm("next_comm"), s32("pid_t", "next_pid"),
                        s32("int", "next_prio")),
                "\"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d\","
                        + " REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & 0xff) ?"
                        + " __print_flags(REC->prev_state & 0xff, \"|\", { 0x01, \"S\" }, { 0x02, \"D\" }, { 0x04, \"T\" },"
                        + " { 0x08, \"t\" }, { 0x10, \"X\" }, { 0x20, \"Z\" }, { 0x40, \"P\" }, { 0x80, \"I\" }) : \"R\","
                        + " REC->prev_state & 0x100 ? \"+\" : \"\", REC->next_comm, REC->next_pid, REC->next_prio",
                Pattern.compile("prev_comm=" + comms("prev_comm") + " prev_pid=" + num("prev_pid")
                        + " prev_prio=" + num("prev_prio") + " prev_state=(?<prevstate>[RSDTtXZPI|]+\\+?)"
                        + " ==> next_comm=" + comms("next_comm") + " next_pid=" + num("next_pid")
                        + " next_prio=" + num("next_prio")));
        kernel("sched", "sched_wakeup", wakeupFields, wakeup, wakeupText);
        kernel("sched", "sched_wakeup_new", wakeupFields, wakeup, wakeupText);
        kernel("sched", "sched_migrate_task", List.of(comm("comm"), s32("pid_t", "pid"), s32("int", "prio"),
                        s32("int", "orig_cpu"), s32("int", "dest_cpu")),
                "\"comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d\", REC->comm, REC->pid, REC->prio, REC->orig_cpu,"
                        + " REC->dest_cpu",
                shape("comm=@comm pid=#pid prio=#prio orig_cpu=#orig_cpu dest_cpu=#dest_cpu"));
        kernel("sched", "sched_process_exit", List.of(comm("comm"), s32("pid_t", "pid"), s32("int", "prio")),
                "\"comm=%s pid=%d prio=%d\", REC->comm, REC->pid, REC->prio", shape("comm=@comm pid=#pid prio=#prio"));
        kernel("irq", "irq_handler_entry", List.of(s32("int", "irq"), str("name")),
                "\"irq=%d name=%s\", REC->irq, __get_str(name)", shape("irq=#irq name=$name"));
        kernel("irq", "irq_handler_exit", List.of(s32("int", "irq"), new Field("int", "ret", Kind.HANDLED)),
                "\"irq=%d ret=%s\", REC->irq, REC->ret ? \"handled\" : \"unhandled\"",
                Pattern.compile("irq=" + num("irq") + " ret=(?<ret>handled|unhandled)"));
        String softirq = "\"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, { 1, \"TIMER\" },"
                + " { 2, \"NET_TX\" }, { 3, \"NET_RX\" }, { 4, \"BLOCK\" }, { 5, \"IRQ_POLL\" }, { 6, \"TASKLET\" },"
                + " { 7, \"SCHED\" }, { 8, \"HRTIMER\" }, { 9, \"RCU\" })";
        for (String e : List.of("softirq_raise", "softirq_entry", "softirq_exit")) {
            kernel("irq", e, List.of(new Field("unsigned int", "vec", Kind.U32)), softirq,
                    Pattern.compile("vec=(?<vec>\\d+) \\[action=[A-Z_]+\\]"));
        }
        // tasklet_entry/exit (include/trace/events/irq.h) carry the tasklet's address; kctx has its name.
        for (String e : List.of("tasklet_entry", "tasklet_exit")) {
            kernel("irq", e, List.of(str("tasklet")), "\"tasklet=%s\", __get_str(tasklet)", shape("tasklet=$tasklet"));
        }
        kernel("raw_syscalls", "sys_enter", List.of(new Field("long", "id", Kind.S64),
                        new Field("unsigned long", "args", Kind.ARGS6)),
                "\"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)\", REC->id, REC->args[0], REC->args[1], REC->args[2],"
                        + " REC->args[3], REC->args[4], REC->args[5]",
                Pattern.compile("NR " + num("id") + " \\((?<args>[0-9a-f]+(, [0-9a-f]+){5})\\)"));
        kernel("raw_syscalls", "sys_exit", List.of(new Field("long", "id", Kind.S64), new Field("long", "ret", Kind.S64)),
                "\"NR %ld = %ld\", REC->id, REC->ret", shape("NR #id = #ret"));
        kernel("signal", "signal_generate", List.of(s32("int", "sig"), s32("int", "errno"), s32("int", "code"),
                        comm("comm"), s32("pid_t", "pid"), s32("int", "group"), s32("int", "result")),
                "\"sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d\", REC->sig, REC->errno, REC->code,"
                        + " REC->comm, REC->pid, REC->group, REC->result",
                shape("sig=#sig errno=#errno code=#code comm=@comm pid=#pid grp=#group res=#result"));
        // signal_deliver's sa_handler is an address in the kernel; kctx names the action (default, ignore, handler).
        kernel("signal", "signal_deliver", List.of(s32("int", "sig"), s32("int", "errno"), s32("int", "code"),
                        str("sa_handler"), new Field("unsigned long", "sa_flags", Kind.HEX64)),
                "\"sig=%d errno=%d code=%d sa_handler=%s sa_flags=%lx\", REC->sig, REC->errno, REC->code,"
                        + " __get_str(sa_handler), REC->sa_flags",
                Pattern.compile("sig=" + num("sig") + " errno=" + num("errno") + " code="
                        + num("code") + " sa_handler=(?<sahandler>\\S+) sa_flags=(?<saflags>[0-9a-f]+)"));
        // exceptions/page_fault_user (arch/x86/include/asm/trace/exceptions.h, class x86_exceptions): address, ip,
        // error_code. The kernel prints address and ip with %ps; kctx's addresses have no symbols, so 0x%lx.
        kernel("exceptions", "page_fault_user", List.of(new Field("unsigned long", "address", Kind.HEX64),
                        new Field("unsigned long", "ip", Kind.HEX64), new Field("unsigned long", "error_code", Kind.HEX64)),
                "\"address=0x%lx ip=0x%lx error_code=0x%lx\", REC->address, REC->ip, REC->error_code",
                Pattern.compile("address=0x(?<address>[0-9a-f]+) ip=0x(?<ip>[0-9a-f]+) error_code=0x(?<errorcode>[0-9a-f]+)"));
        // nmi_handler (include/trace/events/nmi.h) has the handler's address, printed %ps(); kctx has its name.
        kernel("nmi", "nmi_handler", List.of(str("handler"), new Field("s64", "delta_ns", Kind.S64), s32("int", "handled")),
                "\"%s() delta_ns: %lld handled: %d\", __get_str(handler), REC->delta_ns, REC->handled",
                shape("$handler() delta_ns: #delta_ns handled: #handled"));
        // timer_expire_entry (include/trace/events/timer.h) has the timer's address; kctx has its name.
        kernel("timer", "timer_expire_entry", List.of(str("timer")), "\"timer=%s\", __get_str(timer)",
                shape("timer=$timer"));
        // include/trace/events/rcu.h (CONFIG_RCU_TRACE): rcuname is a const char * and gpevent a TPS() string;
        // the callbacks' rhp and func are addresses in the kernel, names in kctx.
        kernel("rcu", "rcu_grace_period", List.of(str("rcuname"), new Field("long", "gp_seq", Kind.S64), str("gpevent")),
                "\"%s %ld %s\", __get_str(rcuname), REC->gp_seq, __get_str(gpevent)", shape("$rcuname #gp_seq $gpevent"));
        for (String e : List.of("rcu_callback", "rcu_invoke_callback")) {
            kernel("rcu", e, List.of(str("rcuname"), str("rhp"), str("func")),
                    "\"%s rhp=%s func=%s\", __get_str(rcuname), __get_str(rhp), __get_str(func)",
                    shape("$rcuname rhp=$rhp func=$func"));
        }
        // include/trace/events/workqueue.h: the kernel's carry the work's and the function's addresses; kctx has names.
        kernel("workqueue", "workqueue_queue_work", List.of(str("work"), str("workqueue")),
                "\"work=%s workqueue=%s\", __get_str(work), __get_str(workqueue)", shape("work=$work workqueue=$workqueue"));
        for (String e : List.of("workqueue_execute_start", "workqueue_execute_end")) {
            kernel("workqueue", e, List.of(str("work")), "\"work=%s\", __get_str(work)", shape("work=$work"));
        }
    }

    private static Field comm(String name) {
        return new Field("char", name, Kind.COMM);
    }

    private static Field s32(String type, String name) {
        return new Field(type, name, Kind.S32);
    }

    private static Field str(String name) {
        return new Field("char", name, Kind.STR);
    }

    /** A text shape: @name a comm, #name a decimal number, $name a string; the rest literal. */
    private static Pattern shape(String s) {
        StringBuilder re = new StringBuilder();
        Matcher m = Pattern.compile("([@#$])([a-z_]+)").matcher(s);
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(s.substring(last, m.start())));
            String name = m.group(2);
            re.append(switch (m.group(1)) {
                case "@" -> comms(name);
                case "#" -> num(name);
                default -> "(?<" + group(name) + ">.*)";
            });
            last = m.end();
        }
        re.append(Pattern.quote(s.substring(last)));
        return Pattern.compile(re.toString());
    }

    private void kernel(String system, String name, List<Field> fields, String printFmt, Pattern text) {
        byName.put(name, new Format(system, name, nextId++, fields, printFmt, text, true));
    }

    /** The format of {@code event} for its text {@code args}: the kernel's shape when it fits, else kctx's. */
    Format of(String event, String args) {
        Format f = byName.get(event);
        if (f != null && (!f.kernelShaped() || f.text().matcher(args).matches())) {
            return f;
        }
        return byName.computeIfAbsent("kctx/" + event, k -> new Format("kctx", event, nextId++,
                List.of(str("msg")), "\"%s\", __get_str(msg)", Pattern.compile("(?<msg>.*)", Pattern.DOTALL), false));
    }

    /** Whether {@code event} with text {@code args} is written with the kernel's fields (not as a kctx message). */
    boolean isKernelShaped(String event, String args) {
        return of(event, args).kernelShaped();
    }

    /** The formats used so far, by system, in the order they were first used. */
    Map<String, List<Format>> used(java.util.Set<Integer> ids) {
        Map<String, List<Format>> bySystem = new LinkedHashMap<>();
        for (Format f : byName.values()) {
            if (ids.contains(f.id())) {
                bySystem.computeIfAbsent(f.system(), s -> new ArrayList<>()).add(f);
            }
        }
        return bySystem;
    }

    /** A little-endian byte sink. */
    static final class Le {
        private final ByteArrayOutputStream out;

        Le(int size) {
            out = new ByteArrayOutputStream(size);
        }

        Le u8(int v) {
            out.write(v);
            return this;
        }

        Le u16(int v) {
            return u8(v).u8(v >>> 8);
        }

        Le u32(int v) {
            return u16(v).u16(v >>> 16);
        }

        Le u64(long v) {
            return u32((int) v).u32((int) (v >>> 32));
        }

        Le bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Le cstr(String s) {
            return bytes(s.getBytes(StandardCharsets.UTF_8)).u8(0);
        }

        Le pad(int n) {
            for (int i = 0; i < n; i++) {
                out.write(0);
            }
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
