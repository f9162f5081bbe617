package io.github.selfsup4j.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** A part of a run that a checkpoint saves and a resumed run restores. */
public interface Stateful {

    /** A stable name: a checkpoint stores each part under it and checks it on reading. */
    String stateName();

    /** Writes the state. */
    void save(DataOutputStream out) throws IOException;

    /** Restores what {@link #save} wrote. */
    void load(DataInputStream in) throws IOException;

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
