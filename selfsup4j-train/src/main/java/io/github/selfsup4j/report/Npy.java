package io.github.selfsup4j.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes NumPy {@code .npy} files, format version 1.0 (NEP 1): the magic {@code \x93NUMPY}, the
 * version bytes 1 and 0, a little-endian uint16 header length, and an ASCII header dict
 * ({@code descr}, {@code fortran_order}, {@code shape}) padded with spaces and ended by a newline
 * so that the data starts at a multiple of 64 bytes, then the data, little-endian, row-major.
 * Features as float32 N×D ({@code <f4}), labels as int64 ({@code <i8}) or int32 ({@code <i4}).
 * Each file is written to a temporary sibling and moved into place, so a reader never sees half a
 * file. {@code np.load} reads them (checked by {@code scripts/check_npy.py}).
 */
public final class Npy {

    private static final int ALIGN = 64;

    private Npy() {}

    /**
     * Writes N×D float32 features.
     *
     * @param file the .npy file
     * @param rows N rows of D values (N ≥ 0; every row D long)
     */
    public static void writeFloat32(Path file, float[][] rows) throws IOException {
        int d = rows.length == 0 ? 0 : rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("rows must all have " + d
                        + " columns, row " + i + " has " + rows[i].length);
            }
        }
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(
                rows.length, d), 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float v : row) {
                data.putFloat(v);
            }
        }
        write(file, header("<f4", "(" + rows.length + ", " + d + ")"), data.array());
    }

    /** Writes N labels as int64 ({@code <i8}). */
    public static void writeInt64(Path file, long[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(values.length, 8))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            data.putLong(v);
        }
        write(file, header("<i8", "(" + values.length + ",)"), data.array());
    }

    /** Writes N labels as int32 ({@code <i4}). */
    public static void writeInt32(Path file, int[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(values.length, 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            data.putInt(v);
        }
        write(file, header("<i4", "(" + values.length + ",)"), data.array());
    }

    /** Magic, version 1.0, header length and the padded header dict. */
    static byte[] header(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape
                + ", }";
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
        String text = dict + " ".repeat(padding) + "\n";
        if (text.length() > 65535) {
            throw new IllegalArgumentException("npy header too long for format 1.0: "
                    + text.length());
        }
        ByteBuffer b = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) 1).put((byte) 0);
        b.putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static void write(Path file, byte[] header, byte[] data) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(header);
                out.write(data);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
