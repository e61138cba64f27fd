package dev.kctx.tests.fuzz;

import dev.kctx.tests.CommandLine;
import dev.kctx.tests.properties.Fuzz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The scenario reader under fire: every example mutated many ways (see {@link Mutator}), each
 * mutant run through {@code kctx run --until 200us}. It either runs (exit 0 or 1, a report) or is
 * refused with exit code 2 and one located line; never a stack trace, never another exit code.
 * The timeout only guards against a hang; it is not a performance assertion.
 */
@DisplayName("Fuzzed scenario files")
class ScenarioFuzzTest {
    /** Mutants per example: a few hundred inputs in all by default, thousands under -Pfuzz. */
    static final int PER_EXAMPLE = Fuzz.size(13, 156);
    static final long SEED = 20261125L;
    static final Path EXAMPLES = Path.of("..", "examples");

    @TempDir
    static Path dir;

    static final Map<Mutator.Kind, int[]> OUTCOMES = new EnumMap<>(Mutator.Kind.class);

    static Stream<Mutator.Mutant> mutants() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        List<String> texts = new ArrayList<>();
        for (Path f : files) {
            texts.add(Files.readString(f));
        }
        List<Mutator.Mutant> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).getFileName().toString().replace(".yaml", "");
            for (int k = 0; k < PER_EXAMPLE; k++) {
                out.add(Mutator.mutate(name, texts.get(i), k, SEED, texts));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("runs, or is refused with exit code 2 and one located line")
    void runsOrIsRefused(Mutator.Mutant m) throws IOException {
        Path f = dir.resolve(m.label().replaceAll("[^A-Za-z0-9]+", "-") + ".yaml");
        Files.write(f, m.bytes());
        CommandLine.Result r = CommandLine.run("run", f.toString(), "--until", "200us", "--no-progress");
        synchronized (OUTCOMES) {
            int[] c = OUTCOMES.computeIfAbsent(m.kind(), k -> new int[3]);
            if (r.code() >= 0 && r.code() <= 2) {
                c[r.code()]++;
            }
        }
        assertNull(InProcess.verdict(f.toString(), r), () -> m.label() + ": " + InProcess.verdict(f.toString(), r));
    }

    /** Writes how each kind of mutation ended, for docs/reliability.md. */
    @AfterAll
    static void tally() throws IOException {
        StringBuilder sb = new StringBuilder("mutation            exit0  exit1  exit2\n");
        int[] total = new int[3];
        for (var e : OUTCOMES.entrySet()) {
            int[] c = e.getValue();
            sb.append(String.format("%-18s %6d %6d %6d%n", e.getKey().name().toLowerCase().replace('_', '-'), c[0], c[1], c[2]));
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        }
        sb.append(String.format("%-18s %6d %6d %6d%n", "all", total[0], total[1], total[2]));
        Path out = Path.of("target", "reliability");
        Files.createDirectories(out);
        Files.writeString(out.resolve("fuzz.txt"), sb.toString());
    }
}
