package dev.kctx.actors.trace;

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

    /** One line; timestamps are seconds with microseconds, as ftrace prints them. */
    public static String line(TraceRecord r) {
        long us = r.timeNs() / 1_000L;
        String task = r.comm() + "-" + r.pid();
        StringBuilder sb = new StringBuilder(120);
        pad(sb, task, 23);
        sb.append(' ');
        // TASK-PID right-aligned like ftrace's %16s-%-7d.
        sb.append('[').append(String.format("%03d", r.cpu())).append("] ");
        sb.append(r.flagsColumn()).append(' ');
        String secs = Long.toString(us / 1_000_000L);
        for (int i = secs.length(); i < 5; i++) {
            sb.append(' ');
        }
        sb.append(secs).append('.');
        String frac = Long.toString(us % 1_000_000L);
        for (int i = frac.length(); i < 6; i++) {
            sb.append('0');
        }
        sb.append(frac).append(": ").append(r.event()).append(": ").append(r.args());
        return sb.toString();
    }

    public static String format(List<TraceRecord> records, int cpus) {
        StringBuilder sb = new StringBuilder(header(records.size(), cpus));
        for (TraceRecord r : records) {
            sb.append(line(r)).append('\n');
        }
        return sb.toString();
    }

    private static void pad(StringBuilder sb, String task, int width) {
        int dash = task.lastIndexOf('-');
        String comm = task.substring(0, dash);
        String pid = task.substring(dash + 1);
        for (int i = comm.length(); i < 16; i++) {
            sb.append(' ');
        }
        sb.append(comm).append('-').append(pid);
        for (int i = pid.length(); i < width - 16 - 1; i++) {
            sb.append(' ');
        }
    }
}
