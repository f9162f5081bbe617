package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The flop counts of {@code bench}, against counts made by hand from the tile layout. */
class MatmulFlopsTest {

    @Test
    void ntXentTiledCountsTheTilesOnAndAboveTheDiagonal() {
        // 2N = 10 rows, tiles of 4: blocks of 4, 4, 2. Diagonal tiles (3 products each):
        // 4·4 + 4·4 + 2·2 = 36 → 108; above (4 each): 4·4 + 4·2 + 4·2 = 32 → 128. 236 tile
        // elements × 2·D with D = 3.
        assertEquals(1416, MatmulFlops.ntXentTiled(10, 4, 3));
        assertEquals(1800, MatmulFlops.denseEquivalent(10, 10, 3));
        // tile 1: 10 diagonal 1×1 tiles (3 each), 45 above (4 each): 210 × 2D
        assertEquals(210 * 6, MatmulFlops.ntXentTiled(10, 1, 3));
        // one tile (tile ≥ 2N, up to Integer.MAX_VALUE): the dense count
        for (long t : new long[] {10, 11, Integer.MAX_VALUE}) {
            assertEquals(1800, MatmulFlops.ntXentTiled(10, t, 3));
        }
        // T equal tiles a side: (2T² + T)/(3T²) of the dense count; 2N = 8192, tile 512: 33/48
        assertEquals(33.0 / 48, MatmulFlops.ntXentTiled(8192, 512, 128)
                / MatmulFlops.denseEquivalent(8192, 8192, 128), 1e-15);
        assertEquals(236 * 2 * 8, MatmulFlops.executed(true, true, 5, 0, 4, 8)); // D = 8
        assertEquals(MatmulFlops.denseEquivalent(10, 10, 8),
                MatmulFlops.executed(true, false, 5, 0, 4, 8));
    }

    @Test
    void infoNceTiledCountsEveryTileButTheSkippedKeyTiles() {
        // N = 5, K = 3, tile 2, D = 1. Row blocks [0,2) [2,4) [4,5); column blocks [0,2) [2,4)
        // [4,6) [6,8). Skipped key tiles (inside the keys, off the diagonal): ([0,2), [2,4)),
        // ([2,4), [0,2)), ([4,5), [0,2)), ([4,5), [2,4)). Kept elements: 4+4+4 + 4+4+4 + 2+2 = 28,
        // four products each: 28·4·2 = 224.
        assertEquals(224, MatmulFlops.infoNceTiled(5, 3, 2, 1));
        // no queue: nothing skipped, 25 elements · 4 · 2
        assertEquals(200, MatmulFlops.infoNceTiled(5, 0, 2, 1));
        // dense with a queue forms only the N×K block: 3 · 2 · 5 · 3
        assertEquals(90, MatmulFlops.executed(false, false, 5, 3, 2, 1));
        assertEquals(240, MatmulFlops.denseEquivalent(5, 8, 1));
        assertEquals(150, MatmulFlops.executed(false, false, 5, 0, 2, 1));
    }

    @Test
    void benchReportsTheExecutedFractionOfPeakAndTheDenseEquivalentOne() throws Exception {
        BenchCommand b = new BenchCommand();
        b.pairs = 128;
        b.dim = 8;
        b.tile = 100;
        b.steps = 1;
        b.warmup = 0;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, b.call());
        } finally {
            System.setOut(old);
        }
        JsonNode o = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
        // 2N = 256 rows, tiles 100, 100, 56: diagonal 3·(100² + 100² + 56²) = 69,408, above
        // 4·(100·100 + 100·56 + 100·56) = 84,800; × 2·D = 16
        double executed = 154_208.0 * 16;
        double dense = 3.0 * 2 * 256 * 256 * 8;
        double seconds = o.get("ms_per_step_median").asDouble() / 1e3;
        double peak = o.get("gemm_peak_gflops").asDouble();
        assertEquals(executed / seconds / 1e9 / peak, o.get("fraction_of_peak").asDouble(),
                1e-12 * executed / seconds / 1e9 / peak);
        assertEquals(dense / seconds / 1e9 / peak,
                o.get("dense_equivalent_fraction_of_peak").asDouble(),
                1e-12 * dense / seconds / 1e9 / peak);
        assertEquals(executed, o.get("executed_matmul_flops_per_step").asDouble());
        assertEquals(dense, o.get("dense_equivalent_matmul_flops_per_step").asDouble());
        assertEquals("tiled", o.get("impl_run").asText());
    }
}
