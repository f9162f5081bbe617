package io.github.selfsup4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path tmp;

    static byte[] idx(int type, int[] dims, int payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    DataFormatError error(String name, byte[] bytes, int dims) throws IOException {
        Path p = write(name, bytes);
        DataFormatError e = assertThrows(DataFormatError.class, () -> IdxReader.read(p, dims));
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        return e;
    }

    @Test
    void readsPlainAndGzipFiles() throws IOException {
        byte[] raw = idx(8, new int[] {2, 3, 4}, 24);
        IdxReader.Idx a = IdxReader.read(write("a-idx3-ubyte", raw), 3);
        IdxReader.Idx b = IdxReader.read(write("b-idx3-ubyte.gz", gzip(raw)), 3);
        assertArrayEquals(new int[] {2, 3, 4}, a.dims());
        assertArrayEquals(a.data(), b.data());
        assertEquals(23, a.data()[23]);
    }

    @Test
    void corruptFilesGiveAClearMessage() throws IOException {
        assertTrue(error("magic", new byte[] {1, 2, 8, 3, 0, 0, 0, 1}, 3).getMessage()
                .contains("wrong magic number 0x01020803"));
        assertTrue(error("type", idx(9, new int[] {1}, 1), 1).getMessage()
                .contains("element type 0x09"));
        assertTrue(error("dims", idx(8, new int[] {1}, 1), 3).getMessage()
                .contains("has 1 dimensions, expected 3"));
        byte[] full = idx(8, new int[] {10, 28, 28}, 10 * 784);
        assertTrue(error("truncated", Arrays.copyOf(full, full.length - 100), 3).getMessage()
                .contains("truncated: the header announces 10×28×28 = 7840 bytes of data, the"
                        + " file holds 7740"));
        assertTrue(error("header", Arrays.copyOf(full, 9), 3).getMessage()
                .contains("truncated header"));
        assertTrue(error("trailing", Arrays.copyOf(full, full.length + 5), 3).getMessage()
                .contains("5 unexpected bytes"));
        assertTrue(error("short", new byte[] {0, 0}, 1).getMessage().contains("too short"));
        byte[] gz = gzip(full);
        assertTrue(error("cut.gz", Arrays.copyOf(gz, gz.length / 2), 3).getMessage()
                .contains("truncated gzip"));
        byte[] bad = gz.clone();
        bad[bad.length / 2] ^= 0x55;
        bad[bad.length / 2 + 1] ^= 0x55;
        String m = error("bad.gz", bad, 3).getMessage();
        assertTrue(m.contains("gzip") || m.contains("truncated"), m);
        Path missing = tmp.resolve("missing");
        DataFormatError e = assertThrows(DataFormatError.class, () -> IdxReader.read(missing, 1));
        assertTrue(e.getMessage().contains("no such file"));
    }

    @Test
    void datasetDirectoryChecksPairing() throws IOException {
        Files.write(tmp.resolve("train-images-idx3-ubyte"), idx(8, new int[] {3, 2, 2}, 12));
        Files.write(tmp.resolve("train-labels-idx1-ubyte"), idx(8, new int[] {2}, 2));
        Files.write(tmp.resolve("t10k-images-idx3-ubyte"), idx(8, new int[] {1, 2, 2}, 4));
        Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), idx(8, new int[] {1}, 1));
        DataFormatError e = assertThrows(DataFormatError.class, () -> IdxDataset.load(tmp, null));
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"),
                e.getMessage());
        Files.delete(tmp.resolve("t10k-labels-idx1-ubyte"));
        Files.write(tmp.resolve("train-labels-idx1-ubyte"), idx(8, new int[] {3}, 3));
        e = assertThrows(DataFormatError.class, () -> IdxDataset.load(tmp, null));
        assertTrue(e.getMessage().contains("missing t10k-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void embeddedFashionMnistIsComplete() {
        IdxDataset.Splits s = IdxDataset.load(Path.of("../data/fashion-mnist"),
                IdxDataset.FASHION_CLASSES);
        assertEquals(60000, s.train().size());
        assertEquals(10000, s.test().size());
        assertEquals(28, s.train().height());
        assertEquals("Ankle boot", s.train().classes()[9]);
        int[] counts = new int[10];
        for (int l : s.test().labels()) {
            counts[l]++;
        }
        for (int c : counts) {
            assertEquals(1000, c);
        }
    }
}
