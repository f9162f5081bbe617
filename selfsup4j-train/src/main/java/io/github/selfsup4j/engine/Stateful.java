package io.github.selfsup4j.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.function.Supplier;

/** A part of a run that a checkpoint saves and a resumed run restores. */
public interface Stateful {

    /** A stable name: a checkpoint stores each part under it and checks it on reading. */
    String stateName();

    /** Writes the state. */
    void save(DataOutputStream out) throws IOException;

    /** Restores what {@link #save} wrote. */
    void load(DataInputStream in) throws IOException;

    /**
     * A part that exists only later, looked up at each save and load: the engine's progress,
     * which the engine creates after the listeners (a {@code CheckpointListener}) that save it.
     */
    static Stateful deferred(Supplier<? extends Stateful> part) {
        return new Stateful() {
            @Override
            public String stateName() {
                return part.get().stateName();
            }

            @Override
            public void save(DataOutputStream out) throws IOException {
                part.get().save(out);
            }

            @Override
            public void load(DataInputStream in) throws IOException {
                part.get().load(in);
            }
        };
    }

    /** A job as a checkpoint part. */
    static Stateful of(Job<?> job) {
        return new Stateful() {
            @Override
            public String stateName() {
                return "job:" + job.name();
            }

            @Override
            public void save(DataOutputStream out) throws IOException {
                job.save(out);
            }

            @Override
            public void load(DataInputStream in) throws IOException {
                job.load(in);
            }
        };
    }
}
