package io.github.selfsup4j.loss.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.numerics.Ops;
import org.junit.jupiter.api.Test;

class NegativeQueueTest {

    static NDArray rows(NDManager m, float... firstCoordinates) {
        // unit vectors (c, sqrt(1 - c²)) so normalisation leaves them unchanged
        float[] v = new float[firstCoordinates.length * 2];
        for (int i = 0; i < firstCoordinates.length; i++) {
            v[2 * i] = firstCoordinates[i];
            v[2 * i + 1] = (float) Math.sqrt(1 - firstCoordinates[i] * firstCoordinates[i]);
        }
        return m.create(v, new Shape(firstCoordinates.length, 2));
    }

    static float[] firstColumn(NDArray a) {
        return a.get(":, 0").toFloatArray();
    }

    @Test
    void startsWithSeededUnitVectorsAndKeepsItsSize() {
        try (NDManager m = NDManager.newBaseManager();
                NegativeQueue q = new NegativeQueue(m, 5, 3, 7);
                NegativeQueue same = new NegativeQueue(m, 5, 3, 7);
                NegativeQueue other = new NegativeQueue(m, 5, 3, 8)) {
            NDArray n = q.negatives(m);
            assertEquals(new Shape(5, 3), n.getShape());
            float[] norms = n.norm(new int[] {1}).toFloatArray();
            for (float x : norms) {
                assertEquals(1f, x, 1e-6f);
            }
            assertArrayEquals(n.toFloatArray(), same.negatives(m).toFloatArray());
            assertFalse(java.util.Arrays.equals(n.toFloatArray(), other.negatives(m).toFloatArray()));
        }
    }

    @Test
    void wrapsAroundOverwritingTheOldestKeys() {
        try (NDManager m = NDManager.newBaseManager(); NegativeQueue q = new NegativeQueue(m, 4, 2, 0)) {
            q.enqueue(rows(m, 0.1f, 0.2f, 0.3f));
            assertEquals(3, q.pointer());
            q.enqueue(rows(m, 0.4f, 0.5f));
            assertEquals(1, q.pointer());
            assertArrayEquals(new float[] {0.5f, 0.2f, 0.3f, 0.4f}, firstColumn(q.negatives(m)), 1e-6f);
            // a batch larger than the queue keeps its last K rows, in ring order
            q.enqueue(rows(m, 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f));
            assertEquals(new Shape(4, 2), q.negatives(m).getShape());
            float[] kept = firstColumn(q.negatives(m));
            java.util.Arrays.sort(kept);
            assertArrayEquals(new float[] {0.03f, 0.04f, 0.05f, 0.06f}, kept, 1e-6f);
            assertEquals(11, q.enqueued());
        }
    }

    @Test
    void evaluationModeNeverEnqueues() {
        try (NDManager m = NDManager.newBaseManager(); NegativeQueue q = new NegativeQueue(m, 3, 2, 0)) {
            float[] before = q.negatives(m).toFloatArray();
            q.setTraining(false);
            q.enqueue(rows(m, 0.9f));
            assertArrayEquals(before, q.negatives(m).toFloatArray());
            assertEquals(0, q.pointer());
            q.setTraining(true);
            q.enqueue(rows(m, 0.9f));
            assertEquals(0.9f, q.negatives(m).getFloat(0, 0), 1e-6f);
        }
    }

    @Test
    void storesDetachedNormalisedKeysAndSnapshotsAreCopies() {
        try (NDManager m = NDManager.newBaseManager(); NegativeQueue q = new NegativeQueue(m, 2, 2, 0)) {
            NDArray snapshot = q.negatives(m);
            float[] before = snapshot.toFloatArray();
            NDArray k = m.create(new float[] {3, 4}, new Shape(1, 2));
            k.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                q.enqueue(k.mul(m.create(2f)));
            }
            assertArrayEquals(before, snapshot.toFloatArray(), "a snapshot does not change");
            assertArrayEquals(new float[] {0.6f, 0.8f}, q.negatives(m).get("0").toFloatArray(), 1e-6f);
            assertThrows(IllegalArgumentException.class,
                    () -> q.enqueue(m.ones(new Shape(1, 3))), "wrong dimension");
        }
    }

    @Test
    void aBatchIsNeverItsOwnNegative() {
        // With the queue attached, the loss takes the negatives first and enqueues after: the
        // keys of the current batch are not among the negatives it is scored against.
        try (NDManager m = NDManager.newBaseManager(); NegativeQueue queue = new NegativeQueue(m, 8, 2, 3)) {
            InfoNceLoss loss = InfoNceLoss.builder().optTemperature(0.5).optQueue(queue).build();
            NDArray q = rows(m, 0.6f, -0.2f);
            NDArray k = rows(m, 0.7f, -0.3f);
            NDArray negativesBefore = queue.negatives(m);
            float withQueue = loss.evaluate(new NDList(), new NDList(q, k)).getFloat();
            float explicit = InfoNceLoss.builder().optTemperature(0.5).build()
                    .apply(q, k, negativesBefore).getFloat();
            assertEquals(explicit, withQueue, 1e-6f, "scored against the queue as it was before");
            // the optimiser step is done: the batch's keys enter the queue, for the next batch
            queue.commit();
            float[] after = firstColumn(queue.negatives(m));
            assertEquals(0.7f, after[0], 1e-6f);
            assertEquals(-0.3f, after[1], 1e-6f);
            // scoring the same batch now would differ: it would meet its own keys
            float again = InfoNceLoss.builder().optTemperature(0.5).build()
                    .apply(q, k, queue.negatives(m)).getFloat();
            assertTrue(Math.abs(again - withQueue) > 1e-4);
            assertEquals(Ops.MASKED, -1e30);
        }
    }

    @Test
    void aLossEvaluatedTwiceInAStepEnqueuesOnce() {
        // Regression: the loss used to enqueue inside forward, so DJL's Trainer (which evaluates
        // the loss again for its accumulator) and a repeated step enqueued the batch twice.
        try (NDManager m = NDManager.newBaseManager();
                NegativeQueue queue = new NegativeQueue(m, 8, 2, 3)) {
            InfoNceLoss loss = InfoNceLoss.builder().optTemperature(0.5).optQueue(queue).build();
            NDArray q = m.create(new float[] {0.6f, -0.2f, 0.1f, 0.9f}, new Shape(2, 2));
            NDArray k = m.create(new float[] {0.7f, -0.3f, 0.2f, 0.8f}, new Shape(2, 2));
            float[] before = queue.negatives(m).toFloatArray();
            float first = loss.evaluate(new NDList(), new NDList(q, k)).getFloat();
            float second = loss.evaluate(new NDList(), new NDList(q, k)).getFloat();
            assertEquals(first, second, 0f, "the second evaluation sees the same queue");
            assertEquals(0, queue.enqueued(), "nothing enters the queue before the step ends");
            org.junit.jupiter.api.Assertions.assertArrayEquals(before,
                    queue.negatives(m).toFloatArray(), 0f);
            queue.commit();
            assertEquals(2, queue.enqueued(), "one batch of 2 keys, once");
            queue.commit();
            assertEquals(2, queue.enqueued(), "a second commit has nothing to enqueue");
            assertFalse(queue.hasStaged());
        }
    }
}
