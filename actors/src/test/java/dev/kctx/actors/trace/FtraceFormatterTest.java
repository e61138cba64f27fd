package dev.kctx.actors.trace;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lines as kernel/trace/trace_output.c trace_print_context() prints them:
 * {@code "%16s-%-7d "}, {@code "[%03d] "}, the five flag characters, {@code " %5lu.%06lu"}, {@code ": "}.
 */
@DisplayName("FtraceFormatter")
class FtraceFormatterTest {

    private static TraceRecord record(long timeNs, int cpu, String comm, int pid, int flags, String event, String args) {
        return new TraceRecord(timeNs, cpu, comm, pid, flags, event, args, 0);
    }

    @Test
    @DisplayName("a line has comm right-aligned in 16, -pid left-aligned in 7, [CPU] in 3 digits, then flags and time")
    void lineLayout() {
        int flags = TraceRecord.flags(true, false, false, true, false, 1);
        String line = FtraceFormatter.line(record(1_234_567_891L, 2, "<idle>", 0, flags, "irq_handler_entry",
                "irq=11 name=nic"));

        assertEquals("          <idle>-0       [002] d.h1.     1.234568: irq_handler_entry: irq=11 name=nic", line,
                "the layout of trace_print_context: %16s-%-7d [%03d] flags %5lu.%06lu: event: args");
    }

    @Test
    @DisplayName("the CPU column starts at the same place whatever the pid's width")
    void cpuColumnAligned() {
        String shortPid = FtraceFormatter.line(record(0, 0, "a", 1, 0, "e", "x"));
        String longPid = FtraceFormatter.line(record(0, 0, "kworker/0:1", 1234567, 0, "e", "x"));

        assertEquals(25, shortPid.indexOf('['), "[CPU] follows 16 + 1 + 7 + 1 characters: " + shortPid);
        assertEquals(25, longPid.indexOf('['), "a seven-digit pid fills its column exactly: " + longPid);
    }

    @Test
    @DisplayName("the header's CPU# column is above the line's [CPU]")
    void headerMatchesLines() {
        String header = FtraceFormatter.header(1, 1);
        String titles = header.lines().filter(l -> l.contains("TASK-PID")).findFirst().orElseThrow();
        String line = FtraceFormatter.line(record(0, 0, "swapper/0", 0, 0, "e", "x"));

        assertEquals(titles.indexOf("CPU#"), line.indexOf('['), "CPU# starts where [CPU] starts, as in ftrace\n" + titles + "\n" + line);
        assertEquals(titles.indexOf("|||||"), line.indexOf("....."), "the flag ruler stands over the flags");
    }

    @Test
    @DisplayName("a comm of 16 characters or more is not cut, as %16s does not cut")
    void longComm() {
        String line = FtraceFormatter.line(record(0, 0, "averyveryverylongname", 7, 0, "e", "x"));

        assertTrue(line.startsWith("averyveryverylongname-7       [000]"), "the name is printed whole: " + line);
    }

    @Test
    @DisplayName("timestamps are seconds.microseconds, seconds right-aligned in 5, microseconds zero-padded to 6")
    void timestamps() {
        assertTrue(FtraceFormatter.line(record(0, 0, "a", 1, 0, "e", "x")).contains(" ..... "
                + "    0.000000: e: x"), "time zero");
        assertTrue(FtraceFormatter.line(record(499, 0, "a", 1, 0, "e", "x")).contains("    0.000000: "),
                "499 ns round down, as ns2usecs (nsec + 500) / 1000 does");
        assertTrue(FtraceFormatter.line(record(500, 0, "a", 1, 0, "e", "x")).contains("    0.000001: "),
                "500 ns round up to one microsecond, as ns2usecs does");
        assertTrue(FtraceFormatter.line(record(1_000, 0, "a", 1, 0, "e", "x")).contains("    0.000001: "), "one us");
        assertTrue(FtraceFormatter.line(record(12_345_678_901_000L, 0, "a", 1, 0, "e", "x")).contains("12345.678901: "),
                "five-digit seconds fill the field");
        assertTrue(FtraceFormatter.line(record(123_456_000_000_000L, 0, "a", 1, 0, "e", "x")).contains(" 123456.000000: "),
                "longer seconds widen the field, as %5lu does");
    }

    @Test
    @DisplayName("format() writes the nop tracer header with entry and CPU counts, then one line per record")
    void format() {
        List<TraceRecord> records = List.of(record(1_000, 0, "a", 1, 0, "e1", "x"), record(2_000, 1, "b", 2, 0, "e2", "y"));

        String text = FtraceFormatter.format(records, 2);

        assertTrue(text.startsWith("# tracer: nop\n#\n# entries-in-buffer/entries-written: 2/2   #P:2\n#\n"),
                "the header starts like /sys/kernel/tracing/trace:\n" + text);
        List<String> body = text.lines().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of(FtraceFormatter.line(records.get(0)), FtraceFormatter.line(records.get(1))), body,
                "one line per record, in order");
        assertTrue(text.endsWith("\n"), "the text ends with a newline");
    }

    @Test
    @DisplayName("format() merges the CPUs by time stamp, the lower CPU first at one time, as the kernel reads its buffers")
    void mergedByTime() {
        TraceRecord cpu1Early = record(1_000, 1, "b", 2, 0, "e1", "x");
        TraceRecord cpu0Later = record(1_400, 0, "a", 1, 0, "e2", "y");
        TraceRecord cpu1Same = record(2_000, 1, "b", 2, 0, "e3", "z");
        TraceRecord cpu0Same = record(2_000, 0, "a", 1, 0, "e4", "w");
        TraceRecord cpu0SameNext = record(2_000, 0, "a", 1, 0, "e5", "v");

        List<String> body = FtraceFormatter.format(List.of(cpu0Later, cpu1Early, cpu1Same, cpu0Same, cpu0SameNext), 2)
                .lines().filter(l -> !l.startsWith("#")).toList();

        assertEquals(List.of(cpu1Early, cpu0Later, cpu0Same, cpu0SameNext, cpu1Same).stream().map(FtraceFormatter::line)
                .toList(), body, "earliest first; at equal times CPU 0 before CPU 1; one CPU's records keep their order");
    }
}
