package io.github.selfsup4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or plain: a 4-byte magic (two zero bytes,
 * the element type, the number of dimensions), the dimensions as big-endian 32-bit integers,
 * then the data. Only unsigned bytes (type 0x08) are supported, which is what MNIST and
 * Fashion-MNIST use. Every inconsistency is a {@link DataFormatError} naming the file.
 */
public final class IdxReader {

    private IdxReader() {}

    /** The dimensions and unsigned-byte payload of an IDX file. */
    public record Idx(int[] dims, byte[] data) {
        /** The number of items (first dimension). */
        public int count() {
            return dims[0];
        }
    }

    /**
     * Reads an IDX file with the expected number of dimensions.
     *
     * @param file the file (gzip-compressed or plain)
     * @param expectedDims 3 for images, 1 for labels
     * @return the dimensions and data
     * @throws DataFormatError if the file is missing, truncated or malformed
     */
    public static Idx read(Path file, int expectedDims) {
        byte[] bytes = readAll(file);
        if (bytes.length < 4) {
            throw new DataFormatError(file + ": too short for an IDX header (" + bytes.length
                    + " bytes)");
        }
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw new DataFormatError(String.format(
                    "%s: wrong magic number 0x%02x%02x%02x%02x (an IDX file starts with two zero"
                            + " bytes)", file, bytes[0], bytes[1], bytes[2], bytes[3]));
        }
        if ((bytes[2] & 0xff) != 0x08) {
            throw new DataFormatError(String.format(
                    "%s: element type 0x%02x is not supported (expected 0x08, unsigned byte)",
                    file, bytes[2]));
        }
        int nd = bytes[3] & 0xff;
        if (nd != expectedDims) {
            throw new DataFormatError(file + ": has " + nd + " dimensions, expected "
                    + expectedDims + (expectedDims == 3 ? " (an image file)" : " (a label file)"));
        }
        int header = 4 + 4 * nd;
        if (bytes.length < header) {
            throw new DataFormatError(file + ": truncated header (" + bytes.length
                    + " bytes, the header needs " + header + ")");
        }
        int[] dims = new int[nd];
        long size = 1;
        for (int i = 0; i < nd; i++) {
            int p = 4 + 4 * i;
            dims[i] = ((bytes[p] & 0xff) << 24) | ((bytes[p + 1] & 0xff) << 16)
                    | ((bytes[p + 2] & 0xff) << 8) | (bytes[p + 3] & 0xff);
            if (dims[i] <= 0) {
                throw new DataFormatError(file + ": dimension " + i + " is " + dims[i]
                        + " (must be positive)");
            }
            size *= dims[i];
        }
        long payload = bytes.length - (long) header;
        if (payload < size) {
            throw new DataFormatError(file + ": truncated: the header announces "
                    + describe(dims) + " = " + size + " bytes of data, the file holds "
                    + payload);
        }
        if (payload > size) {
            throw new DataFormatError(file + ": " + (payload - size)
                    + " unexpected bytes after the " + describe(dims) + " data");
        }
        byte[] data = new byte[(int) size];
        System.arraycopy(bytes, header, data, 0, data.length);
        return new Idx(dims, data);
    }

    private static String describe(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "×").append(dims[i]);
        }
        return sb.toString();
    }

    private static byte[] readAll(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataFormatError(file + ": no such file");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = raw.markSupported() ? raw : new java.io.BufferedInputStream(raw);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            in.transferTo(out);
            return out.toByteArray();
        } catch (java.io.EOFException e) {
            throw new DataFormatError(file + ": truncated gzip stream", e);
        } catch (java.util.zip.ZipException e) {
            throw new DataFormatError(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataFormatError(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }
}
