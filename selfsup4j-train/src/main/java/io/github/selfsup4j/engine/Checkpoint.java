package io.github.selfsup4j.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The resumable checkpoint of a run: the run's configuration (JSON, opaque to the engine), then
 * each {@link Stateful} part under its name (progress, history, the job's networks and
 * optimisers...). Written to a temporary file that is synced and renamed over the old one, so a
 * kill at any moment leaves the last good checkpoint intact.
 */
public final class Checkpoint {

    /** The checkpoint's file name in a run directory. */
    public static final String FILE = "checkpoint.bin";

    private static final String MAGIC = "SelfSup4J checkpoint";
    private static final int VERSION = 2;

    private Checkpoint() {}

    /**
     * Writes {@code dir/checkpoint.bin} atomically.
     *
     * @param dir the run directory (created if needed)
     * @param configJson the run's configuration
     * @param parts the parts, in a fixed order
     */
    public static void write(Path dir, String configJson, List<Stateful> parts)
            throws IOException {
        Files.createDirectories(dir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(MAGIC);
            out.writeInt(VERSION);
            writeString(out, configJson);
            out.writeInt(parts.size());
            for (Stateful p : parts) {
                ByteArrayOutputStream part = new ByteArrayOutputStream();
                try (DataOutputStream po = new DataOutputStream(part)) {
                    p.save(po);
                }
                out.writeUTF(p.stateName());
                out.writeInt(part.size());
                part.writeTo(out);
            }
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileOutputStream f = new FileOutputStream(tmp.toFile())) {
            bytes.writeTo(f);
            f.getFD().sync();
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads only the configuration of the checkpoint in {@code dir}. */
    public static String config(Path dir) throws IOException {
        try (DataInputStream in = open(dir)) {
            return readString(in);
        } catch (EOFException e) {
            throw new IOException(dir.resolve(FILE) + ": truncated checkpoint", e);
        }
    }

    /**
     * Restores every part from {@code dir/checkpoint.bin}; the parts must be those (and in the
     * order) that wrote it.
     */
    public static void read(Path dir, List<Stateful> parts) throws IOException {
        Path file = dir.resolve(FILE);
        try (DataInputStream in = open(dir)) {
            readString(in);
            int n = in.readInt();
            if (n != parts.size()) {
                throw new IOException(file + ": " + n + " parts, this run has " + parts.size());
            }
            for (Stateful p : parts) {
                String name = in.readUTF();
                if (!name.equals(p.stateName())) {
                    throw new IOException(file + ": part \"" + name + "\" where this run expects \""
                            + p.stateName() + "\"");
                }
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                try (DataInputStream pi = new DataInputStream(new ByteArrayInputStream(body))) {
                    p.load(pi);
                }
            }
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        }
    }

    private static DataInputStream open(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + FILE + " (is this a run directory?)");
        }
        InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file));
        DataInputStream in = new DataInputStream(raw);
        try {
            if (!MAGIC.equals(in.readUTF())) {
                throw new IOException(file + ": not a SelfSup4J checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": checkpoint version " + version
                        + ", this build reads " + VERSION);
            }
            return in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
