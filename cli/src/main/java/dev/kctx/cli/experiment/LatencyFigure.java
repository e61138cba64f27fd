package dev.kctx.cli.experiment;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * An experiment's plot: one or more XChart panels in a grid, each with one line per design (the
 * median over seeds, with markers) and its min-max band over seeds (dashed lines of the same
 * colour, not in the legend), drawn to {@code latency.png} and {@code latency.svg}.
 */
public final class LatencyFigure {
    static final int PANEL_WIDTH = 640;
    static final int PANEL_HEIGHT = 420;
    private static final Color[] COLORS = {new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4),
        new Color(0x2C, 0xA0, 0x2C), new Color(0x94, 0x67, 0xBD), new Color(0xFF, 0x7F, 0x0E)};

    /** One design's line: x values, and per x the median over seeds and its min and max. */
    public record Line(String name, double[] x, double[] median, double[] min, double[] max) {
        public Line {
            if (x.length != median.length || x.length != min.length || x.length != max.length) {
                throw new IllegalArgumentException("line " + name + " has columns of different lengths");
            }
            x = x.clone();
            median = median.clone();
            min = min.clone();
            max = max.clone();
        }

        /** The line of {@code metric} through {@code points}: per point the median over seeds and its band. */
        public static Line of(String name, double[] x, List<? extends Sweep.Point<?>> points, String metric) {
            double[] med = new double[points.size()];
            double[] min = new double[points.size()];
            double[] max = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                Sweep.Band b = points.get(i).band(metric);
                med[i] = b.median();
                min[i] = b.min();
                max[i] = b.max();
            }
            return new Line(name, x, med, min, max);
        }
    }

    /** One chart of the figure; {@code logY} draws the y axis logarithmic when every value is positive. */
    public record Panel(String title, String xLabel, String yLabel, boolean logY, List<Line> lines) {
        public Panel {
            lines = List.copyOf(lines);
        }
    }

    private final List<Panel> panels;
    private final int columns;

    public LatencyFigure(List<Panel> panels, int columns) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("a figure needs a panel");
        }
        this.panels = List.copyOf(panels);
        this.columns = Math.max(1, Math.min(columns, panels.size()));
    }

    public List<Panel> panels() {
        return panels;
    }

    /** The XChart model of panel {@code i}: what the files draw. */
    public XYChart chart(int i) {
        Panel p = panels.get(i);
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(p.title())
                .xAxisTitle(p.xLabel()).yAxisTitle(p.yLabel()).build();
        XYStyler st = c.getStyler();
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setChartBackgroundColor(Color.WHITE);
        st.setMarkerSize(7);
        st.setLegendFont(st.getLegendFont().deriveFont(11f));
        st.setYAxisLogarithmic(p.logY() && p.lines().stream().allMatch(LatencyFigure::positive));
        for (int k = 0; k < p.lines().size(); k++) {
            Line l = p.lines().get(k);
            Color color = COLORS[k % COLORS.length];
            XYSeries s = c.addSeries(l.name(), l.x(), l.median());
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(SeriesMarkers.CIRCLE);
            band(c, l.name() + " min", l.x(), l.min(), color);
            band(c, l.name() + " max", l.x(), l.max(), color);
        }
        return c;
    }

    private static void band(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries b = c.addSeries(name, x, y);
        b.setLineColor(color);
        b.setLineStyle(SeriesLines.DASH_DASH);
        b.setMarker(SeriesMarkers.NONE);
        b.setShowInLegend(false);
    }

    private static boolean positive(Line l) {
        return Arrays.stream(l.min()).allMatch(v -> v > 0) && Arrays.stream(l.median()).allMatch(v -> v > 0);
    }

    int width() {
        return columns * PANEL_WIDTH;
    }

    int height() {
        return (panels.size() + columns - 1) / columns * PANEL_HEIGHT;
    }

    private void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        for (int i = 0; i < panels.size(); i++) {
            AffineTransform saved = g.getTransform();
            g.translate((double) (i % columns) * PANEL_WIDTH, (double) (i / columns) * PANEL_HEIGHT);
            chart(i).paint(g, PANEL_WIDTH, PANEL_HEIGHT);
            g.setTransform(saved);
        }
    }

    public void writePng(Path file) throws IOException {
        Files.write(file, png());
    }

    /** The figure as a PNG image. */
    public byte[] png() throws IOException {
        HeadlessFonts.ready();
        BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            paint(g);
        } finally {
            g.dispose();
        }
        var out = new java.io.ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    public void writeSvg(Path file) throws IOException {
        Files.writeString(file, svg());
    }

    /** The figure as SVG text. */
    public String svg() throws IOException {
        HeadlessFonts.ready();
        VectorGraphics2D g = new VectorGraphics2D();
        paint(g);
        var doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width(), height()));
        var out = new java.io.ByteArrayOutputStream();
        doc.writeTo(out);
        return accessible(stableIds(out.toString(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** VectorGraphics2D names clip paths after identity hashes: number them in order, so equal figures give equal files. */
    static String stableIds(String svg) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("clip-?\\d+").matcher(svg);
        java.util.Map<String, String> ids = new java.util.HashMap<>();
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, ids.computeIfAbsent(m.group(), k -> "clip" + ids.size()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** XChart draws text as outlines; a title and description say in words what each panel shows. */
    private String accessible(String svg) {
        StringBuilder desc = new StringBuilder();
        for (Panel p : panels) {
            desc.append(p.title()).append(": x ").append(p.xLabel()).append(", y ").append(p.yLabel()).append(", lines ")
                    .append(String.join(", ", p.lines().stream().map(Line::name).toList()))
                    .append(" (dashed: min-max over seeds). ");
        }
        int open = svg.indexOf('>', svg.indexOf("<svg")) + 1;
        return svg.substring(0, open) + "\n  <title>" + xml(String.join("; ", panels.stream().map(Panel::title).toList())) + "</title>\n  <desc>"
                + xml(desc.toString().trim()) + "</desc>" + svg.substring(open);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
