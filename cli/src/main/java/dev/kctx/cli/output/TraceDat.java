package dev.kctx.cli.output;

import dev.kctx.actors.trace.TraceRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The trace as trace-cmd's {@code trace.dat}, which {@code trace-cmd report} and KernelShark open.
 *
 * <p>The file is version 6 of the format, laid out as trace-cmd.dat.v6(5) describes it
 * (trace-cmd's Documentation/trace-cmd/trace-cmd.dat.v6.5.txt): magic, version, endianness (little),
 * long size (8) and page size (4096); the header_page and header_event files as the kernel prints
 * them (ring_buffer_print_page_header() and ring_buffer_print_entry_header() in
 * kernel/trace/ring_buffer.c); no ftrace-internal formats; the event formats by system
 * ({@link TraceEvents}); empty kallsyms and printk formats; saved_cmdlines ({@code "PID COMM"}
 * lines); the CPU count, then {@code flyrecord} with each CPU's data offset and size.
 *
 * <p>Each CPU's data is a sequence of ring-buffer pages as the kernel's ring buffer hands them to
 * trace-cmd (struct buffer_data_page in kernel/trace/ring_buffer.c): a u64 time stamp, a u64
 * commit (bytes of event data on the page) and the events, each a 32-bit header (type_len in the
 * low 5 bits, time_delta from the previous event in the upper 27, struct ring_buffer_event in
 * include/linux/ring_buffer.h) and the record; a record longer than 112 bytes has type_len 0 and
 * its length + 4 in array[0]; a delta too large for 27 bits is carried by a TIME_EXTEND event
 * (type_len 30) first. This is how libtraceevent's kbuffer (kbuffer-parse.c) reads pages.
 *
 * <p>Each record starts with the common fields of struct trace_entry: the event id, the
 * latency flags (TRACE_FLAG_IRQS_OFF 0x01, TRACE_FLAG_NEED_RESCHED 0x04 with
 * TRACE_FLAG_PREEMPT_RESCHED 0x20 as tracing_gen_ctx sets them together when preemption is due,
 * TRACE_FLAG_HARDIRQ 0x08, TRACE_FLAG_SOFTIRQ 0x10, TRACE_FLAG_BH_OFF 0x80; enum trace_flag_type in
 * kernel/trace/trace.h), the preempt depth, and the pid.
 */
public final class TraceDat {
    static final int PAGE_SIZE = 4096;
    /** struct buffer_data_page: u64 time_stamp, local_t commit (8 bytes on a 64-bit kernel). */
    static final int PAGE_HEADER = 16;
    private static final int TYPE_TIME_EXTEND = 30;
    private static final int MAX_SMALL = 28 * 4;
    private static final int DELTA_BITS = 27;
    /** A kctx message longer than this is cut, so that every event fits on a page. */
    private static final int MAX_MESSAGE = 2000;

    private static final String HEADER_PAGE = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
            + "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
            + "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
            + "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n";
    private static final String HEADER_EVENT = "# compressed entry header\n"
            + "\ttype_len    :    5 bits\n"
            + "\ttime_delta  :   27 bits\n"
            + "\tarray       :   32 bits\n"
            + "\n"
            + "\tpadding     : type == 29\n"
            + "\ttime_extend : type == 30\n"
            + "\ttime_stamp : type == 31\n"
            + "\tdata max type_len  == 28\n";

    private TraceDat() {
    }

    /** The file for {@code records} (in trace order) of a machine with {@code cpus} CPUs. */
    public static byte[] render(List<TraceRecord> records, int cpus) {
        TraceEvents events = new TraceEvents();
        List<List<byte[]>> pages = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            pages.add(new ArrayList<>());
        }
        Set<Integer> used = new HashSet<>();
        Map<Integer, String> cmdlines = new TreeMap<>();
        CpuWriter[] writers = new CpuWriter[cpus];
        for (int c = 0; c < cpus; c++) {
            writers[c] = new CpuWriter(pages.get(c));
        }
        for (TraceRecord r : records) {
            if (r.pid() != 0) {
                cmdlines.put(r.pid(), r.comm());
            }
            String args = r.args();
            TraceEvents.Format f = events.of(r.event(), args);
            if (!f.kernelShaped() && args.length() > MAX_MESSAGE) {
                args = args.substring(0, MAX_MESSAGE);
            }
            used.add(f.id());
            byte[] payload = f.payload(commonFlags(r.flags()), depth(r.flags()), r.pid(), args);
            if (payload == null) {
                throw new IllegalStateException("cannot encode " + r.event() + ": " + args);
            }
            writers[r.cpu()].add(r.timeNs(), payload);
        }
        for (CpuWriter w : writers) {
            w.flush();
        }

        TraceEvents.Le out = new TraceEvents.Le(64 * 1024);
        out.u8(0x17).u8(0x08).u8(0x44).bytes("tracing".getBytes(StandardCharsets.US_ASCII)).cstr("6");
        out.u8(0).u8(8).u32(PAGE_SIZE);
        out.cstr("header_page");
        sized8(out, HEADER_PAGE);
        out.cstr("header_event");
        sized8(out, HEADER_EVENT);
        out.u32(0);
        Map<String, List<TraceEvents.Format>> systems = events.used(used);
        out.u32(systems.size());
        for (var e : systems.entrySet()) {
            out.cstr(e.getKey());
            out.u32(e.getValue().size());
            for (TraceEvents.Format f : e.getValue()) {
                sized8(out, f.file());
            }
        }
        out.u32(0);
        out.u32(0);
        StringBuilder cmd = new StringBuilder();
        cmdlines.forEach((pid, comm) -> cmd.append(pid).append(' ').append(comm).append('\n'));
        sized8(out, cmd.toString());
        out.u32(cpus);
        out.cstr("flyrecord");
        long offset = align(out.size() + 16L * cpus);
        for (int c = 0; c < cpus; c++) {
            long size = (long) pages.get(c).size() * PAGE_SIZE;
            out.u64(offset).u64(size);
            offset += size;
        }
        out.pad((int) (align(out.size()) - out.size()));
        for (List<byte[]> cpu : pages) {
            for (byte[] page : cpu) {
                out.bytes(page);
            }
        }
        return out.toByteArray();
    }

    private static long align(long n) {
        return (n + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
    }

    private static void sized8(TraceEvents.Le out, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.u64(b.length).bytes(b);
    }

    /** kctx's flags (TraceRecord) as the kernel's common_flags. */
    static int commonFlags(int flags) {
        int f = 0;
        if ((flags & TraceRecord.IRQS_OFF) != 0) {
            f |= 0x01;
        }
        if ((flags & TraceRecord.NEED_RESCHED) != 0) {
            f |= 0x04 | 0x20;
        }
        if ((flags & TraceRecord.HARDIRQ) != 0) {
            f |= 0x08;
        }
        if ((flags & TraceRecord.SOFTIRQ) != 0) {
            f |= 0x10;
        }
        if ((flags & TraceRecord.BH_OFF) != 0) {
            f |= 0x80;
        }
        return f;
    }

    static int depth(int flags) {
        return (flags >> TraceRecord.DEPTH_SHIFT) & 0xf;
    }

    /** Fills one CPU's pages. */
    private static final class CpuWriter {
        private final List<byte[]> pages;
        private TraceEvents.Le data;
        private long pageTs;
        private long lastTs;

        CpuWriter(List<byte[]> pages) {
            this.pages = pages;
        }

        void add(long ts, byte[] payload) {
            int padded = (payload.length + 3) & ~3;
            int length = 4 + (padded > MAX_SMALL ? 4 : 0) + padded;
            long delta = data == null ? 0 : ts - lastTs;
            if (delta < 0) {
                throw new IllegalStateException("trace records of one CPU out of time order at " + ts + "ns");
            }
            boolean extend = delta >= 1L << DELTA_BITS;
            if (data == null || data.size() + length + (extend ? 8 : 0) > PAGE_SIZE - PAGE_HEADER) {
                flush();
                data = new TraceEvents.Le(PAGE_SIZE);
                pageTs = ts;
                delta = 0;
                extend = false;
            }
            if (extend) {
                data.u32(TYPE_TIME_EXTEND | (int) (delta & ((1L << DELTA_BITS) - 1)) << 5);
                data.u32((int) (delta >>> DELTA_BITS));
                delta = 0;
            }
            if (padded > MAX_SMALL) {
                data.u32((int) delta << 5);
                data.u32(payload.length + 4);
            } else {
                data.u32(padded / 4 | (int) delta << 5);
            }
            data.bytes(payload).pad(padded - payload.length);
            lastTs = ts;
        }

        void flush() {
            if (data == null) {
                return;
            }
            TraceEvents.Le page = new TraceEvents.Le(PAGE_SIZE);
            page.u64(pageTs).u64(data.size()).bytes(data.toByteArray());
            page.pad(PAGE_SIZE - page.size());
            pages.add(page.toByteArray());
            data = null;
        }
    }
}
