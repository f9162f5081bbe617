package io.github.selfsup4j.gan;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.ShuffleSampler;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.optim.Adam;
import io.github.selfsup4j.optim.Schedule;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The classifier whose features score generated images (a "Fréchet LeNet distance" for
 * 28×28 data sets that have no Inception-style standard): the project's small CNN (width 32,
 * global average pooling: 128 features) and a linear layer to the classes, trained with
 * cross-entropy on the training split (images in [−1, 1], no augmentation, Adam 2e-3 with cosine
 * decay, batch 128, seeded). Trained once per (data, limit, seed, epochs) and cached as a file;
 * its test accuracy is stored with it.
 */
public final class FeatureClassifier implements AutoCloseable {

    private static final String VERSION = "classifier-v1";
    private static final int WIDTH = 32;
    private static final int BATCH = 128;
    private static final int EVAL_BATCH = 500;

    private final NDManager manager;
    private final SequentialBlock encoder;
    private final Linear head;
    private final SequentialBlock net;
    private final int classes;
    private double testAccuracy;
    private boolean fromCache;

    private FeatureClassifier(int classes) {
        this.classes = classes;
        this.manager = NDManager.newBaseManager();
        this.encoder = Encoders.smallCnn(WIDTH, 1);
        this.head = Linear.builder().setUnits(classes).build();
        this.net = new SequentialBlock().add(encoder).add(head);
    }

