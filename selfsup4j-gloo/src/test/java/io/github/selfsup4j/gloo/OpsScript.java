package io.github.selfsup4j.gloo;

import io.github.selfsup4j.distributed.Collective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Every collective operation, float32 and float64, on data that depends on the rank; each result
 * printed exactly. A child JVM runs it over Gloo, the test over {@link
 * io.github.selfsup4j.distributed.LocalCollective}; the two transcripts must be equal. Summed data
 * are multiples of 1/64 (exact in any summation order); gathered and broadcast data use every bit.
 */
final class OpsScript {

    private OpsScript() {}

    static List<String> run(Collective c) {
        int w = c.worldSize();
        Random rng = new Random(1000 + c.rank());
        List<String> out = new ArrayList<>();
        for (int len : new int[] {7, 1000, 1000, 3}) { // same size twice, then smaller: reuse
            out.add("allGather f32 " + Arrays.toString(c.allGather(fineFloats(rng, len))));
            out.add("allGather f64 " + Arrays.toString(c.allGather(fineDoubles(rng, len))));
        }
        out.add("allReduceSum f32 " + Arrays.toString(c.allReduceSum(dyadicFloats(rng, 1001))));
        out.add("allReduceSum f64 " + Arrays.toString(c.allReduceSum(dyadicDoubles(rng, 1001))));
        double tiny = Math.pow(2, -40); // lost in float32: proves float64 travels as float64
        out.add("allReduceSum f64 tail " + Arrays.toString(c.allReduceSum(new double[] {1 + tiny})));
        out.add("reduceScatterSum f32 "
                + Arrays.toString(c.reduceScatterSum(dyadicFloats(rng, 13 * w))));
        out.add("reduceScatterSum f64 "
                + Arrays.toString(c.reduceScatterSum(dyadicDoubles(rng, 13 * w))));
        out.add("broadcast f32 root last "
                + Arrays.toString(c.broadcast(fineFloats(rng, 5), w - 1)));
        out.add("broadcast f64 root 0 " + Arrays.toString(c.broadcast(fineDoubles(rng, 5), 0)));
        c.barrier();
        out.add("barrier");
        out.add("allGather empty " + Arrays.toString(c.allGather(new double[0])));
        out.add("allGather after " + Arrays.toString(c.allGather(new float[] {c.rank()})));
        return out;
    }

    private static float[] fineFloats(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    private static double[] fineDoubles(Random rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    private static float[] dyadicFloats(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextInt(2001) - 1000) / 64f;
        }
        return v;
    }

    private static double[] dyadicDoubles(Random rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextInt(2001) - 1000) / 64.0;
        }
        return v;
    }
}
