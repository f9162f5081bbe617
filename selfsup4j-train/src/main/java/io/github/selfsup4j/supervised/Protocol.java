package io.github.selfsup4j.supervised;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.ImageDataset;
import java.util.Arrays;

/**
 * Which images a metric-learning run trains on and which it retrieves among.
 *
 * <ul>
 *   <li>{@code closed}: train on the training split; the test images query the training images
 *       (every query class was seen in training).
 *   <li>{@code open} (unseen classes, the CUB/Cars/SOP setting): train on the training images of
 *       the first half of the classes (labels below C/2); the test images of the other half are
 *       queries and references at once, a query never retrieving itself.
 * </ul>
 *
 * With {@code --validation N} the evaluation never touches the test split: closed holds out N
 * seeded training images as queries; open takes N seeded training images of the unseen classes.
 */
public enum Protocol {
    CLOSED,
    OPEN;

    /** The option value. */
    @JsonValue
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses an option value. */
    @JsonCreator
    public static Protocol parse(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * A run's images.
     *
     * @param train what the job trains on (with labels)
     * @param queries the evaluation's queries
     * @param references the evaluation's references (the queries themselves when {@code
     *     referencesIncludeQueries})
     * @param referencesIncludeQueries whether a query is among the references (left out of its
     *     own ranking)
     * @param scoredOn "test" or "validation"
     */
    public record Split(ImageDataset train, ImageDataset queries, ImageDataset references,
            boolean referencesIncludeQueries, String scoredOn) {}

    /**
     * Splits a data set for this protocol.
     *
     * @param data the train and test splits
     * @param validation N &gt; 0 evaluates on held-out training images (0: the test split)
     * @param seed the seed of the held-out choice
     * @return the run's images
     * @throws IllegalArgumentException naming {@code --validation} when N does not fit
     */
    public Split split(IdxDataset.Splits data, int validation, long seed) {
        ImageDataset train = data.train();
        if (this == CLOSED) {
            if (validation > 0) {
                ImageDataset[] parts = train.holdOut(validation, seed);
                return new Split(parts[0], parts[1], parts[0], false, "validation");
            }
            return new Split(train, data.test(), train, false, "test");
        }
        int seen = train.numClasses() / 2;
        ImageDataset seenTrain = train.select(indices(train, 0, seen));
        ImageDataset unseen;
        if (validation > 0) {
            ImageDataset pool = train.select(indices(train, seen, Integer.MAX_VALUE));
            if (validation >= pool.size()) {
                throw new IllegalArgumentException("--validation " + validation + ": must be"
                        + " below the " + pool.size() + " training images of the unseen classes");
            }
            unseen = pool.holdOut(validation, seed)[1];
        } else {
            unseen = data.test().select(indices(data.test(), seen, Integer.MAX_VALUE));
        }
        return new Split(seenTrain, unseen, unseen, true,
                validation > 0 ? "validation" : "test");
    }

    /** The indices of the images whose label is in [from, to). */
    private static int[] indices(ImageDataset d, int from, int to) {
        return Arrays.stream(java.util.stream.IntStream.range(0, d.size()).toArray())
                .filter(i -> d.labels()[i] >= from && d.labels()[i] < to).toArray();
    }
}
