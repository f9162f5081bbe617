package io.github.selfsup4j.method;

import io.github.selfsup4j.augment.ViewBatch;
import io.github.selfsup4j.augment.ViewBatches;
import io.github.selfsup4j.engine.BatchSource;
import java.util.function.Function;

/**
 * The engine's batch source over augmented views ({@link ViewBatches}), each batch given to the
 * job as {@code map} makes it (the views themselves, or the views with their labels).
 *
 * @param <B> the job's batch type
 */
public final class ViewSource<B> implements BatchSource<B> {

    private final ViewBatches views;
    private final Function<ViewBatch, B> map;

    /**
     * The source.
     *
     * @param views the views, epoch by epoch
     * @param map what the job receives for each batch of views
     */
    public ViewSource(ViewBatches views, Function<ViewBatch, B> map) {
        this.views = views;
        this.map = map;
    }

    @Override
    public int batchesPerEpoch() {
        return views.batchesPerEpoch();
    }

    @Override
    public Epoch<B> open(int epoch, int firstBatch) {
        ViewBatches.Epoch e = views.open(epoch, firstBatch);
        return new Epoch<>() {
            @Override
            public boolean hasNext() {
                return e.hasNext();
            }

            @Override
            public B next() {
                return map.apply(e.next());
            }

            @Override
            public void close() {
                e.close();
            }
        };
    }
}
