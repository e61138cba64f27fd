package dev.kctx.contexts;

import java.util.List;

/**
 * One finding of the checker, carrying what the kernel would print.
 *
 * @param kind         the stable kind
 * @param title        the kernel's title line (may add a location, e.g. {@code ... at kernel/locking/mutex.c})
 * @param where        the call site
 * @param locksHeld    locks held by the context, outermost first
 * @param preemptCount preempt_count at the call
 * @param irqsDisabled whether hard IRQs were disabled
 * @param details      further lines as the kernel prints them after the title
 * @param site         what makes two reports "the same" for deduplication (with the kind): the call
 *                     site for sleeping checks, the lock-class pair for the lock validator
 */
public record Report(ReportKind kind, String title, Where where, List<String> locksHeld, int preemptCount,
                     boolean irqsDisabled, List<String> details, String site) {

    public Report {
        locksHeld = List.copyOf(locksHeld);
        details = List.copyOf(details);
    }

    /** The deduplication key: kind and site. */
    public String key() {
        return kind.id() + "|" + site;
    }

    /** The report as a kernel log excerpt: title, detail lines and the held locks. */
    public String kernelText() {
        StringBuilder sb = new StringBuilder(title).append('\n');
        for (String d : details) {
            sb.append(d).append('\n');
        }
        if (!locksHeld.isEmpty()) {
            sb.append(locksHeld.size()).append(locksHeld.size() == 1 ? " lock held by " : " locks held by ")
                    .append(where.comm()).append('/').append(where.pid()).append(":\n");
            for (int i = 0; i < locksHeld.size(); i++) {
                sb.append(" #").append(i).append(": ").append(locksHeld.get(i)).append('\n');
            }
        } else if (kind == ReportKind.SLEEP_IN_ATOMIC || kind == ReportKind.SCHEDULING_WHILE_ATOMIC) {
            // Both call debug_show_held_locks, which says so when the list is empty.
            sb.append("no locks held by ").append(where.comm()).append('/').append(where.pid()).append(".\n");
        }
        sb.append("CPU: ").append(where.cpu()).append(" PID: ").append(where.pid()).append(" Comm: ")
                .append(where.comm()).append(" Context: ").append(where.context()).append('\n');
        sb.append("op: ").append(where.op()).append('\n');
        return sb.toString();
    }

    /**
     * The report as the kernel log holds it (what dmesg shows), line by line: a WARN's "cut here"
     * line first (include/asm-generic/bug.h CUT_HERE, printed by __warn_printk), then the title,
     * the detail lines, the held locks as lockdep lists them, and the CPU line of
     * dump_stack_print_info (lib/dump_stack.c). kctx's own lines (context, op) are left out.
     */
    public List<String> logLines() {
        List<String> lines = new java.util.ArrayList<>();
        if (kind.isWarn()) {
            lines.add("------------[ cut here ]------------");
        }
        lines.add(title);
        lines.addAll(details);
        if (!locksHeld.isEmpty()) {
            lines.add(locksHeld.size() + (locksHeld.size() == 1 ? " lock held by " : " locks held by ") + where.comm() + "/"
                    + where.pid() + ":");
            for (int i = 0; i < locksHeld.size(); i++) {
                lines.add(" #" + i + ": " + locksHeld.get(i));
            }
        }
        lines.add("CPU: " + where.cpu() + " PID: " + where.pid() + " Comm: " + where.comm());
        return lines;
    }

    /** One line: kind, title, cpu, time, context, op. */
    public String oneLine() {
        return kind.id() + ": " + title + " (cpu " + where.cpu() + ", " + TimeFormat.format(where.timeNs()) + ", "
                + where.context() + ", " + where.op() + ")";
    }
}
