package dev.kctx.cli.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rows of an experiment's result, written as CSV ({@code results.csv}) and as a markdown table ({@code results.md}). */
public final class ResultTable {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public ResultTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    public ResultTable add(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + columns.size() + " columns " + columns);
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(cell(c));
        }
        rows.add(List.copyOf(row));
        return this;
    }

    public List<String> columns() {
        return columns;
    }

    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    /** Numbers with at most two decimals and a dot, whatever the host's locale. */
    static String cell(Object c) {
        if (c instanceof Double d) {
            if (d.isNaN()) {
                return "";
            }
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : String.format(Locale.ROOT, "%.2f", d);
        }
        return String.valueOf(c);
    }

    public String csv() {
        StringBuilder sb = new StringBuilder();
        line(sb, columns);
        for (List<String> r : rows) {
            line(sb, r);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(i == 0 ? "" : ",")
                    .append(c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
        }
        sb.append('\n');
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", columns)).append(" |\n");
        sb.append("|").append("---|".repeat(columns.size())).append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return sb.toString();
    }
}
