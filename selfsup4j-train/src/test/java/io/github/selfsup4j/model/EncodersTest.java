package io.github.selfsup4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.method.SslOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The small CNN's output matches {@link Encoders#featureDim} for every pooling grid. */
class EncodersTest {

    @ParameterizedTest(name = "pool grid {0}")
    @ValueSource(ints = {1, 2, 4})
    void featureDimensionMatchesTheOutput(int grid) {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = Encoders.encoder(Encoders.Architecture.SMALL_CNN, 16, grid);
            b.initialize(m, DataType.FLOAT32, new Shape(3, 1, 28, 28));
            NDArray x = m.randomNormal(new Shape(3, 1, 28, 28));
            NDArray y = b.forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow();
            int dim = Encoders.featureDim(Encoders.Architecture.SMALL_CNN, 16, grid);
            assertEquals(new Shape(3, dim), y.getShape());
            assertEquals(64 * grid * grid, dim);
        }
    }

    @ParameterizedTest(name = "pool grid {0}")
    @ValueSource(ints = {0, 3, 8})
    void aGridThatDoesNotDivideTheMapIsRejected(int grid) {
        SslOptions c = new SslOptions();
        c.poolGrid = grid;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate);
        assertTrue(e.getMessage().contains("--pool-grid") && e.getMessage().contains("" + grid),
                e.getMessage());
    }
}
