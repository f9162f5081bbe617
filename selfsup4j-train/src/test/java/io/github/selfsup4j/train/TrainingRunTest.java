package io.github.selfsup4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.eval.Evaluation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fast end-to-end runs on a few hundred images. */
class TrainingRunTest {

    static final IdxDataset.Splits DATA = Datasets.load("../data/fashion-mnist", 256);
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    static TrainConfig small(String method, int epochs) {
        TrainConfig c = TrainConfig.defaults(method);
        c.threads = 0;
        c.epochs = epochs;
        c.batchSize = 64;
        c.width = 16; // not 8: PyTorch's CPU conv backward with 8 channels reads garbage
        c.projectionHidden = 64;
        c.projectionDim = 32;
        c.queueSize = 128;
        c.warmupEpochs = 0.25;
        c.probeEpochs = 2;
        c.evalBatch = 128;
        return c;
    }

    static TrainConfig single(String method, int epochs) {
        TrainConfig c = small(method, epochs);
        c.threads = 1;
        return c;
    }

    static Map<String, float[]> parameters(TrainingRun run) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : run.method().trainableParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().getArray().toFloatArray());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "moco", "hcl", "barlow-twins", "vicreg"})
    void everyMethodTrainsAndEvaluatesEndToEnd(String method) throws Exception {
        TrainConfig c = small(method, 2);
        try (TrainingRun run = new TrainingRun(c, tmp.resolve(method), DATA.train())) {
            Map<String, float[]> before = parameters(run);
            assertTrue(run.train(false, QUIET));
            assertEquals(2, run.epochLoss().size());
            for (double l : run.epochLoss()) {
                assertTrue(Double.isFinite(l), method + " loss " + l);
            }
            Map<String, float[]> after = parameters(run);
            boolean moved = false;
            for (String k : before.keySet()) {
                moved |= !java.util.Arrays.equals(before.get(k), after.get(k));
            }
            assertTrue(moved, "the optimiser changed the parameters");
            Evaluation.Report r = Evaluation.run(run.method().encoder(), c, DATA.train(),
                    DATA.test(), false, run.manager(), QUIET);
            assertTrue(r.encoder().knnK20() > 0.2 && r.encoder().knnK20() <= 1,
                    "better than chance (0.1): " + r.encoder().knnK20());
            assertTrue(r.encoder().linearProbe() > 0.2, "probe " + r.encoder().linearProbe());
            assertTrue(tmp.resolve(method).resolve("checkpoint.bin").toFile().isFile());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "moco"})
    void resumedRunEndsWithTheSameParametersAsAnUninterruptedOne(String method)
            throws Exception {
        // one compute thread: PyTorch's multi-threaded CPU reductions are not bitwise
        // repeatable, so only then can two runs be compared exactly
        try {
            resumeCheck(method);
        } finally {
            TrainingRun.setComputeThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    private void resumeCheck(String method) throws Exception {
        Map<String, float[]> straight;
        try (TrainingRun run = new TrainingRun(single(method, 2), tmp.resolve("a"),
                DATA.train())) {
            assertTrue(run.train(false, QUIET));
            straight = parameters(run);
        }
        // stopped after 3 steps of the first epoch (as Ctrl-C does), resumed and stopped at
        // the end of epoch 1 (a checkpoint of a completed epoch), resumed to the end
        Path dir = tmp.resolve("b");
        try (TrainingRun run = new TrainingRun(single(method, 2), dir, DATA.train())) {
            run.requestStopAt(0, 3);
            assertFalse(run.train(false, QUIET), "stops mid-epoch");
        }
        try (TrainingRun run = new TrainingRun(single(method, 2), dir, DATA.train())) {
            run.restore();
            assertEquals(0, run.epoch());
            run.requestStopAt(1, 0);
            assertFalse(run.train(false, QUIET), "stops at the epoch boundary");
            assertEquals(1, run.epoch());
        }
        Map<String, float[]> resumed;
        try (TrainingRun run = new TrainingRun(single(method, 2), dir, DATA.train())) {
            run.restore();
            assertEquals(1, run.epoch());
            assertTrue(run.train(false, QUIET));
            resumed = parameters(run);
            assertEquals(2, run.epochLoss().size());
        }
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), 0f, k);
        }
    }

    @Test
    void noArraysAccumulateAcrossSteps() throws Exception {
        // Every step's arrays live in a sub-manager closed at the end of the step; the arrays
        // left under the run's manager (parameters, gradients, optimiser state, MoCo's queue)
        // must not grow with the number of steps.
        for (String method : new String[] {"simclr", "moco"}) {
            TrainConfig c = small(method, 2);
            c.batchSize = 32;
            try (TrainingRun run = new TrainingRun(c, tmp.resolve("leak-" + method),
                    DATA.train())) {
                assertTrue(run.train(false, QUIET));
                int after16 = ((ai.djl.ndarray.BaseNDManager) run.manager())
                        .getManagedArrays().size();
                c.epochs = 6;
                assertTrue(run.train(false, QUIET));
                int after48 = ((ai.djl.ndarray.BaseNDManager) run.manager())
                        .getManagedArrays().size();
                assertEquals(after16, after48, method + ": live arrays after 16 and 48 steps");
                assertTrue(after16 > 0);
            }
        }
    }
}
