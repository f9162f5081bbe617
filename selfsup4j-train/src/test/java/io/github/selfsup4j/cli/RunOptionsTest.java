package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.selfsup4j.gan.GanOptions;
import io.github.selfsup4j.method.SslOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The options every run shares ({@code method.RunOptions}, {@code RunCommandOptions}): one
 * declaration in every command, the jobs' own defaults, and the checkpoint's JSON unchanged.
 */
class RunOptionsTest {

    @Test
    void everyTrainingCommandHasTheSharedOptionsWithItsOwnDefaults() {
        for (String[] args : List.of(new String[] {"train"}, new String[] {"train", "--method",
            "triplet"}, new String[] {"gan"})) {
            picocli.CommandLine cl = Main.commandLine(args).getSubcommands().get(args[0]);
            for (String o : List.of("--seed", "--data", "--limit", "--threads", "--runs-dir",
                    "--resume", "--no-progress")) {
                assertTrue(cl.getCommandSpec().findOption(o) != null, args.length + " " + o);
            }
            boolean oneThread = args[0].equals("gan") || args.length > 1;
            assertEquals(oneThread ? "1" : "0", cl.getCommandSpec().findOption("--threads")
                    .defaultValueString(), "gan's and metric learning's measured default,"
                    + " self-supervised train's engine default");
        }
    }

    @Test
    void theCheckpointKeepsTheSharedOptionsAsTopLevelFields() throws Exception {
        // checkpoints written before the options were shared read back, and the other way
        for (Object o : List.of(new SslOptions(), new GanOptions())) {
            JsonNode n = RunConfig.JSON.valueToTree(o);
            for (String f : List.of("seed", "data", "limit", "threads")) {
                assertTrue(n.has(f), o.getClass().getSimpleName() + " " + f + ": " + n);
            }
        }
        SslOptions s = RunConfig.JSON.readValue("{\"seed\":7,\"limit\":512,\"threads\":1,"
                + "\"data\":\"d\",\"batch_size\":64}", SslOptions.class);
        assertEquals(List.of(7L, 512, 1, "d", 64), List.of(s.seed, s.limit, s.threads, s.data,
                s.batchSize));
        GanOptions g = RunConfig.JSON.readValue("{\"seed\":9,\"threads\":0}", GanOptions.class);
        assertEquals(List.of(9L, 0, 0), List.of(g.seed, g.threads, g.limit));
    }

    @Test
    void anEmptyDataDirectoryIsRefusedByEveryJob() {
        SslOptions s = new SslOptions();
        s.data = "";
        GanOptions g = new GanOptions();
        g.data = "";
        for (Runnable check : List.<Runnable>of(s::validate, g::validate)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    check::run);
            assertEquals("--data '': must name a directory", e.getMessage());
        }
    }
}
