package io.github.selfsup4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The .npy bytes read back by hand: magic, version, header length and alignment, the header dict,
 * little-endian data. Also leaves the sample files in {@code target/npy-sample} for {@code
 * scripts/check_npy.py}, which loads them with numpy where it is installed.
 */
class NpyTest {

    /** features[i][j] = 10·i + j − 1.5, 3×4. */
    static float[][] sampleFeatures() {
        float[][] f = new float[3][4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                f[i][j] = 10 * i + j - 1.5f;
            }
        }
        return f;
    }

    static final long[] LONGS = {5, -3, 1L << 40};
    static final int[] INTS = {1, -2, 3};

    static String header(byte[] b) {
        int len = ByteBuffer.wrap(b, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        return new String(b, 10, len, StandardCharsets.US_ASCII);
    }

    static void assertPrelude(byte[] b) {
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b[6], "major version");
        assertEquals(0, b[7], "minor version");
        String h = header(b);
        assertEquals(0, (10 + h.length()) % 64, "data starts at a multiple of 64");
        assertTrue(h.endsWith("\n"));
    }

    @Test
    void float32MatrixBytes() throws Exception {
        Path dir = Paths.get("target", "npy-sample");
        Path f = dir.resolve("features.npy");
        Npy.writeFloat32(f, sampleFeatures());
        byte[] b = Files.readAllBytes(f);
        assertPrelude(b);
        String h = header(b);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", h.trim());
        int start = 10 + h.length();
        assertEquals(start + 3 * 4 * 4, b.length);
        ByteBuffer data = ByteBuffer.wrap(b, start, 48).order(ByteOrder.LITTLE_ENDIAN);
        float[] got = new float[12];
        for (int i = 0; i < 12; i++) {
            got[i] = data.getFloat();
        }
        assertArrayEquals(new float[] {-1.5f, -0.5f, 0.5f, 1.5f, 8.5f, 9.5f, 10.5f, 11.5f, 18.5f,
            19.5f, 20.5f, 21.5f}, got);
        // -1.5f is 0xBFC00000: little-endian bytes 00 00 C0 BF
        assertArrayEquals(new byte[] {0, 0, (byte) 0xC0, (byte) 0xBF},
                Arrays.copyOfRange(b, start, start + 4));
    }

    @Test
    void int64AndInt32LabelBytes() throws Exception {
        Path dir = Paths.get("target", "npy-sample");
        Path l64 = dir.resolve("labels_i8.npy");
        Path l32 = dir.resolve("labels_i4.npy");
        Npy.writeInt64(l64, LONGS);
        Npy.writeInt32(l32, INTS);
        byte[] b = Files.readAllBytes(l64);
        assertPrelude(b);
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                header(b).trim());
        int start = 10 + header(b).length();
        ByteBuffer data = ByteBuffer.wrap(b, start, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(5, data.getLong());
        assertEquals(-3, data.getLong());
        assertEquals(1L << 40, data.getLong());
        assertEquals(start + 24, b.length);
        byte[] c = Files.readAllBytes(l32);
        assertPrelude(c);
        assertEquals("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                header(c).trim());
        int s32 = 10 + header(c).length();
        assertArrayEquals(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                Arrays.copyOfRange(c, s32 + 4, s32 + 8), "-2 little-endian");
    }

    @Test
    void emptyAndRaggedInputs() throws Exception {
        Path dir = Files.createTempDirectory("npy");
        Npy.writeFloat32(dir.resolve("empty.npy"), new float[0][]);
        assertTrue(header(Files.readAllBytes(dir.resolve("empty.npy"))).contains("(0, 0)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.writeFloat32(dir.resolve("ragged.npy"), new float[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }
}
