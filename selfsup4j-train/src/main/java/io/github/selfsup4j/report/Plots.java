package io.github.selfsup4j.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of a run: the loss curve and a 2-D map of test embeddings. */
public final class Plots {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** Loss per step (thin) and per epoch (markers), against the epoch. */
    public static void loss(Path file, String title, List<Float> stepLoss, int stepsPerEpoch,
            List<Double> epochLoss) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("epoch").yAxisTitle("loss").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        if (!stepLoss.isEmpty()) {
            double[] x = new double[stepLoss.size()];
            double[] y = new double[stepLoss.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i + 1.0) / Math.max(1, stepsPerEpoch);
                y[i] = stepLoss.get(i);
            }
            XYSeries s = chart.addSeries("per step", x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (!epochLoss.isEmpty()) {
            double[] x = new double[epochLoss.size()];
            double[] y = new double[epochLoss.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
                y[i] = epochLoss.get(i);
            }
            chart.addSeries("epoch mean", x, y);
        }
        BitmapEncoder.saveBitmap(chart, strip(file), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * A scatter plot of features projected on their first two principal components, one colour
     * per class (at most {@code maxPoints} points, taken evenly).
     */
    public static void embedding(Path file, String title, float[][] features, int[] labels,
            String[] classes, int maxPoints) throws IOException {
        double[][] pc = Pca.project2d(features);
        XYChart chart = new XYChartBuilder().width(900).height(700).title(title)
                .xAxisTitle("principal component 1").yAxisTitle("principal component 2").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        int stride = Math.max(1, features.length / maxPoints);
        for (int c = 0; c < classes.length; c++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < features.length; i += stride) {
                if (labels[i] == c) {
                    xs.add(pc[i][0]);
                    ys.add(pc[i][1]);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(classes[c], xs, ys);
            }
        }
        BitmapEncoder.saveBitmap(chart, strip(file), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String strip(Path file) {
        String s = file.toString();
        return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }
}
