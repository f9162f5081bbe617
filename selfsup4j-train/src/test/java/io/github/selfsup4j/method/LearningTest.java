package io.github.selfsup4j.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.engine.ComputeThreads;
import io.github.selfsup4j.engine.TrainingEngine;
import io.github.selfsup4j.eval.Evaluation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Does training learn? A short SimCLR run must make its encoder better than the same encoder
 * before training (its random initialisation), both scored in this test by kNN on held-out
 * images. (A bound far below the baseline, such as "better than chance", could not fail: a
 * random convolutional encoder already scores about 0.8 on Fashion-MNIST.)
 */
class LearningTest {

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void shortTrainingBeatsTheRandomEncoderItStartedFrom(long seed) throws Exception {
        IdxDataset.Splits all = Datasets.load("../data/fashion-mnist", N_TRAIN);
        ImageDataset train = all.train();
        ImageDataset test = all.test().head(N_TEST);
        MethodSpec<?> spec = Fixtures.spec("simclr");
        SslOptions o = spec.defaults();
        o.seed = seed;
        o.epochs = EPOCHS;
        o.batchSize = 256;
        o.width = 16;
        o.poolGrid = 1; // global pooling: the random baseline keeps no layout, so learning shows
        o.projectionHidden = 128;
        o.projectionDim = 64;
        o.probeEpochs = 5;
        o.evalBatch = 512;
        // one thread: the run repeats bit for bit, so the margin below is not at the mercy of
        // the order of PyTorch's reductions
        ComputeThreads.set(1);
        try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o, train.images()),
                EPOCHS, tmp)) {
            Evaluation.Scores before = t.job().evaluate(train, test, false, QUIET).encoder();
            assertEquals(TrainingEngine.Outcome.FINISHED, t.engine().fit());
            Evaluation.Scores after = t.job().evaluate(train, test, false, QUIET).encoder();
            System.out.printf("seed %d: kNN k=20 %.4f -> %.4f, k=200 %.4f -> %.4f, probe %.4f ->"
                    + " %.4f%n", seed, before.knnK20(), after.knnK20(), before.knnK200(),
                    after.knnK200(), before.linearProbe(), after.linearProbe());
            assertTrue(after.knnK200() > before.knnK200() + MARGIN, "kNN k=200 " + before
                    .knnK200() + " -> " + after.knnK200());
            assertTrue(after.knnK20() > before.knnK20(), "kNN k=20 " + before.knnK20() + " -> "
                    + after.knnK20());
        } finally {
            ComputeThreads.set(Runtime.getRuntime().availableProcessors());
        }
    }

    static final int N_TRAIN = 8192;
    static final int N_TEST = 2048;
    static final int EPOCHS = 3;
    static final double MARGIN = 0.01;
}
