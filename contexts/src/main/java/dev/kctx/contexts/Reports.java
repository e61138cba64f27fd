package dev.kctx.contexts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deduplication of reports: one group per kind and site, keeping the first report and a count. */
public final class Reports {
    private Reports() {
    }

    /** A report and how many times the same kind fired at the same site. */
    public record Group(Report first, int count) {
    }

    /** Groups in order of first occurrence. */
    public static List<Group> dedupe(List<Report> reports) {
        Map<String, Report> first = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Report r : reports) {
            first.putIfAbsent(r.key(), r);
            counts.merge(r.key(), 1, Integer::sum);
        }
        List<Group> groups = new ArrayList<>();
        first.forEach((k, r) -> groups.add(new Group(r, counts.get(k))));
        return groups;
    }
}
