package io.github.selfsup4j.method;

import static io.github.selfsup4j.method.Fixtures.DATA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import io.github.selfsup4j.augment.ViewBatch;
import io.github.selfsup4j.engine.ComputeThreads;
import io.github.selfsup4j.data.Images;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.NonFiniteException;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.TrainingEngine;
import io.github.selfsup4j.eval.Evaluation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every method as a job of the engine, end to end on a few hundred images. */
class SslMethodTest {

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "moco", "hcl", "barlow-twins", "vicreg", "byol"})
    void everyMethodTrainsAndEvaluates(String method) throws Exception {
        MethodSpec<?> spec = Fixtures.spec(method);
        SslOptions o = Fixtures.small(spec, 2);
        try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o,
                DATA.train().images()), 2, tmp.resolve(method))) {
            Map<String, float[]> before = Fixtures.parameters(t.job());
            assertEquals(TrainingEngine.Outcome.FINISHED, t.engine().fit());
            assertEquals(2, t.history().epochLoss().size());
            for (double l : t.history().epochLoss()) {
                assertTrue(Double.isFinite(l), method + " loss " + l);
            }
            Map<String, float[]> after = Fixtures.parameters(t.job());
            boolean moved = false;
            for (String k : before.keySet()) {
                moved |= !Arrays.equals(before.get(k), after.get(k));
            }
            assertTrue(moved, "the optimiser changed the parameters");
            // whether training helps is LearningTest's question; here: the evaluation runs on the
            // trained encoder and scores every test image
            Evaluation.Report r = t.job().evaluate(DATA.train(), DATA.test(), false, QUIET);
            assertEquals(DATA.test().size(), r.testFeatures().length);
            assertTrue(Double.isFinite(r.encoder().knnK20()) && r.encoder().linearProbe() != null);
            assertTrue(tmp.resolve(method).resolve("checkpoint.bin").toFile().isFile());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "moco", "byol"})
    void resumedRunEndsWithTheSameParametersAsAnUninterruptedOne(String method)
            throws Exception {
        // one compute thread: PyTorch's multi-threaded CPU reductions are not bitwise
        // repeatable, so only then can two runs be compared exactly
        ComputeThreads.set(1);
        try {
            resumeCheck(method);
        } finally {
            ComputeThreads.set(Runtime.getRuntime().availableProcessors());
        }
    }

    private void resumeCheck(String method) throws Exception {
        MethodSpec<?> spec = Fixtures.spec(method);
        SslOptions o = Fixtures.small(spec, 2);
        Images images = DATA.train().images();
        Map<String, float[]> straight;
        try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o, images), 2,
                tmp.resolve("a"))) {
            assertEquals(TrainingEngine.Outcome.FINISHED, t.engine().fit());
            straight = Fixtures.parameters(t.job());
        }
        // stopped after 3 steps of the first epoch (as Ctrl-C does), resumed and stopped at
        // the end of epoch 1 (a checkpoint of a completed epoch), resumed to the end
        Path dir = tmp.resolve("b");
        try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o, images), 2, dir)) {
            t.engine().requestStopAt(0, 3);
            assertEquals(TrainingEngine.Outcome.STOPPED, t.engine().fit());
        }
        try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o, images), 2, dir)) {
            t.checkpoints().restore();
            assertEquals(0, t.engine().state().epoch());
            assertEquals(3, t.engine().state().nextBatch());
            t.engine().requestStopAt(1, 0);
            assertEquals(TrainingEngine.Outcome.STOPPED, t.engine().fit());
            assertEquals(1, t.engine().state().epoch());
        }
        Map<String, float[]> resumed;
        try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o, images), 2, dir)) {
            t.checkpoints().restore();
            assertEquals(1, t.engine().state().epoch());
            assertEquals(TrainingEngine.Outcome.FINISHED, t.engine().fit());
            resumed = Fixtures.parameters(t.job());
            assertEquals(2, t.history().epochLoss().size());
            assertEquals(2L * t.job().batchesPerEpoch(), t.history().stepLoss().size());
        }
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), 0f, k);
        }
    }

    @Test
    void noArraysAccumulateAcrossSteps() throws Exception {
        // Every step's arrays live in a sub-manager closed at the end of the step; the arrays
        // left under the job's manager (parameters, gradients, optimiser state, MoCo's queue,
        // momentum copies) must not grow with the number of steps.
        for (String method : new String[] {"simclr", "moco", "byol"}) {
            MethodSpec<?> spec = Fixtures.spec(method);
            SslOptions o = Fixtures.small(spec, 6);
            o.batchSize = 32;
            try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o,
                    DATA.train().images()), 6, tmp.resolve("leak-" + method))) {
                t.engine().requestStopAt(2, 0);
                assertEquals(TrainingEngine.Outcome.STOPPED, t.engine().fit());
                int after16 = live(t.job().manager());
                t.engine().requestStopAt(-1, -1);
                assertEquals(TrainingEngine.Outcome.FINISHED, t.engine().fit());
                int after48 = live(t.job().manager());
                assertEquals(after16, after48, method + ": live arrays after 16 and 48 steps");
                assertTrue(after16 > 0);
            }
        }
    }

    static int live(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @Test
    void aFailedMocoStepLeavesTheQueueAsItWas() throws Exception {
        // Regression: MoCo enqueued its keys inside the loss, so a step that failed (and was
        // repeated) put its keys in the queue, and the repeat met them as negatives.
        MethodSpec<?> spec = Fixtures.spec("moco");
        SslOptions o = Fixtures.small(spec, 1);
        try (SslMethod job = Fixtures.build(spec, o, DATA.train().images())) {
            Moco moco = (Moco) job;
            ViewBatch good = firstBatch(job);
            float[] poisoned = good.view(1).pixels().clone();
            poisoned[0] = Float.NaN;
            ViewBatch bad = new ViewBatch(0, good.images(), 1, List.of(good.view(0),
                    new ViewBatch.View(poisoned, 28, 28)));
            float[] queueBefore;
            try (NDManager m = NDManager.newBaseManager()) {
                queueBefore = moco.queue().negatives(m).toFloatArray();
            }
            Map<String, float[]> paramsBefore = Fixtures.parameters(job);
            try (NDManager s = job.manager().newSubManager()) {
                StepContext ctx = new StepContext(0, 0, 0, 4, 4, s, Collective.single());
                assertThrows(NonFiniteException.class, () -> job.step(ctx, bad));
            }
            assertEquals(0, moco.queue().enqueued(), "a failed step enqueues nothing");
            try (NDManager m = NDManager.newBaseManager()) {
                assertArrayEquals(queueBefore, moco.queue().negatives(m).toFloatArray(), 0f);
            }
            Map<String, float[]> paramsAfter = Fixtures.parameters(job);
            for (String k : paramsBefore.keySet()) {
                assertArrayEquals(paramsBefore.get(k), paramsAfter.get(k), 0f, k);
            }
            try (NDManager s = job.manager().newSubManager()) {
                job.step(new StepContext(0, 0, 0, 4, 4, s, Collective.single()), good);
            }
            assertEquals(o.batchSize, moco.queue().enqueued(), "the repeated step enqueues once");
        }
    }

    private static ViewBatch firstBatch(SslMethod job) {
        try (var e = job.batches().open(0, 0)) {
            return e.next();
        }
    }

    @Test
    void selfSupervisedJobsNeverSeeLabels() throws Exception {
        // Structural: what a method is built from and trained on has no label anywhere.
        for (Class<?> c : List.of(ViewBatch.class, ViewBatch.View.class, Images.class,
                SslSetup.class)) {
            for (var rc : c.getRecordComponents()) {
                assertFalse(rc.getName().toLowerCase().contains("label"),
                        c.getSimpleName() + "." + rc.getName());
                assertFalse(rc.getType().getSimpleName().contains("ImageDataset"),
                        c.getSimpleName() + "." + rc.getName() + " would carry labels");
            }
        }
        // Behavioural: scrambling the labels changes nothing in training (bitwise, 1 thread).
        ComputeThreads.set(1);
        try {
            MethodSpec<?> spec = Fixtures.spec("simclr");
            SslOptions o = Fixtures.small(spec, 1);
            int[] scrambled = DATA.train().labels().clone();
            for (int i = 0; i < scrambled.length; i++) {
                scrambled[i] = (scrambled[i] + 1 + i % 7) % 10;
            }
            io.github.selfsup4j.data.ImageDataset other = new io.github.selfsup4j.data
                    .ImageDataset(DATA.train().pixels(), scrambled, 28, 28,
                    DATA.train().classes());
            Map<String, float[]> a;
            Map<String, float[]> b;
            try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o,
                    DATA.train().images()), 1, tmp.resolve("l1"))) {
                t.engine().fit();
                a = Fixtures.parameters(t.job());
            }
            try (Fixtures.Trained t = Fixtures.engine(Fixtures.build(spec, o, other.images()), 1,
                    tmp.resolve("l2"))) {
                t.engine().fit();
                b = Fixtures.parameters(t.job());
            }
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k), b.get(k), 0f, k);
            }
        } finally {
            ComputeThreads.set(Runtime.getRuntime().availableProcessors());
        }
    }
}
