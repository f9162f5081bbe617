package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.StepResult;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss of every step, and the mean loss and mean of every other reported scalar for every
 * epoch: what {@code metrics.json} and {@code loss.png} show. Saved in the checkpoint, so a
 * resumed run's history is complete.
 */
public final class MetricsHistory implements TrainingListener, Stateful {

    private final List<Float> stepLoss = new ArrayList<>();
    private final List<Double> epochLoss = new ArrayList<>();
    private final Map<String, List<Double>> epochScalars = new LinkedHashMap<>();
    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private double lossSum;
    private int count;

    /** The loss of every step so far. */
    public List<Float> stepLoss() {
        return stepLoss;
    }

    /** The mean loss of every completed epoch. */
    public List<Double> epochLoss() {
        return epochLoss;
    }

    /** The per-epoch means of the other scalars the job reported, by name. */
    public Map<String, List<Double>> epochScalars() {
        return epochScalars;
    }

    /** The mean loss of the last completed epoch, or NaN. */
    public double lastEpochLoss() {
        return epochLoss.isEmpty() ? Double.NaN : epochLoss.get(epochLoss.size() - 1);
    }

    /** The means of the other scalars of the last completed epoch. */
    public Map<String, Double> lastEpochScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        epochScalars.forEach((k, v) -> m.put(k, v.isEmpty() ? Double.NaN : v.get(v.size() - 1)));
        return m;
    }

    @Override
    public void onEpochBegin(TrainingState state) {
        // a resumed epoch's mean counts its steps before the interruption too
        int done = state.epoch() * state.batchesPerEpoch();
        lossSum = 0;
        count = 0;
        sums.clear();
        for (int i = done; i < stepLoss.size(); i++) {
            lossSum += stepLoss.get(i);
            count++;
        }
    }

    @Override
    public void onStep(TrainingState state, StepContext ctx, StepResult result) {
        stepLoss.add(result.loss());
        lossSum += result.loss();
        count++;
        result.scalars().forEach((k, v) -> {
            double[] s = sums.computeIfAbsent(k, x -> new double[2]);
            s[0] += v;
            s[1]++;
        });
    }

    @Override
    public void onEpochEnd(TrainingState state) {
        epochLoss.add(count > 0 ? lossSum / count : Double.NaN);
        sums.forEach((k, s) -> epochScalars.computeIfAbsent(k, x -> new ArrayList<>())
                .add(s[0] / s[1]));
    }

    @Override
    public String stateName() {
        return "history";
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.writeInt(stepLoss.size());
        for (float f : stepLoss) {
            out.writeFloat(f);
        }
        out.writeInt(epochLoss.size());
        for (double d : epochLoss) {
            out.writeDouble(d);
        }
        out.writeInt(epochScalars.size());
        for (Map.Entry<String, List<Double>> e : epochScalars.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (double d : e.getValue()) {
                out.writeDouble(d);
            }
        }
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        stepLoss.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            stepLoss.add(in.readFloat());
        }
        epochLoss.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            epochLoss.add(in.readDouble());
        }
        epochScalars.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            String k = in.readUTF();
            List<Double> v = new ArrayList<>();
            int m = in.readInt();
            for (int j = 0; j < m; j++) {
                v.add(in.readDouble());
            }
            epochScalars.put(k, v);
        }
    }
}
