package io.github.selfsup4j.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.selfsup4j.method.MethodOptions;
import io.github.selfsup4j.method.MethodSpec;
import io.github.selfsup4j.method.SslOptions;
import io.github.selfsup4j.optim.Schedule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's configuration as the checkpoint stores it: the method, the shared and the method's
 * options, the learning-rate plan (segments added by resumed runs that changed it) and what each
 * resume changed.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class RunConfig {

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public String method;
    public SslOptions options;
    public JsonNode methodOptions;
    public List<Schedule.Segment> schedule = new ArrayList<>();
    public List<Map<String, Object>> resumes = new ArrayList<>();
    /** The processes the run trains on (the global batch is world size × batch size). */
    public int worldSize = 1;
    /** The metric-learning options (null for self-supervised runs). */
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public io.github.selfsup4j.supervised.MetricOptions metric;

    /** A fresh run's configuration. */
    static RunConfig of(MethodSpec<?> spec, SslOptions options, MethodOptions methodOptions) {
        RunConfig c = new RunConfig();
        c.method = spec.name();
        c.options = options;
        c.methodOptions = JSON.valueToTree(methodOptions);
        return c;
    }

    /** The method's options, typed. */
    MethodOptions methodOptions(MethodSpec<?> spec) throws IOException {
        return methodOptions(spec.optionsClass());
    }

    /** The method's options as an instance of {@code type}. */
    <O extends MethodOptions> O methodOptions(Class<O> type) throws IOException {
        return JSON.treeToValue(methodOptions, type);
    }

    /**
     * The learning-rate plan of a run resumed at {@code step}: the stored plan, with a new
     * segment when the resume changes the epochs or the peak rate (recorded in {@link #resumes};
     * the options take the new values), so the rate goes on from where it was ({@link
     * Schedule#resumedAt}).
     *
     * @param step the step the run resumes at
     * @param batchesPerEpoch the run's batches per epoch on this rank
     * @param newEpochs the epochs given with --resume, or null
     * @param newLr the peak rate given with --resume, or null
     * @param out where a note goes when the extension starts from a decayed rate
     * @return the plan to train with
     */
    Schedule resume(long step, int batchesPerEpoch, Integer newEpochs, Double newLr,
            java.io.PrintStream out) {
        Schedule s = new Schedule(Math.round(options.warmupEpochs * batchesPerEpoch), 0.0,
                schedule);
        Map<String, Object> change = new java.util.LinkedHashMap<>();
        change.put("at_step", step);
        if (newEpochs != null && newEpochs != options.epochs) {
            change.put("epochs", List.of(options.epochs, newEpochs));
            options.epochs = newEpochs;
        }
        if (newLr != null && newLr != s.peakLr()) {
            change.put("peak_lr", List.of(s.peakLr(), newLr));
            options.lr = newLr;
        }
        if (change.size() > 1) {
            double peak = newLr != null ? newLr : s.peakLr();
            s = s.resumedAt(step, (long) options.epochs * batchesPerEpoch, peak);
            schedule = new ArrayList<>(s.segments());
            resumes.add(change);
            if (s.lr(step) < 0.01 * peak && newLr == null) {
                out.printf("note: the run's learning rate has decayed to %.2g; the added"
                        + " epochs continue from there (--lr X restarts a finished plan from X)%n", s.lr(step));
            }
        }
        return s;
    }

    /** Every hyperparameter in one flat object, as {@code metrics.json} shows them. */
    ObjectNode hyperparameters() {
        ObjectNode n = JSON.createObjectNode();
        n.put("method", method);
        n.setAll((ObjectNode) JSON.valueToTree(options));
        n.put("lr", options.lr(worldSize));
        n.setAll((ObjectNode) methodOptions);
        return n;
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static RunConfig fromJson(String json) throws IOException {
        return JSON.readValue(json, RunConfig.class);
    }
}
