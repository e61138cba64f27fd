package dev.kctx.cli.experiment;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The latency figure")
class LatencyFigureTest {
    static final double[] X = {0, 1, 2};

    static LatencyFigure figure() {
        var relay = new LatencyFigure.Line("relay", X, new double[] {100, 4000, 8000}, new double[] {90, 3900, 7900},
                new double[] {110, 4100, 8100});
        var netlink = new LatencyFigure.Line("netlink", X, new double[] {100, 80, 90}, new double[] {95, 70, 85},
                new double[] {105, 90, 95});
        return new LatencyFigure(List.of(
                new LatencyFigure.Panel("to IRQ, 1 CPU", "CPU-bound user processes (load)", "latency (us)", true, List.of(relay, netlink)),
                new LatencyFigure.Panel("to IRQ, 2 CPUs", "CPU-bound user processes (load)", "latency (us)", false, List.of(relay, netlink)),
                new LatencyFigure.Panel("from IRQ", "CPU-bound user processes (load)", "latency (us)", false, List.of(relay))), 2);
    }

    @Test
    @DisplayName("each panel labels its axes with units, shows one legend entry per design, and hides the band lines")
    void chartModel() {
        XYChart c = figure().chart(0);
        assertEquals("CPU-bound user processes (load)", c.getXAxisTitle());
        assertEquals("latency (us)", c.getYAxisTitle());
        assertTrue(c.getStyler().isLegendVisible(), "the legend is drawn");
        List<String> inLegend = c.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).map(XYSeries::getName).toList();
        assertEquals(List.of("relay", "netlink"), inLegend);
        assertEquals(6, c.getSeriesMap().size(), "each design has its median line and two band lines");
        XYSeries max = c.getSeriesMap().get("relay max");
        assertEquals(c.getSeriesMap().get("relay").getLineColor(), max.getLineColor(), "a band has its line's colour");
        assertTrue(c.getStyler().isYAxisLogarithmic(), "log y when asked and every value is positive");
        assertFalse(figure().chart(1).getStyler().isYAxisLogarithmic());
    }

    @Test
    @DisplayName("the SVG names the titles, axis labels and lines in its description and is the same for the same data; the PNG has the grid's size")
    void files(@TempDir Path dir) throws Exception {
        LatencyFigure f = figure();
        f.writeSvg(dir.resolve("latency.svg"));
        f.writePng(dir.resolve("latency.png"));
        String svg = Files.readString(dir.resolve("latency.svg"));
        assertTrue(svg.startsWith("<?xml") && svg.contains("<svg"), "an SVG document");
        for (String text : List.of("to IRQ, 1 CPU", "from IRQ", "CPU-bound user processes (load)", "latency (us)", "relay", "netlink")) {
            assertTrue(svg.contains(text), "the SVG shows '" + text + "'");
        }
        assertEquals(svg, figure().svg(), "the same figure gives the same SVG");
        BufferedImage png = ImageIO.read(dir.resolve("latency.png").toFile());
        assertEquals(2 * LatencyFigure.PANEL_WIDTH, png.getWidth(), "two panels side by side");
        assertEquals(2 * LatencyFigure.PANEL_HEIGHT, png.getHeight(), "three panels take two rows");
    }
}
