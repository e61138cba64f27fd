package dev.kctx.actors.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Renders records in the text format of /sys/kernel/tracing/trace. */
public final class FtraceFormatter {
    private FtraceFormatter() {
    }

    public static String header(int entries, int cpus) {
        return "# tracer: nop\n"
                + "#\n"
                + "# entries-in-buffer/entries-written: " + entries + "/" + entries + "   #P:" + cpus + "\n"
                + "#\n"
                + "#                                _-----=> irqs-off/BH-disabled\n"
                + "#                               / _----=> need-resched\n"
                + "#                              | / _---=> hardirq/softirq\n"
                + "#                              || / _--=> preempt-depth\n"
                + "#                              ||| / _-=> migrate-disable\n"
                + "#                              |||| /     delay\n"
                + "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
                + "#              | |         |   |||||     |         |\n";
    }

    /**
     * One line, laid out as trace_print_context() in kernel/trace/trace_output.c prints it:
     * {@code "%16s-%-7d [%03d] "}, the flags, {@code " %5lu.%06lu: "}, then event and arguments. The
     * time is rounded to the nearest microsecond, as trace_print_time() does with ns2usecs()
     * (kernel/trace/trace.c: {@code nsec += 500; do_div(nsec, 1000)}).
     */
    public static String line(TraceRecord r) {
        StringBuilder sb = new StringBuilder(120);
        padLeft(sb, r.comm(), 16, ' ');
        sb.append('-');
        String pid = Integer.toString(r.pid());
        sb.append(pid);
        for (int i = pid.length(); i < 7; i++) {
            sb.append(' ');
        }
        sb.append(" [");
        padLeft(sb, Integer.toString(r.cpu()), 3, '0');
        sb.append("] ").append(r.flagsColumn()).append(' ');
        padLeft(sb, seconds(r.timeNs()), 12, ' ');
        sb.append(": ").append(r.event()).append(": ").append(r.args());
        return sb.toString();
    }

    /** A time stamp as the line shows it, unpadded: seconds and microseconds, rounded as ns2usecs rounds. */
    public static String seconds(long ns) {
        long us = (ns + 500L) / 1_000L;
        StringBuilder sb = new StringBuilder(16).append(us / 1_000_000L).append('.');
        padLeft(sb, Long.toString(us % 1_000_000L), 6, '0');
        return sb.toString();
    }

    /**
     * The records in the order the kernel reads its per-CPU buffers back: the earliest time stamp
     * first, the lower CPU first at equal time stamps (__find_next_entry in kernel/trace/trace.c),
     * each CPU's own records in the order they were written.
     */
    public static List<TraceRecord> merged(List<TraceRecord> records) {
        List<TraceRecord> merged = new ArrayList<>(records);
        // List.sort is stable: one CPU's records at one instant keep their order.
        merged.sort(Comparator.comparingLong(TraceRecord::timeNs).thenComparingInt(TraceRecord::cpu));
        return merged;
    }

    /** The whole file: the header, then the records {@link #merged} into one sequence. */
    public static String format(List<TraceRecord> records, int cpus) {
        StringBuilder sb = new StringBuilder(header(records.size(), cpus));
        for (TraceRecord r : merged(records)) {
            sb.append(line(r)).append('\n');
        }
        return sb.toString();
    }

    private static void padLeft(StringBuilder sb, String text, int width, char fill) {
        for (int i = text.length(); i < width; i++) {
            sb.append(fill);
        }
        sb.append(text);
    }
}
