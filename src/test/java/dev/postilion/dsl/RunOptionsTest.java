package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.Resolver;
import dev.postilion.transcript.TranscriptListener;

/** The options of a script run: their defaults and the builder that changes them one setting at a time. */
class RunOptionsTest {

    private final PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @Test
    void defaultsAreNoVariablesNoOverridesAndTheRealEnvironment() {
        RunOptions o = RunOptions.defaults(TranscriptListener.NONE, err);
        assertThat(o.vars()).isEmpty();
        assertThat(o.args()).isEmpty();
        assertThat(o.transcript()).isSameAs(TranscriptListener.NONE);
        assertThat(o.err()).isSameAs(err);
        assertThat(o.connectTo()).isNull();
        assertThat(o.connectPort()).isZero();
        assertThat(o.trustedCa()).isEmpty();
        assertThat(o.insecure()).isFalse();
        assertThat(o.timeout()).isNull();
        assertThat(o.local()).isFalse();
        assertThat(o.dryRun()).isFalse();
        assertThat(o.env().apply("PATH")).isEqualTo(System.getenv("PATH"));
        assertThat(o.profile()).isNull();
        assertThat(o.profilesFile()).isNull();
        assertThat(o.profileLoader()).isNull();
        assertThat(o.batch()).isSameAs(BatchOverrides.NONE);
        assertThat(o.resolver()).isSameAs(Resolver.SYSTEM);
        assertThat(o.maxTime()).isNull();
    }

    @Test
    void theBuilderSetsEverySettingItIsGiven() {
        Map<String, String> vars = Map.of("HOME", "/nowhere");
        Function<String, String> env = vars::get;
        ProfileLoader loader = new ProfileLoader(vars);
        Resolver resolver = host -> List.of();
        RunOptions o = RunOptions.builder(TranscriptListener.NONE, err)
                .vars(Map.of("port", "2525")).args(List.of("a", "b")).connectTo("127.0.0.1", 2525)
                .trustedCa(List.of(Path.of("ca.pem"))).insecure(true).timeout(Duration.ofSeconds(5)).local(true)
                .dryRun(true).env(env).profile("work").profiles(Path.of("profiles.yaml"), loader)
                .resolver(resolver).maxTime(Duration.ofMinutes(1)).build();
        assertThat(o).isEqualTo(new RunOptions(Map.of("port", "2525"), List.of("a", "b"), TranscriptListener.NONE, err,
                "127.0.0.1", 2525, List.of(Path.of("ca.pem")), true, Duration.ofSeconds(5), true, true, env, "work",
                Path.of("profiles.yaml"), loader, BatchOverrides.NONE, resolver, Duration.ofMinutes(1)));
    }

    @Test
    void aBuilderFromOptionsChangesOnlyWhatItIsTold() {
        RunOptions before = RunOptions.builder(TranscriptListener.NONE, err).vars(Map.of("k", "v")).profile("work")
                .dryRun(true).timeout(Duration.ofSeconds(3)).build();
        assertThat(before.toBuilder().build()).isEqualTo(before);
        RunOptions after = before.toBuilder().connectTo("127.0.0.1", 2525).build();
        assertThat(after.connectTo()).isEqualTo("127.0.0.1");
        assertThat(after.connectPort()).isEqualTo(2525);
        assertThat(after.toBuilder().connectTo(before.connectTo(), before.connectPort()).build()).isEqualTo(before);
        assertThat(before.connectTo()).as("the options it started from are unchanged").isNull();
    }

    @Test
    void optionsKeepNoListOrMapTheCallerCanStillChange() {
        List<String> args = new ArrayList<>(List.of("a"));
        RunOptions o = RunOptions.builder(TranscriptListener.NONE, err).args(args).build();
        args.add("b");
        assertThat(o.args()).containsExactly("a");
        assertThatThrownBy(() -> o.args().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void noBatchOverridesOrResolverMeansNoneAndTheSystemOne() {
        RunOptions o = RunOptions.builder(TranscriptListener.NONE, err).batch(null).resolver(null).build();
        assertThat(o.batch()).isSameAs(BatchOverrides.NONE);
        assertThat(o.resolver()).isSameAs(Resolver.SYSTEM);
    }
}
