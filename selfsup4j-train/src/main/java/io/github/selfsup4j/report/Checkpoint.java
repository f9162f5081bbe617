package io.github.selfsup4j.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.selfsup4j.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The resumable checkpoint of a run: configuration, progress (epoch and batch), history, the
 * method's networks and state, and the optimiser's state. Written to a temporary file that is
 * synced and then renamed over the old one, so a kill at any moment leaves the last good
 * checkpoint intact.
 */
public final class Checkpoint {

    /** The checkpoint's file name in a run directory. */
    public static final String FILE = "checkpoint.bin";

    private static final String MAGIC = "SelfSup4J checkpoint";
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    /** Writes the body of a checkpoint. */
    @FunctionalInterface
    public interface Body {
        /** Writes the payload after the header. */
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads the body of a checkpoint. */
    @FunctionalInterface
    public interface Reader {
        /** Reads the payload after the header. */
        void read(TrainConfig config, DataInputStream in) throws IOException;
    }

    /** Writes {@code dir/checkpoint.bin} atomically. */
    public static void write(Path dir, TrainConfig config, Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(JSON.writeValueAsString(config));
            body.write(out);
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
    public static TrainConfig config(Path dir) throws IOException {
        TrainConfig[] c = new TrainConfig[1];
        read(dir, (config, in) -> c[0] = config);
        return c[0];
    }

    /** Reads {@code dir/checkpoint.bin}. */
    public static void read(Path dir, Reader reader) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + FILE + " (is this a run directory?)");
        }
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file));
                DataInputStream in = new DataInputStream(raw)) {
            String magic = in.readUTF();
            if (!MAGIC.equals(magic)) {
                throw new IOException(file + ": not a SelfSup4J checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": checkpoint version " + version
                        + ", this build reads " + VERSION);
            }
            TrainConfig config = JSON.readValue(in.readUTF(), TrainConfig.class);
            reader.read(config, in);
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        }
    }
}
