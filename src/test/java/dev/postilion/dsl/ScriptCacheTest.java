package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.transcript.TranscriptListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptCacheTest {

    @TempDir
    Path dir;

    private ScriptRunner.Result run(String script, Map<String, String> env) {
        RunOptions o = RunOptions.builder(TranscriptListener.NONE,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).env(env::get).build();
        return new ScriptRunner().run(script, "cached.groovy", dir, o);
    }

    @Test
    void aCachedScriptRunsTheSameAndKeepsItsLineNumbers() throws Exception {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString());
        String script = "def x = 1\n[1, 2].each { y -> x += y }\nrcpt to: 'b@y.test'\n";
        ScriptRunner.Result first = run(script, env);
        Path scripts = dir.resolve("cache/postilion/scripts");
        try (var entries = Files.list(scripts)) {
            assertThat(entries.count()).isEqualTo(1);
        }
        ScriptRunner.Result second = run(script, env);
        assertThat(first.problems()).extracting(Problem::message)
                .containsExactly("cached.groovy:3: script error: rcpt needs a connection: connect 'host' first");
        assertThat(second.problems()).extracting(Problem::message)
                .isEqualTo(first.problems().stream().map(Problem::message).toList());
    }

    @Test
    void anEditedScriptIsCompiledAgainAndTheCacheCanBeOff() throws Exception {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString());
        assertThat(run("assert 1 == 1\n", env).ok()).isTrue();
        assertThat(run("assert 1 == 2\n", env).problems()).hasSize(1);
        try (var entries = Files.list(dir.resolve("cache/postilion/scripts"))) {
            assertThat(entries.count()).isEqualTo(2);
        }
        Map<String, String> off = Map.of("XDG_CACHE_HOME", dir.resolve("off").toString(), "POSTILION_SCRIPT_CACHE", "0");
        assertThat(run("assert 1 == 1\n", off).ok()).isTrue();
        assertThat(dir.resolve("off")).doesNotExist();
    }
}
