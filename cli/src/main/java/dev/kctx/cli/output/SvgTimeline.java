package dev.kctx.cli.output;

import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.Reports;
import dev.kctx.contexts.TimeFormat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The timeline as a picture: one swim lane per CPU with a row per context level (hard IRQ on top,
 * user at the bottom), running intervals as bars, preempted intervals hatched in the row of the
 * context that waits, reports as numbered markers listed under the lanes, a time axis with grid
 * lines and a legend. Intervals narrower than a pixel are merged so long runs stay drawable.
 */
public final class SvgTimeline {
    private static final int WIDTH = 1400;
    private static final int LEFT = 120;
    private static final int RIGHT = 30;
    private static final int ROW = 18;
    private static final int ROW_GAP = 3;
    private static final int LANE_GAP = 22;
    private static final int TOP = 92;
    private static final double CHAR_W = 6.2;

    /** Bar colours per level; tasks alternate between shades so that neighbours stay distinct. */
    private static final Map<ContextLevel, String[]> COLORS = Map.of(
            ContextLevel.HARDIRQ, new String[] {"#d62728"},
            ContextLevel.SOFTIRQ, new String[] {"#ff7f0e"},
            ContextLevel.KERNEL, new String[] {"#1f77b4", "#4a98cf", "#17587f"},
            ContextLevel.USER, new String[] {"#2ca02c", "#62bf5e", "#1b6e1b"});

    private SvgTimeline() {
    }

    public static String render(Timeline t, String title) {
        long end = Math.max(1, t.endNs());
        double plotW = WIDTH - LEFT - RIGHT;
        int laneH = ChromeTrace.ROWS.length * (ROW + ROW_GAP);
        int lanesBottom = TOP + t.cpus() * (laneH + LANE_GAP);
        List<Reports.Group> groups = Reports.dedupe(t.marks().stream().map(Timeline.Mark::report).toList());
        int height = lanesBottom + 40 + (groups.isEmpty() ? 20 : 22 + 16 * groups.size());
        Svg s = new Svg(WIDTH, height);
        double scale = plotW / end;

        s.text(LEFT, 24, 16, "bold", "start", "kctx timeline: " + title);
        legend(s, 44);
        axis(s, end, scale, TOP - 12, lanesBottom - LANE_GAP + 6, true);

        Map<String, Integer> shade = new HashMap<>();
        for (int cpu = 0; cpu < t.cpus(); cpu++) {
            int y0 = TOP + cpu * (laneH + LANE_GAP);
            s.text(8, y0 + laneH / 2.0 + 5, 13, "bold", "start", "CPU " + cpu);
            for (ContextLevel l : ChromeTrace.ROWS) {
                double y = rowY(y0, l);
                s.rect(LEFT, y, plotW, ROW, ChromeTrace.rank(l) % 2 == 0 ? "#f4f4f4" : "#fafafa", null, null);
                s.text(LEFT - 6, y + ROW - 5, 10, "normal", "end", ChromeTrace.levelName(l));
            }
        }
        drawBars(s, t.preempted(), scale, laneH, shade, true);
        drawBars(s, t.slices(), scale, laneH, shade, false);

        Map<String, Integer> number = new LinkedHashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            number.put(groups.get(i).first().key(), i + 1);
        }
        Map<String, Boolean> drawn = new HashMap<>();
        for (Timeline.Mark m : t.marks()) {
            int y0 = TOP + m.cpu() * (laneH + LANE_GAP);
            double x = LEFT + m.timeNs() * scale;
            double y = rowY(y0, m.level());
            String px = m.cpu() + "/" + m.level() + "/" + Math.round(x) + "/" + m.report().key();
            if (drawn.putIfAbsent(px, true) != null) {
                continue;
            }
            int n = number.get(m.report().key());
            s.raw("<g class=\"report\"><title>" + Svg.esc("[" + n + "] " + m.report().oneLine()) + "</title>");
            s.line(x, y - 3, x, y + ROW, "#000", 1.2);
            s.raw(String.format(Locale.ROOT, "<path d=\"M%.2f %.2f l-5 -8 h10 z\" fill=\"#000\" stroke=\"#fff\" stroke-width=\"0.8\"/>",
                    x, y - 1));
            s.text(x + 6, y - 2, 10, "bold", "start", Integer.toString(n));
            s.raw("</g>");
        }

