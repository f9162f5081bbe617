package io.github.selfsup4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.data.IdxWriter.PixelRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link IdxWriter} writes, {@link IdxReader} reads back exactly. */
class IdxWriterTest {

    @TempDir
    Path tmp;

    /** Random bytes and the floats that stand for them in {@code range}. */
    private static float[] pixelsOf(byte[] levels, PixelRange range) {
        float[] p = new float[levels.length];
        for (int i = 0; i < p.length; i++) {
            int b = levels[i] & 0xff;
            p[i] = range == PixelRange.ZERO_ONE ? b / 255f : b / 127.5f - 1f;
        }
        return p;
    }

    @Test
    void imagesReadBackExactlyPlainAndGzip() throws IOException {
        Random r = new Random(1);
        byte[] levels = new byte[5 * 28 * 28];
        r.nextBytes(levels);
        levels[0] = 0;
        levels[1] = (byte) 255;
        for (PixelRange range : PixelRange.values()) {
            for (String name : new String[] {"x-idx3-ubyte", "x-idx3-ubyte.gz"}) {
                Path f = tmp.resolve(range + "-" + name);
                IdxWriter.writeImages(f, pixelsOf(levels, range), range);
                IdxReader.Idx idx = IdxReader.read(f, 3);
                assertArrayEquals(new int[] {5, 28, 28}, idx.dims());
                assertArrayEquals(levels, idx.data(), range + " " + name);
                byte[] head = Files.readAllBytes(f);
                boolean gz = (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
                assertEquals(name.endsWith(".gz"), gz, name + " compressed");
                assertTrue(Files.notExists(tmp.resolve(f.getFileName() + ".tmp")));
            }
        }
    }

    @Test
    void otherImageSizesAndLabels() throws IOException {
        Path f = tmp.resolve("small-idx3-ubyte");
        IdxWriter.writeImages(f, new float[] {0, 0.5f, 1, 0.25f, 0.75f, 0.1f}, 1, 3,
                PixelRange.ZERO_ONE);
        IdxReader.Idx idx = IdxReader.read(f, 3);
        assertArrayEquals(new int[] {2, 1, 3}, idx.dims());
        // round(255·v): 0, 127.5 → 128, 255, 63.75 → 64, 191.25 → 191, 25.5 → 26
        assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255, 64, (byte) 191, 26}, idx.data());
        Path l = tmp.resolve("labels-idx1-ubyte.gz");
        IdxWriter.writeLabels(l, new int[] {3, 0, 9, 255});
        assertArrayEquals(new byte[] {3, 0, 9, (byte) 255}, IdxReader.read(l, 1).data());
    }

    @Test
    void levelsRoundAndClamp() {
        assertEquals(0, IdxWriter.level(-1f, PixelRange.MINUS_ONE_ONE));
        assertEquals(128, IdxWriter.level(0f, PixelRange.MINUS_ONE_ONE));
        assertEquals(255, IdxWriter.level(1f, PixelRange.MINUS_ONE_ONE));
        assertEquals(255, IdxWriter.level(1.3f, PixelRange.MINUS_ONE_ONE));
        assertEquals(0, IdxWriter.level(-7f, PixelRange.MINUS_ONE_ONE));
        assertEquals(0, IdxWriter.level(-1f, PixelRange.ZERO_ONE));
        assertEquals(128, IdxWriter.level(0.5f, PixelRange.ZERO_ONE));
        assertEquals(255, IdxWriter.level(Float.POSITIVE_INFINITY, PixelRange.ZERO_ONE));
    }

    @Test
    void badInputIsRejected() {
        Path f = tmp.resolve("bad-idx3-ubyte");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdxWriter.writeImages(f, new float[784 + 1], PixelRange.ZERO_ONE));
        assertTrue(e.getMessage().contains("785"), e.getMessage());
        float[] nan = new float[784];
        nan[17] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class,
                () -> IdxWriter.writeImages(f, nan, PixelRange.ZERO_ONE));
        assertTrue(e.getMessage().contains("pixels[17] is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> IdxWriter.writeLabels(f, new int[] {1, 256}));
        assertTrue(e.getMessage().contains("labels[1] is 256"), e.getMessage());
        assertTrue(Files.notExists(f));
    }
}
