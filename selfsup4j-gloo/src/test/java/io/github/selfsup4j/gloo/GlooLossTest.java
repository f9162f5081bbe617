package io.github.selfsup4j.gloo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gatherable losses on 2 and 3 real processes (each passing its inputs as a {@code Map.of},
 * whose order differs between JVMs) against one process holding the whole batch, float64: the
 * value and every rank's input gradients agree to 1e-10.
 */
class GlooLossTest {

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void lossesAndGradientsEqualOneProcessHoldingTheWholeBatch(int world) throws Exception {
        Ranks.assumeGloo();
        int[] all = new int[world];
        for (int r = 0; r < world; r++) {
            all[r] = r;
        }
        List<List<String>> got = new ArrayList<>();
        try (Ranks ranks = new Ranks(world, all, "losses", 5000, Map.of())) {
            for (int r = 0; r < world; r++) {
                List<String> lines = new ArrayList<>();
                for (String l : ranks.output(r, 40000)) {
                    if (l.startsWith("OUT ")) {
                        lines.add(l.substring(4));
                    }
                }
                got.add(lines);
            }
        }
        int n = LossScript.ROWS_PER_RANK * LossScript.DIM;
        for (int c = 0; c < LossScript.CASES.size(); c++) {
            double[][] ref = LossScript.reference(c, world);
            String name = LossScript.CASES.get(c).toString();
            for (int r = 0; r < world; r++) {
                String[] v = got.get(r).get(c).split(" ");
                assertEquals(1 + 2 * n, v.length, name);
                double value = Double.parseDouble(v[0]);
                assertEquals(ref[0][0], value, 1e-10 * Math.max(1, Math.abs(ref[0][0])),
                        name + " value on rank " + r);
                double scale = 0;
                for (int k = 0; k < n; k++) {
                    for (int in = 0; in < 2; in++) {
                        double want = ref[1 + in][r * n + k];
                        scale = Math.max(scale, Math.abs(want));
                        assertEquals(want, Double.parseDouble(v[1 + in * n + k]), 1e-10,
                                name + " gradient of input " + in + " [" + k + "] on rank " + r);
                    }
                }
                assertTrue(scale > 1e-6, name + ": the gradient is not trivially zero");
            }
        }
    }
}
