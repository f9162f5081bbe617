package io.github.selfsup4j.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Packages never import in a circle, across every module's main sources (imports and
 * fully-qualified names in code; Javadoc links do not count), and the engine knows no job.
 */
class PackageCycleTest {

    static final Pattern REF = Pattern.compile("io\\.github\\.selfsup4j\\.([a-z0-9_.]+)\\.[A-Z]");

    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Path.of(".."))) {
            modules.filter(p -> p.getFileName().toString().startsWith("selfsup4j-"))
                    .map(p -> p.resolve("src/main/java/io/github/selfsup4j"))
                    .filter(Files::isDirectory).forEach(roots::add);
        }
        assertTrue(roots.size() >= 3, "found the modules: " + roots);
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))
                        ::iterator) {
                    String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                    Set<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                    for (String line : Files.readAllLines(f)) {
                        String t = line.strip();
                        if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//")
                                || t.startsWith("package ")) {
                            continue;
                        }
                        Matcher m = REF.matcher(line);
                        while (m.find()) {
                            // a class name in a string (a JVM to spawn) is no dependency
                            boolean quoted = m.start() > 0 && line.charAt(m.start() - 1) == '"';
                            if (!quoted && !m.group(1).equals(pkg)) {
                                deps.add(m.group(1));
                            }
                        }
                    }
                }
            }
        }
        return g;
    }

    @Test
    void noPackageImportsInACircle() throws IOException {
        Map<String, Set<String>> g = graph();
        List<String> cycles = new ArrayList<>();
        for (String start : g.keySet()) {
            findCycle(g, start, start, new ArrayList<>(List.of(start)), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles; the graph: " + g);
    }

    private static void findCycle(Map<String, Set<String>> g, String start, String at,
            List<String> path, List<String> cycles) {
        for (String next : g.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0 && path.size() < 12) {
                path.add(next);
                findCycle(g, start, next, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    @Test
    void theEngineKnowsNoJobAndTheLibraryNoTraining() throws IOException {
        Map<String, Set<String>> g = graph();
        for (String pkg : List.of("engine", "engine.listener")) {
            for (String dep : g.get(pkg)) {
                assertTrue(dep.equals("distributed") || dep.startsWith("engine"),
                        pkg + " imports " + dep);
            }
        }
        List<String> blocks = List.of("data", "augment", "numerics", "model", "optim",
                "distributed");
        for (String pkg : g.keySet()) {
            if (!List.of("data", "model", "optim", "augment", "eval", "report")
                    .contains(pkg.split("\\.")[0])) {
                continue;
            }
            for (String dep : g.get(pkg)) {
                assertTrue(blocks.contains(dep.split("\\.")[0]), pkg + " imports " + dep
                        + ": the building blocks import no job, engine or CLI");
            }
        }
    }
}
