package io.github.selfsup4j.supervised;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.augment.LabelledBatch;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.StepResult;
import io.github.selfsup4j.engine.TrainingEngine;
import io.github.selfsup4j.method.Fixtures;
import io.github.selfsup4j.method.SslOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The metric-learning jobs: P×K batches with their labels, protocols. */
class MetricMethodTest {

    static final ImageDataset TRAIN = Fixtures.DATA.train();

    static SslOptions small(MetricOptions m) {
        SslOptions o = Triplet.SPEC.defaults();
        o.epochs = 1;
        o.width = 16;
        o.batchSize = m.batchSize();
        o.evalBatch = 128;
        return o;
    }

    static MetricOptions pk(int p, int k) {
        MetricOptions m = new MetricOptions();
        m.classesPerBatch = p;
        m.samplesPerClass = k;
        m.embeddingDim = 16;
        return m;
    }

    /** A triplet job that records the batches it is given. */
    static final class Recording extends MetricMethod {
        final List<LabelledBatch> seen = new ArrayList<>();

        Recording(MetricSetup setup) {
            super("triplet", setup, io.github.selfsup4j.loss.metric.TripletLoss.builder()
                    .optMargin(0.2).build());
        }

        @Override
        public StepResult step(StepContext ctx, LabelledBatch batch) {
            seen.add(batch);
            return super.step(ctx, batch);
        }
    }

    @Test
    void aPxKBatchReachesTheJobWithTheLabelsOfItsImages() {
        MetricOptions m = pk(4, 8);
        try (Recording job = new Recording(MetricSetup.of(small(m), m, TRAIN))) {
            TrainingEngine<LabelledBatch> engine = TrainingEngine.builder(
                    (io.github.selfsup4j.engine.Job<LabelledBatch>) job).setEpochs(1).build();
            engine.fit();
            assertEquals(TRAIN.size() / 32, job.seen.size());
            for (LabelledBatch b : job.seen) {
                assertEquals(32, b.labels().length);
                assertEquals(32, b.views().size());
                assertEquals(32, b.views().view(0).rows());
                Map<Integer, Integer> perClass = new TreeMap<>();
                for (int i = 0; i < 32; i++) {
                    assertEquals(TRAIN.labels()[b.views().images()[i]], b.labels()[i],
                            "the label of image " + b.views().images()[i]);
                    perClass.merge(b.labels()[i], 1, Integer::sum);
                }
                assertEquals(4, perClass.size(), "P classes: " + perClass);
                for (int n : perClass.values()) {
                    assertEquals(8, n, "K images of each class: " + perClass);
                }
            }
            for (ai.djl.nn.Parameter p : job.trainableParameters().values()) {
                for (float x : p.getArray().toFloatArray()) {
                    assertTrue(Float.isFinite(x));
                }
            }
        }
    }

    @Test
    void embeddingsAreUnitRowsOfTheEmbeddingSize() {
        MetricOptions m = pk(4, 8);
        try (MetricMethod job = Triplet.SPEC.create(MetricSetup.of(small(m), m, TRAIN),
                new Triplet.Options())) {
            float[][] e = job.embed(Fixtures.DATA.test().head(40));
            assertEquals(40, e.length);
            for (float[] row : e) {
                assertEquals(16, row.length);
                double s = 0;
                for (float v : row) {
                    s += v * v;
                }
                assertEquals(1.0, s, 1e-5);
            }
        }
    }

    @Test
    void tooFewClassesOrImagesForPxKAreNamed() {
        MetricOptions m = pk(11, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Triplet.SPEC.create(MetricSetup.of(small(m), m, TRAIN),
                        new Triplet.Options()));
        assertTrue(e.getMessage().contains("--classes-per-batch"), e.getMessage());
        MetricOptions k = pk(2, 100);
        e = assertThrows(IllegalArgumentException.class, () -> Triplet.SPEC.create(
                MetricSetup.of(small(k), k, TRAIN), new Triplet.Options()));
        assertTrue(e.getMessage().contains("--samples-per-class 100"), e.getMessage());
    }

    @Test
    void closedProtocolQueriesTheTestSplitAgainstTheTrainingSplit() {
        Protocol.Split s = Protocol.CLOSED.split(Fixtures.DATA, 0, 1);
        assertEquals(TRAIN, s.train());
        assertEquals(TRAIN, s.references());
        assertEquals(Fixtures.DATA.test(), s.queries());
        assertFalse(s.referencesIncludeQueries());
        Protocol.Split v = Protocol.CLOSED.split(Fixtures.DATA, 50, 1);
        assertEquals(TRAIN.size() - 50, v.train().size());
        assertEquals(50, v.queries().size());
        assertEquals("validation", v.scoredOn());
    }

    @Test
    void openProtocolTrainsOnHalfTheClassesAndRetrievesAmongTheOthers() {
        Protocol.Split s = Protocol.OPEN.split(Fixtures.DATA, 0, 1);
        assertTrue(Arrays.stream(s.train().labels()).allMatch(y -> y < 5));
        assertEquals(Arrays.stream(TRAIN.labels()).filter(y -> y < 5).count(), s.train().size());
        assertTrue(Arrays.stream(s.queries().labels()).allMatch(y -> y >= 5));
        assertEquals(Arrays.stream(Fixtures.DATA.test().labels()).filter(y -> y >= 5).count(),
                s.queries().size());
        assertTrue(s.referencesIncludeQueries());
        assertArrayEquals(s.queries().labels(), s.references().labels());
        Protocol.Split v = Protocol.OPEN.split(Fixtures.DATA, 30, 1);
        assertEquals(30, v.queries().size());
        assertTrue(Arrays.stream(v.queries().labels()).allMatch(y -> y >= 5));
        assertEquals("validation", v.scoredOn());
    }
}
