package io.github.selfsup4j.supervised;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.selfsup4j.method.Check;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The options every metric-learning method shares (declared once, here): the protocol, the P×K
 * batch and the embedding size. A picocli mixin of {@code train} for these methods, and JSON in
 * the run's configuration.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class MetricOptions {

    @Option(names = "--protocol", converter = ProtocolConverter.class, description = "closed"
            + " (default: train on the training split, test images query the training images) or"
            + " open (train on the first half of the classes, retrieve among the test images of"
            + " the other half).")
    public Protocol protocol = Protocol.CLOSED;

    @Option(names = "--classes-per-batch", description = "P: classes in each batch (default"
            + " ${DEFAULT-VALUE}).")
    public int classesPerBatch = 5;

    @Option(names = "--samples-per-class", description = "K: images of each class in each batch"
            + " (default ${DEFAULT-VALUE}).")
    public int samplesPerClass = 32;

    @Option(names = "--embedding-dim", description = "Size of the L2-normalised embedding"
            + " (default ${DEFAULT-VALUE}).")
    public int embeddingDim = 128;

    /** Images per batch: P·K. */
    public int batchSize() {
        return classesPerBatch * samplesPerClass;
    }

    /** Checks every option; the message names the option and its value. */
    public void validate() {
        Check.atLeast("--classes-per-batch", classesPerBatch, 2);
        Check.atLeast("--samples-per-class", samplesPerClass, 2);
        Check.atLeast("--embedding-dim", embeddingDim, 1);
    }

    /** Converts {@code --protocol} values. */
    static final class ProtocolConverter implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            for (Protocol p : Protocol.values()) {
                if (p.cliName().equals(value)) {
                    return p;
                }
            }
            throw new picocli.CommandLine.TypeConversionException(
                    "must be closed or open, got \"" + value + "\"");
        }
    }
}
