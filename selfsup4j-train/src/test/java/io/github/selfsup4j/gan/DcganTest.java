package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

/** DCGAN shapes, the layers each variant has, and gradients through both networks. */
class DcganTest {

    static int count(Block b, Class<?> type) {
        int n = type.isInstance(b) ? 1 : 0;
        for (Pair<String, Block> c : b.getChildren()) {
            n += count(c.getValue(), type);
        }
        return n;
    }

    private static NDArray forward(Block b, NDArray x, boolean training) {
        return b.forward(new ParameterStore(x.getManager(), false), new NDList(x), training)
                .singletonOrThrow();
    }

    @Test
    void weightsAreDrawnFromTheDcganRecipesNormal() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block g = Dcgan.generator().setLatentDim(100).optWidth(32).build();
            g.initialize(m, DataType.FLOAT32, new Shape(2, 100));
            Block d = Dcgan.discriminator().optWidth(32).build();
            d.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            for (Block b : new Block[] {g, d}) {
                for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : b.getParameters()) {
                    NDArray w = p.getValue().getArray();
                    String name = p.getKey();
                    if (p.getValue().getType() == ai.djl.nn.Parameter.Type.WEIGHT
                            && w.size() >= 1000) {
                        double mean = w.mean().getFloat();
                        double std = Math.sqrt(w.sub(mean).square().mean().getFloat());
                        assertEquals(0.0, mean, 0.003, name + " mean");
                        assertEquals(0.02, std, 0.002, name + " standard deviation");
                    } else if (p.getValue().getType() == ai.djl.nn.Parameter.Type.GAMMA) {
                        assertEquals(1f, w.min().getFloat(), name + ": BatchNorm scales 1");
                    }
                }
            }
        }
    }

    @Test
    void shapesAndRanges() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block g = Dcgan.generator().setLatentDim(32).optWidth(16).build();
            g.initialize(m, DataType.FLOAT32, new Shape(5, 32));
            assertEquals(new Shape(5, 1, 28, 28), g.getOutputShapes(new Shape[] {
                new Shape(5, 32)})[0]);
            NDArray img = forward(g, m.randomNormal(new Shape(5, 32)), true);
            assertEquals(new Shape(5, 1, 28, 28), img.getShape());
            assertTrue(img.abs().max().getFloat() <= 1f, "tanh output");
            assertEquals(2, count(g, BatchNorm.class));
            for (boolean bn : new boolean[] {true, false}) {
                for (boolean sn : new boolean[] {true, false}) {
                    Block d = Dcgan.discriminator().optWidth(16).optBatchNorm(bn)
                            .optSpectralNorm(sn).build();
                    d.initialize(m, DataType.FLOAT32, new Shape(5, 1, 28, 28));
                    NDArray s = forward(d, img, true);
                    assertEquals(new Shape(5, 1), s.getShape());
                    assertEquals(bn ? 1 : 0, count(d, BatchNorm.class), "BatchNorm " + bn);
                    assertEquals(sn ? 3 : 0, count(d, SpectralNorm.class), "spectral " + sn);
                }
            }
        }
    }

    @Test
    void wganCriticHasNoBatchNormAndScoresSamplesIndependently() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block critic = Dcgan.discriminator().optWidth(16).optBatchNorm(false).build();
            critic.initialize(m, DataType.FLOAT32, new Shape(4, 1, 28, 28));
            assertEquals(0, count(critic, BatchNorm.class));
            NDArray x = m.randomNormal(new Shape(4, 1, 28, 28));
            // without BatchNorm a sample's score does not depend on the rest of the batch
            float[] all = forward(critic, x, true).toFloatArray();
            float[] first = forward(critic, x.get("0:1"), true).toFloatArray();
            assertEquals(all[0], first[0], 1e-5f);
            // parameters: conv 1→16 (16·16 + 16), conv 16→32 (32·16·16 + 32), linear 32·49 + 1
            long params = 0;
            for (Pair<String, Parameter> p : critic.getParameters()) {
                params += p.getValue().getArray().size();
            }
            assertEquals(16 * 16 + 16 + 32 * 16 * 16 + 32 + 32 * 49 + 1, params);
        }
    }

    @Test
    void gradientsReachEveryParameterOfBothNetworks() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block g = Dcgan.generator().setLatentDim(16).optWidth(16).build();
            g.initialize(m, DataType.FLOAT32, new Shape(6, 16));
            Block d = Dcgan.discriminator().optWidth(16).optSpectralNorm(true).build();
            d.initialize(m, DataType.FLOAT32, new Shape(6, 1, 28, 28));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray fake = forward(g, m.randomNormal(new Shape(6, 16)), true);
                gc.backward(forward(d, fake, true).sum());
            }
            for (Block b : new Block[] {g, d}) {
                for (Pair<String, Parameter> p : b.getParameters()) {
                    if (!p.getValue().requiresGradient()) {
                        continue;
                    }
                    NDArray grad = p.getValue().getArray().getGradient();
                    assertTrue(grad.isNaN().logicalOr(grad.isInfinite()).none().getBoolean(),
                            p.getKey());
                    assertTrue(grad.abs().sum().getFloat() > 0, "gradient reaches " + p.getKey());
                }
            }
        }
    }

    @Test
    void parametersSurviveASaveAndLoad() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Block[] nets = new Block[4];
            for (int copy = 0; copy < 2; copy++) {
                ai.djl.engine.Engine.getInstance().setRandomSeed(copy);
                nets[2 * copy] = Dcgan.generator().setLatentDim(16).optWidth(16).build();
                nets[2 * copy].initialize(m, DataType.FLOAT32, new Shape(1, 16));
                nets[2 * copy + 1] = Dcgan.discriminator().optWidth(16).optSpectralNorm(true)
                        .optSeed(copy).build();
                nets[2 * copy + 1].initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            }
            NDArray z = m.randomNormal(new Shape(4, 16));
            // a training forward moves BatchNorm's running statistics and the spectral norms'
            // vectors, which must travel with the weights
            NDArray img = forward(nets[0], z, true);
            forward(nets[1], img, true);
            for (int k = 0; k < 2; k++) {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                nets[k].saveParameters(new java.io.DataOutputStream(bytes));
                nets[k + 2].loadParameters(m, new java.io.DataInputStream(
                        new java.io.ByteArrayInputStream(bytes.toByteArray())));
            }
            NDArray x = forward(nets[0], z, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(x.toFloatArray(),
                    forward(nets[2], z, false).toFloatArray(), 0f, "generator");
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    forward(nets[1], x, false).toFloatArray(),
                    forward(nets[3], x, false).toFloatArray(), 0f, "discriminator");
        }
    }

    @Test
    void badOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dcgan.generator().build());
        assertTrue(e.getMessage().contains("latent_dim") && e.getMessage().contains("0"));
        e = assertThrows(IllegalArgumentException.class,
                () -> Dcgan.discriminator().optWidth(-3).build());
        assertTrue(e.getMessage().contains("width") && e.getMessage().contains("-3"));
    }
}
