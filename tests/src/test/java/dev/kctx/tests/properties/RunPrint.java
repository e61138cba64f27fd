package dev.kctx.tests.properties;

import dev.kctx.actors.CpuStats;
import dev.kctx.actors.RunResult;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.Reports;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** What a run produced, as text to compare and to show when a property fails. */
final class RunPrint {
    private RunPrint() {
    }

    /** Everything observable of a run: trace, reports, kernel log, statistics, how it ended. */
    static String fingerprint(RunResult r) {
        StringBuilder sb = new StringBuilder(r.traceText());
        sb.append("end ").append(r.endNs()).append(" events ").append(r.events()).append(" rounds ").append(r.rounds())
                .append(" failure ").append(r.failure().orElse("-")).append(" stopped ").append(r.stopped().orElse("-"))
                .append('\n');
        r.reports().forEach(x -> sb.append(x.kernelText()).append('\n'));
        r.dmesg().forEach(x -> sb.append(x).append('\n'));
        for (CpuStats s : r.cpuStats()) {
            sb.append("cpu ").append(s.cpu()).append(' ').append(java.util.Arrays.toString(s.levelNs())).append(' ')
                    .append(s.idleNs()).append(' ').append(s.irqPreemptions()).append(' ').append(s.schedPreemptions())
                    .append(' ').append(s.contextSwitches()).append(' ').append(s.irqsHandled()).append(' ')
                    .append(s.irqsMerged()).append(' ').append(s.softirqVectorRuns()).append(' ')
                    .append(s.softirqsFromKsoftirqd()).append(' ').append(s.ksoftirqdWakeups()).append(' ')
                    .append(s.irqLatency().getTotalCount()).append('/').append(s.irqLatency().getMaxValue()).append(' ')
                    .append(s.irqToSoftirq().getTotalCount()).append('/').append(s.irqToSoftirq().getMaxValue()).append(' ')
                    .append(s.softirqWakeToRun().getTotalCount()).append('/').append(s.softirqWakeToRun().getMaxValue())
                    .append('\n');
        }
        return sb.toString();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first line where two texts differ, with its neighbours, or "" when they are equal. */
    static String firstDifference(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            String l = i < x.size() ? x.get(i) : "<end>";
            String m = i < y.size() ? y.get(i) : "<end>";
            if (!l.equals(m)) {
                return "line " + (i + 1) + ":\n  - " + l + "\n  + " + m;
            }
        }
        return "";
    }

    /** The distinct reports, one line each, as kctx check prints them. */
    static String reports(RunResult r) {
        StringBuilder sb = new StringBuilder();
        for (Reports.Group g : Reports.dedupe(r.reports())) {
            Report f = g.first();
            sb.append("  ").append(f.kind().id()).append(": ").append(f.title()).append(" (").append(f.where()).append(") x")
                    .append(g.count()).append('\n');
        }
        return sb.isEmpty() ? "  none\n" : sb.toString();
    }
}