    /** The cache file name for these settings. */
    static String cacheName(String dataKey, int limit, long seed, int epochs) {
        String key = VERSION + "|" + dataKey + "|" + limit + "|" + seed + "|" + epochs;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder("classifier-");
            for (int i = 0; i < 8; i++) {
                s.append(String.format("%02x", h[i]));
            }
            return s.append(".bin").toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cached classifier for these settings, or a newly trained (and cached) one.
     *
     * @param cacheDir where classifiers are cached
     * @param dataKey what identifies the data (its absolute directory, or "embedded")
     * @param limit the --limit of the data (0: all)
     * @param train the training split
     * @param test the test split (for the accuracy)
     * @param seed the seed of its initialisation and batch order
     * @param epochs its training epochs
     * @param out where progress lines go
     */
    public static FeatureClassifier loadOrTrain(Path cacheDir, String dataKey, int limit,
            ImageDataset train, ImageDataset test, long seed, int epochs, PrintStream out)
            throws IOException {
        FeatureClassifier c = new FeatureClassifier(train.numClasses());
        Engine.getInstance().setRandomSeed((int) seed);
        c.net.initialize(c.manager, DataType.FLOAT32, new Shape(2, 1, train.height(),
                train.width()));
        Path file = cacheDir.resolve(cacheName(dataKey, limit, seed, epochs));
        if (Files.isRegularFile(file)) {
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
                    Files.newInputStream(file)))) {
                c.testAccuracy = in.readDouble();
                c.net.loadParameters(c.manager, in);
                c.fromCache = true;
                return c;
            } catch (IOException | MalformedModelException e) {
                out.println("the cached classifier " + file + " is unreadable (" + e.getMessage()
                        + "); training it again");
            }
        }
        long t0 = System.nanoTime();
        c.train(train, seed, epochs);
        c.testAccuracy = c.accuracy(test);
        out.printf("scoring classifier trained in %.0f s (%d epochs, cached as %s)%n",
                (System.nanoTime() - t0) / 1e9, epochs, file);
        Files.createDirectories(cacheDir);
        Path tmp = cacheDir.resolve(file.getFileName() + ".tmp");
        try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(
                Files.newOutputStream(tmp)))) {
            o.writeDouble(c.testAccuracy);
            c.net.saveParameters(o);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return c;
    }

    /** Test accuracy of the classifier. */
    public double testAccuracy() {
        return testAccuracy;
    }

    /** Whether it came from the cache. */
    public boolean fromCache() {
        return fromCache;
    }

    /** Pixels of images {@code from..from+n} of {@code data}, scaled to [−1, 1]. */
    public static float[] pixels(ImageDataset data, int from, int n) {
        int hw = data.imageSize();
        float[] px = new float[n * hw];
        byte[] all = data.pixels();
        for (int i = 0; i < n * hw; i++) {
            px[i] = (all[from * hw + i] & 0xFF) / 127.5f - 1f;
        }
        return px;
    }

    private void train(ImageDataset data, long seed, int epochs) {
        ShuffleSampler sampler = new ShuffleSampler(data.size(), Math.min(BATCH, data.size()), 0,
                1, seed);
        long total = (long) epochs * sampler.batchesPerEpoch();
        ParameterStore ps = new ParameterStore(manager, false);
        Adam adam = new Adam(manager, new Schedule(2e-3, 0, total, 0.0), 0);
        try {
            int hw = data.imageSize();
            byte[] all = data.pixels();
            for (int e = 0; e < epochs; e++) {
                for (int b = 0; b < sampler.batchesPerEpoch(); b++) {
                    int[] idx = sampler.batch(e, b);
                    int n = idx.length;
                    float[] px = new float[n * hw];
                    float[] target = new float[n * classes];
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < hw; j++) {
                            px[i * hw + j] = (all[idx[i] * hw + j] & 0xFF) / 127.5f - 1f;
                        }
                        target[i * classes + data.labels()[idx[i]]] = 1f / n; // the mean's 1/n
                    }
                    try (NDManager s = manager.newSubManager()) {
                        NDArray x = s.create(px, new Shape(n, 1, data.height(), data.width()));
                        NDArray t = s.create(target, new Shape(n, classes));
                        try (GradientCollector gc = Engine.getInstance()
                                .newGradientCollector()) {
                            NDArray logits = net.forward(ps, new NDList(x), true)
                                    .singletonOrThrow();
                            gc.backward(logits.logSoftmax(1).mul(t).sum().neg());
                        }
                        for (Pair<String, Parameter> p : net.getParameters()) {
                            if (p.getValue().requiresGradient()) {
                                NDArray w = p.getValue().getArray();
                                NDArray g = w.getGradient();
                                g.attach(s);
                                adam.update(p.getKey(), w, g);
                                g.set(new ai.djl.ndarray.index.NDIndex(":"), 0);
                            }
                        }
                        adam.endStep();
                    }
                }
            }
        } finally {
            adam.close();
        }
    }

    private double accuracy(ImageDataset test) {
        int[] predicted = predict(pixels(test, 0, test.size()), test.size());
        int right = 0;
        for (int i = 0; i < predicted.length; i++) {
            right += predicted[i] == test.labels()[i] ? 1 : 0;
        }
        return (double) right / predicted.length;
    }

    /** Features (n×128) of n images given as pixels in [−1, 1]. */
    public float[][] features(float[] pixels, int n) {
        float[][] out = new float[n][];
        run(pixels, n, out, null);
        return out;
    }

    /** Predicted classes of n images given as pixels in [−1, 1]. */
    public int[] predict(float[] pixels, int n) {
        int[] out = new int[n];
        run(pixels, n, null, out);
        return out;
    }

    private void run(float[] pixels, int n, float[][] features, int[] classesOut) {
        int hw = pixels.length / n;
        int side = (int) Math.round(Math.sqrt(hw));
        ParameterStore ps = new ParameterStore(manager, false);
        for (int start = 0; start < n; start += EVAL_BATCH) {
            int len = Math.min(EVAL_BATCH, n - start);
            float[] px = java.util.Arrays.copyOfRange(pixels, start * hw, (start + len) * hw);
            try (NDManager s = manager.newSubManager()) {
                NDArray x = s.create(px, new Shape(len, 1, side, side));
                NDArray f = encoder.forward(ps, new NDList(x), false).singletonOrThrow();
                if (features != null) {
                    int dim = (int) f.getShape().get(1);
                    float[] flat = f.toFloatArray();
                    for (int i = 0; i < len; i++) {
                        features[start + i] = java.util.Arrays.copyOfRange(flat, i * dim,
                                (i + 1) * dim);
                    }
                }
                if (classesOut != null) {
                    long[] am = head.forward(ps, new NDList(f), false).singletonOrThrow()
                            .argMax(1).toLongArray();
                    for (int i = 0; i < len; i++) {
                        classesOut[start + i] = (int) am[i];
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
