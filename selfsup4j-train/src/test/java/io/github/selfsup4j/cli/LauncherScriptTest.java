package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/selfsup4j}'s choice of the WGAN-GP malloc setting ({@code wgan_gp_run}): for
 * {@code gan --loss wgan-gp} in either spelling and for {@code gan --resume DIR} of a wgan-gp run
 * (read from its checkpoint's config), not for other losses, other commands or other runs. The
 * function is run by bash under the launcher's own {@code set -euo pipefail}.
 */
class LauncherScriptTest {

    private static final Path SCRIPT = Path.of("..", "bin", "selfsup4j");

    @TempDir
    Path tmp;

    private static boolean wganGpRun(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "set -euo pipefail; source <(sed -n '/^wgan_gp_run()/,/^}/p' \"$0\");"
                        + " if wgan_gp_run \"$@\"; then echo yes; else echo no; fi",
                SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        if (!out.equals("yes") && !out.equals("no")) {
            throw new AssertionError("unexpected output: " + out);
        }
        return out.equals("yes");
    }

    private Path run(String name, String loss) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        // a checkpoint's start: magic, then the run's configuration as compact JSON
        byte[] head = ("SelfSup4J checkpoint\0\0{\"seed\":42,\"loss\":\"" + loss
                + "\",\"epochs\":4}\0progress").getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("checkpoint.bin"), head);
        return dir;
    }

    @Test
    void setsTheMallocThresholdForWganGpRunsOnly() throws Exception {
        String gp = run("a-gan-wgan-gp", "wgan-gp").toString();
        String hinge = run("b", "hinge").toString();
        assertEquals(true, wganGpRun("gan", "--loss", "wgan-gp"));
        assertEquals(true, wganGpRun("gan", "--epochs", "1", "--loss=wgan-gp"));
        assertEquals(true, wganGpRun("gan", "--resume", gp));
        assertEquals(true, wganGpRun("gan", "--resume=" + gp, "--epochs", "5"));
        assertEquals(false, wganGpRun("gan"));
        assertEquals(false, wganGpRun("gan", "--loss", "hinge"));
        assertEquals(false, wganGpRun("train", "--loss", "wgan-gp"));
        assertEquals(false, wganGpRun("gan", "--resume", hinge));
        assertEquals(false, wganGpRun("gan", "--resume", tmp.resolve("missing").toString()));
        assertEquals(false, wganGpRun("gan", "sample", gp, "--out", "x.idx"));
    }
}
