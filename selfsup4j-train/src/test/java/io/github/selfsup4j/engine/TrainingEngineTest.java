package io.github.selfsup4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.listener.CheckpointListener;
import io.github.selfsup4j.engine.listener.MetricsHistory;
import io.github.selfsup4j.engine.listener.NonFiniteListener;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop and its listeners with a job that needs no network: a counter. */
class TrainingEngineTest {

    @TempDir
    Path tmp;

    /** Adds each batch's value to a total; fails on the batches it is told to. */
    static final class CountingJob implements Job<Integer> {
        final NDManager manager = NDManager.newBaseManager();
        final List<String> calls = new ArrayList<>();
        long total;
        int failGradientsOnce = -1;
        int failLossAt = -1;

        @Override
        public String name() {
            return "count";
        }

        @Override
        public BatchSource<Integer> batches() {
            return new BatchSource<>() {
                @Override
                public int batchesPerEpoch() {
                    return 3;
                }

                @Override
                public Epoch<Integer> open(int epoch, int firstBatch) {
                    return new Epoch<>() {
                        int next = firstBatch;

                        @Override
                        public boolean hasNext() {
                            return next < 3;
                        }

                        @Override
                        public Integer next() {
                            return epoch * 10 + next++;
                        }

                        @Override
                        public void close() {}
                    };
                }
            };
        }

        @Override
        public StepResult step(StepContext ctx, Integer batch) {
            calls.add(ctx.step() + ":" + batch);
            assertSame(Collective.single().getClass(), ctx.collective().getClass());
            if (batch == failGradientsOnce) {
                failGradientsOnce = -1;
                throw new NonFiniteException("gradients", Double.NaN);
            }
            if (batch == failLossAt) {
                throw new NonFiniteException("loss", Double.POSITIVE_INFINITY);
            }
            total += batch;
            return new StepResult(batch, 1, Map.of("twice", 2.0 * batch));
        }

        @Override
        public double learningRate() {
            return 0.1;
        }

        @Override
        public void save(DataOutputStream out) throws IOException {
            out.writeLong(total);
        }

        @Override
        public void load(DataInputStream in) throws IOException {
            total = in.readLong();
        }

        @Override
        public NDManager manager() {
            return manager;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    record Setup(CountingJob job, TrainingEngine<Integer> engine, MetricsHistory history,
            CheckpointListener checkpoints, NonFiniteListener nonFinite) {}

    Setup setup(Path dir, int epochs) {
        CountingJob job = new CountingJob();
        MetricsHistory history = new MetricsHistory();
        NonFiniteListener nonFinite = new NonFiniteListener(1);
        TrainingEngine<?>[] holder = new TrainingEngine<?>[1];
        Stateful progress = Stateful.deferred(() -> holder[0].state());
        CheckpointListener cp = new CheckpointListener(dir, () -> "{\"job\":\"count\"}",
                List.of(progress, history, Stateful.of(job)), Collective.single());
        TrainingEngine<Integer> e = TrainingEngine.builder((Job<Integer>) job).setEpochs(epochs)
                .optListeners(history, nonFinite, cp).build();
        holder[0] = e;
        return new Setup(job, e, history, cp, nonFinite);
    }

    @Test
    void runsEveryBatchOfEveryEpochAndKeepsHistory() {
        Setup s = setup(tmp, 2);
        assertEquals(TrainingEngine.Outcome.FINISHED, s.engine().fit());
        assertEquals(List.of("0:0", "1:1", "2:2", "3:10", "4:11", "5:12"), s.job().calls);
        assertEquals(List.of(1.0, 11.0), s.history().epochLoss());
        assertEquals(List.of(2.0, 22.0), s.history().epochScalars().get("twice"));
        assertEquals(6, s.engine().state().step());
        s.job().close();
    }

    @Test
    void aStepWithNonFiniteGradientsIsRepeatedOnceAndALossIsNot() {
        Setup s = setup(tmp, 1);
        s.job().failGradientsOnce = 1;
        assertEquals(TrainingEngine.Outcome.FINISHED, s.engine().fit());
        assertEquals(List.of("0:0", "1:1", "1:1", "2:2"), s.job().calls, "batch 1 twice");
        assertEquals(1, s.nonFinite().repeated());
        s.job().close();

        Setup f = setup(tmp.resolve("f"), 2);
        f.job().failLossAt = 11;
        assertEquals(TrainingEngine.Outcome.FAILED, f.engine().fit());
        assertEquals("loss", f.engine().failure().what());
        assertEquals(List.of("0:0", "1:1", "2:2", "3:10", "4:11"), f.job().calls,
                "a non-finite loss is not repeated");
        assertEquals(4, f.engine().state().step());
        assertEquals("epoch 2, batch 1 (step 4)", f.checkpoints().lastSaved(),
                "the last good checkpoint is the end of epoch 1, not the failed state");
        f.job().close();
    }

    @Test
    void aStoppedRunResumesWhereItStoppedWithItsHistory() throws IOException {
        Setup a = setup(tmp, 2);
        a.engine().requestStopAt(1, 1);
        assertEquals(TrainingEngine.Outcome.STOPPED, a.engine().fit());
        a.job().close();
        Setup b = setup(tmp, 2);
        b.checkpoints().restore();
        assertEquals(1, b.engine().state().epoch());
        assertEquals(1, b.engine().state().nextBatch());
        assertEquals(13, b.job().total, "0+1+2+10");
        assertEquals(TrainingEngine.Outcome.FINISHED, b.engine().fit());
        assertEquals(List.of("4:11", "5:12"), b.job().calls);
        assertEquals(List.of(1.0, 11.0), b.history().epochLoss(),
                "the resumed epoch's mean counts the steps before the stop");
        assertEquals(36, b.job().total);
        assertEquals(List.of("{\"job\":\"count\"}"), List.of(Checkpoint.config(tmp)));
        b.job().close();
    }

    @Test
    void aCheckpointOfAnotherShapeIsRefusedByName() throws IOException {
        Setup a = setup(tmp, 1);
        a.engine().fit();
        a.job().close();
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(tmp,
                List.of(new MetricsHistory())));
        assertTrue(e.getMessage().contains("3 parts") || e.getMessage().contains("part"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TrainingEngine.builder(new CountingJob()).build(), "epochs required");
    }
}
