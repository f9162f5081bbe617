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
        return JSON.treeToValue(methodOptions, spec.optionsClass());
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
