package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Records the process's resident memory at the end of every epoch (Linux /proc). */
public final class MemoryListener implements TrainingListener, Stateful {

    private final List<Long> rssPerEpoch = new ArrayList<>();

    /** Resident memory at the end of each epoch, bytes (-1 where unknown). */
    public List<Long> rssPerEpoch() {
        return rssPerEpoch;
    }

    /** The last epoch's resident memory, bytes, or -1. */
    public long last() {
        return rssPerEpoch.isEmpty() ? -1 : rssPerEpoch.get(rssPerEpoch.size() - 1);
    }

    @Override
    public void onEpochEnd(TrainingState state) {
        rssPerEpoch.add(rss());
    }

    /** The process's resident set size in bytes (Linux), or -1. */
    public static long rss() {
        return processStatus("VmRSS");
    }

    /** A memory field of /proc/self/status (VmRSS, VmHWM...) in bytes (Linux), or -1. */
    public static long processStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public String stateName() {
        return "memory";
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.writeInt(rssPerEpoch.size());
        for (long r : rssPerEpoch) {
            out.writeLong(r);
        }
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        rssPerEpoch.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            rssPerEpoch.add(in.readLong());
        }
    }
}
