package dev.kctx.testkit;

import dev.kctx.contexts.Report;
import dev.kctx.contexts.TimeFormat;

import java.util.List;

/** The text of a failed expectation: what was expected, the reports, a trace excerpt, the seed, the replay command. */
final class FailureText {
    private static final int EXCERPT_LINES = 20;
    private static final int MAX_REPORTS = 10;

    private FailureText() {
    }

    static String of(String unmet, RunningMachine m) {
        KctxMachine k = m.machine();
        StringBuilder b = new StringBuilder();
        b.append("kctx: ").append(unmet).append('\n');
        b.append("machine ").append(k.spec().name()).append(", seed ").append(k.spec().seed()).append(", engine ")
                .append(m.engine().name().toLowerCase(java.util.Locale.ROOT)).append(", virtual time ")
                .append(TimeFormat.format(m.nowNs())).append(" of ").append(TimeFormat.format(k.untilNs())).append('\n');
        List<Report> reports = m.reports();
        b.append("reports: ").append(reports.size()).append('\n');
        for (Report r : reports.subList(0, Math.min(MAX_REPORTS, reports.size()))) {
            b.append("  ").append(r.oneLine()).append('\n');
        }
        if (!reports.isEmpty()) {
            b.append("the first report, as the kernel prints it:\n");
            for (String line : reports.get(0).kernelText().split("\n")) {
                b.append("  ").append(line).append('\n');
            }
        }
        b.append(reports.isEmpty() ? "the trace's last events:\n" : "the trace up to the first report:\n");
        b.append(m.traceExcerpt(EXCERPT_LINES));
        b.append("replay: ").append(k.replayCommand()).append('\n');
        if (m.injected() > 0) {
            b.append("  (the test also injected ").append(m.injected()).append(" event(s), which the command does not)\n");
        }
        return b.toString();
    }
}