        int y = lanesBottom + 30;
        if (groups.isEmpty()) {
            s.text(LEFT, y, 12, "normal", "start", "No reports.");
        } else {
            s.text(LEFT, y, 12, "bold", "start", "Reports (" + groups.size() + " distinct):");
            for (int i = 0; i < groups.size(); i++) {
                Reports.Group g = groups.get(i);
                Report r = g.first();
                y += 16;
                s.text(LEFT + 8, y, 11, "normal", "start", "[" + (i + 1) + "] " + r.kind().id() + ": "
                        + r.where().context() + ", " + r.where().op() + ", cpu " + r.where().cpu() + ", first at "
                        + TimeFormat.format(r.where().timeNs()) + (g.count() > 1 ? ", " + g.count() + " times" : ""));
            }
        }
        return s.finish();
    }

    private static double rowY(int laneY, ContextLevel l) {
        return laneY + ChromeTrace.rank(l) * (ROW + ROW_GAP);
    }

    private static void drawBars(Svg s, List<Timeline.Slice> slices, double scale, int laneH,
                                 Map<String, Integer> shade, boolean preempted) {
        // Per row, merge what would be drawn within the same pixel.
        Map<String, Bar> open = new HashMap<>();
        List<Bar> bars = new ArrayList<>();
        for (Timeline.Slice sl : slices) {
            String row = sl.cpu() + "/" + sl.level();
            double x0 = LEFT + sl.startNs() * scale;
            double x1 = LEFT + sl.endNs() * scale;
            Bar prev = open.get(row);
            if (prev != null && x0 - prev.x1 < 0.75 && (x1 - x0 < 1.5 || prev.x1 - prev.x0 < 1.5)) {
                prev.x1 = Math.max(prev.x1, x1);
                prev.count++;
                prev.endNs = Math.max(prev.endNs, sl.endNs());
                continue;
            }
            Bar b = new Bar(sl, x0, x1);
            open.put(row, b);
            bars.add(b);
        }
        for (Bar b : bars) {
            Timeline.Slice sl = b.first;
            int y0 = TOP + sl.cpu() * (laneH + LANE_GAP);
            double y = rowY(y0, sl.level());
            String[] palette = COLORS.get(sl.level());
            // Each task keeps one shade, in order of first appearance per level.
            String key = sl.level() + "/" + sl.name().replaceAll(" syscall .*", "");
            Integer k = shade.get(key);
            if (k == null) {
                k = shade.merge(sl.level().name(), 1, Integer::sum) - 1;
                shade.put(key, k);
            }
            String color = palette[k % palette.length];
            double w = Math.max(b.x1 - b.x0, 0.8);
            String tip = b.count > 1 ? b.count + " intervals, " + TimeFormat.format(sl.startNs()) + " .. "
                    + TimeFormat.format(b.endNs) + " (zoom in Perfetto for detail)"
                    : (preempted ? "preempted: " : "") + sl.name() + "\n" + TimeFormat.format(sl.startNs()) + " .. "
                    + TimeFormat.format(sl.endNs()) + " (" + TimeFormat.format(sl.durNs()) + ")"
                    + (preempted ? "" : "\nended by: " + sl.endedBy());
            if (preempted) {
                s.rect(b.x0, y + 2, w, ROW - 4, "url(#hatch)", color, tip);
            } else {
                s.rect(b.x0, y, w, ROW, color, null, tip);
                String label = b.count > 1 ? "" : sl.name().replaceFirst("^(process|kthread|hardirq|softirq) ", "");
                double room = w - 6;
                if (room >= CHAR_W * 4 && !label.isEmpty()) {
                    int chars = (int) (room / CHAR_W);
                    String shown = label.length() <= chars ? label : label.substring(0, Math.max(1, chars - 1)) + "…";
                    s.text(b.x0 + 3, y + ROW - 5, 10, "normal", "start", shown, "#fff");
                }
            }
        }
    }

    private static void legend(Svg s, int y) {
        double x = LEFT;
        for (ContextLevel l : ChromeTrace.ROWS) {
            s.rect(x, y - 10, 14, 12, COLORS.get(l)[0], null, null);
            s.text(x + 19, y, 11, "normal", "start", ChromeTrace.levelName(l) + " running");
            x += 120;
        }
        s.rect(x, y - 10, 14, 12, "url(#hatch)", "#666", null);
        s.text(x + 19, y, 11, "normal", "start", "preempted (waiting under a higher context)");
        x += 270;
        s.raw(String.format(Locale.ROOT, "<path d=\"M%.2f %d l-5 -8 h10 z\" fill=\"#000\"/>", x + 6, y));
        s.text(x + 16, y, 11, "normal", "start", "report (numbered, listed below)");
        s.text(LEFT, y + 18, 10, "normal", "start",
                "Virtual time left to right; hover a bar for its context and times. Open trace.json in ui.perfetto.dev to zoom.",
                "#555");
    }

    private static void axis(Svg s, long end, double scale, int yTop, int yBottom, boolean labels) {
        long step = niceStep(end / 10.0);
        for (long t = 0; t <= end; t += step) {
            double x = LEFT + t * scale;
            s.line(x, yTop + 4, x, yBottom, "#ddd", 1);
            if (labels) {
                s.text(x, yTop, 10, "normal", "middle", TimeFormat.format(t), "#333");
                s.text(x, yBottom + 12, 10, "normal", "middle", TimeFormat.format(t), "#333");
            }
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static long niceStep(double raw) {
        long p = 1;
        while (p * 10 <= raw) {
            p *= 10;
        }
        for (long m : new long[] {1, 2, 5, 10}) {
            if (p * m >= raw) {
                return Math.max(1, p * m);
            }
        }
        return p * 10;
    }

    private static final class Bar {
        final Timeline.Slice first;
        final double x0;
        double x1;
        long endNs;
        int count = 1;

        Bar(Timeline.Slice first, double x0, double x1) {
            this.first = first;
            this.x0 = x0;
            this.x1 = x1;
            this.endNs = first.endNs();
        }
    }

    /** A minimal SVG writer with deterministic number formatting. */
    private static final class Svg {
        private final StringBuilder sb = new StringBuilder();

        Svg(int w, int h) {
            sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                    .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
            sb.append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                    + " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
                    + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"3\"/></pattern></defs>\n");
            sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        }

        void rect(double x, double y, double w, double h, String fill, String stroke, String title) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"",
                    x, y, w, h, fill));
            if (stroke != null) {
                sb.append(" stroke=\"").append(stroke).append("\" stroke-width=\"1\"");
            }
            if (title == null) {
                sb.append("/>\n");
            } else {
                sb.append("><title>").append(esc(title)).append("</title></rect>\n");
            }
        }

        void line(double x1, double y1, double x2, double y2, String stroke, double width) {
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                    x1, y1, x2, y2, stroke, width));
        }

        void text(double x, double y, int size, String weight, String anchor, String text) {
            text(x, y, size, weight, anchor, text, "#222");
        }

        void text(double x, double y, int size, String weight, String anchor, String text, String fill) {
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\" fill=\"%s\">",
                    x, y, size, weight, anchor, fill)).append(esc(text)).append("</text>\n");
        }

        void raw(String s) {
            sb.append(s).append('\n');
        }

        String finish() {
            return sb.append("</svg>\n").toString();
        }

        static String esc(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }
}
