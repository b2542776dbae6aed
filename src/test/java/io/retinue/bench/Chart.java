package io.retinue.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Latency against concurrency as an SVG image: one line per target (p50 solid, p99 dashed), concurrency on a log
 * scale. Plain SVG text, so the chart needs no library and diffs readably in the repository.
 */
final class Chart {

    private static final String[] COLOURS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e" };
    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 190;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private Chart() {
    }

    static String latency(String title, List<Load.Series> series) {
        Map<String, List<Load.Series>> byTarget = new LinkedHashMap<>();
        series.forEach(one -> byTarget.computeIfAbsent(one.target(), target -> new ArrayList<>()).add(one));
        double maxConcurrency = series.stream().mapToInt(Load.Series::concurrency).max().orElse(1);
        double maxLatency = series.stream().mapToDouble(Load.Series::p99).filter(Double::isFinite).max().orElse(1);
        double yTop = niceCeiling(maxLatency);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT,
                escape(title)));
        for (int tick = 0; tick <= 5; tick++) {
            double value = yTop * tick / 5;
            double y = TOP + plotHeight - plotHeight * tick / 5;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, LEFT + plotWidth, y, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>%n",
                    LEFT - 6, y + 4, value));
        }
        List<Integer> concurrencies = series.stream().map(Load.Series::concurrency).distinct().sorted().toList();
        for (int concurrency : concurrencies) {
            double x = x(concurrency, maxConcurrency, plotWidth);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x,
                    HEIGHT - BOTTOM + 18, concurrency));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">concurrent requests "
                + "(log scale)</text>%n", LEFT + plotWidth / 2, HEIGHT - 18));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                + "latency, ms</text>%n", TOP + plotHeight / 2));
        int colour = 0;
        int legend = TOP + 10;
        for (Map.Entry<String, List<Load.Series>> target : byTarget.entrySet()) {
            String stroke = COLOURS[colour++ % COLOURS.length];
            List<Load.Series> points = target.getValue().stream()
                .sorted(java.util.Comparator.comparingInt(Load.Series::concurrency))
                .toList();
            svg.append(line(points, Load.Series::p50, stroke, "", maxConcurrency, yTop, plotWidth, plotHeight));
            svg.append(line(points, Load.Series::p99, stroke, " stroke-dasharray=\"6 4\"", maxConcurrency, yTop,
                    plotWidth, plotHeight));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>%n", WIDTH - RIGHT + 15.0, WIDTH - RIGHT + 40.0, legend, legend, stroke));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 46, legend + 4,
                    escape(target.getKey())));
            legend += 20;
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">solid p50, dashed p99</text>%n",
                WIDTH - RIGHT + 15, legend + 4));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                + "stroke=\"#888\"/>%n", LEFT, TOP, plotWidth, plotHeight));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String line(List<Load.Series> points, java.util.function.ToDoubleFunction<Load.Series> value,
            String stroke, String dash, double maxConcurrency, double yTop, double plotWidth, double plotHeight) {
        StringBuilder coordinates = new StringBuilder();
        for (Load.Series point : points) {
            double latency = value.applyAsDouble(point);
            if (!Double.isFinite(latency)) {
                continue;
            }
            double y = TOP + plotHeight - plotHeight * Math.min(latency, yTop) / yTop;
            coordinates.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(point.concurrency(), maxConcurrency,
                    plotWidth), y));
        }
        return String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                coordinates.toString().strip(), stroke, dash);
    }

    /** Log scale from 1 to the highest concurrency; a single concurrency sits in the middle. */
    private static double x(int concurrency, double maxConcurrency, double plotWidth) {
        if (maxConcurrency <= 1) {
            return LEFT + plotWidth / 2;
        }
        return LEFT + 20 + (plotWidth - 40) * Math.log(concurrency) / Math.log(maxConcurrency);
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1e-9))));
        for (double step : new double[] { 1, 2, 2.5, 5, 10 }) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
