package dev.postilion.profile;

import static dev.postilion.profile.ProfilesOnDisk.env;
import static dev.postilion.profile.ProfilesOnDisk.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.testing.Unprivileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

class ProfileLoaderTest {

    @TempDir
    Path dir;

    private static final String WORK = """
            profiles:
              work:
                host: smtp.example.com
            """;

    @ParameterizedTest(name = "[{index}] explicit={0} POSTILION_PROFILES={1} XDG_CONFIG_HOME={2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            /x/named.yaml | /y/env.yaml | /z/xdg | /x/named.yaml
            -             | /y/env.yaml | /z/xdg | /y/env.yaml
            -             |             | /z/xdg | /z/xdg/postilion/profiles.yaml
            -             | -           | /z/xdg | /z/xdg/postilion/profiles.yaml
            -             | -           | -      | /home/u/.config/postilion/profiles.yaml
            -             | -           | rel    | /home/u/.config/postilion/profiles.yaml
            -             |             |        | /home/u/.config/postilion/profiles.yaml
            """)
    void locationFollowsOptionThenVariableThenXdgThenHome(String explicit, String variable, String xdg,
            String expected) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", "/home/u");
        if (variable != null) {
            env.put("POSTILION_PROFILES", variable);
        }
        if (xdg != null) {
            env.put("XDG_CONFIG_HOME", xdg);
        }
        Path located = new ProfileLoader(env).locate(explicit == null ? null : Path.of(explicit));
        assertThat(located).isEqualTo(Path.of(expected));
    }

    @Test
    void loadsTheFileNamedByTheVariable() {
        Path file = write(dir, WORK);
        ProfileFile profiles = new ProfileLoader(env(dir, "POSTILION_PROFILES", file.toString())).load();
        assertThat(profiles.path()).isEqualTo(file);
        assertThat(profiles.get("work").host()).isEqualTo("smtp.example.com");
    }

    @Test
    void loadsTheXdgFileByDefault() {
        Path file = write(dir.resolve("config/postilion"), WORK);
        ProfileFile profiles = new ProfileLoader(env(dir, "XDG_CONFIG_HOME", dir.resolve("config").toString())).load();
        assertThat(profiles.path()).isEqualTo(file);
    }

    @Test
    void missingNamedFileExitsNoInput() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(missing))
                .isInstanceOf(ProfileException.class)
                .hasMessage(missing + ": profiles file not found")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.NOINPUT);
    }

    @Test
    void missingFileNamedByVariableExitsNoInput() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> new ProfileLoader(env(dir, "POSTILION_PROFILES", missing.toString())).load())
                .hasMessage(missing + ": profiles file not found (named by $POSTILION_PROFILES)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.NOINPUT);
    }

    @Test
    void missingDefaultFileIsConfigError() {
        Path expected = dir.resolve(".config/postilion/profiles.yaml");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load())
                .hasMessage(expected + ": profiles file not found (create it, or name one with --profiles FILE"
                        + " or $POSTILION_PROFILES)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void folderInsteadOfFileIsConfigError() {
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(dir))
                .hasMessage(dir + ": is a folder, not a profiles file")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void anUnreadableFileIsAConfigurationError() throws Exception {
        // Root reads every file: the loader runs in a child JVM as nobody then (as this user otherwise).
        Path shared = Unprivileged.directory();
        Path file = write(shared, WORK);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        Unprivileged.Result r = Unprivileged.run(LoadInAChild.class, List.of(ProfileLoader.class, Yaml.class),
                file.toString(), shared.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).as(r.all()).isEqualTo(file + ": cannot read the profiles file (permission denied)\nCONFIG\n");
    }

    /** Loads the profiles file {@code args[0]} with HOME {@code args[1]}; prints the refusal and its kind. */
    public static final class LoadInAChild {
        public static void main(String[] args) {
            try {
                new ProfileLoader(Map.of("HOME", args[1])).load(Path.of(args[0]));
                System.out.println("loaded");
            } catch (ProfileException e) {
                System.out.println(e.getMessage());
                System.out.println(e.kind());
            }
        }
    }

    @Test
    void malformedYamlNamesLineAndColumn() {
        Path file = write(dir, """
                profiles:
                  work: host: smtp.example.com
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":2:13: malformed YAML: mapping values are not allowed here")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void malformedYamlCarriesNoYamlExceptionAsCause() {
        Path file = write(dir, "profiles:\n  work: [\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessageStartingWith(file + ":3:1: malformed YAML: ")
                .hasNoCause();
    }

    @Test
    void tabIndentationIsNamedWithItsLine() {
        Path file = write(dir, "profiles:\n\twork: {}\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":2: tab used for indentation at line 2; YAML needs spaces\n"
                        + "    2 | <tab>work: {}")
                .hasNoCause();
    }

    @Test
    void aTabBelowAPasswordIsATabNotAQuotingProblemAndThePasswordStaysHidden() {
        Path file = write(dir, "profiles:\n  work:\n    host: h\n    password: s3cret\n\tport: 587\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5: tab used for indentation at line 5; YAML needs spaces\n"
                        + "    5 | <tab>port: 587");
    }

    @Test
    void aTabInAPasswordLinesIndentationIsShownWithThePasswordMasked() {
        Path file = write(dir, "profiles:\n  work:\n    host: h\n  \tpassword: s3cret\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":4: tab used for indentation at line 4; YAML needs spaces\n"
                        + "    4 |   <tab>password: ********")
                .message().doesNotContain("s3cret");
    }

    @Test
    void aKeyIndentedDeeperBelowAPasswordIsAnIndentationProblem() {
        Path file = write(dir, "profiles:\n  work:\n    password: s3cret\n    host: h\n      from: a@example.com\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5:11: malformed YAML: indentation: line 5 is indented deeper than line 4 above it,"
                        + " whose value is already given; indent it as far as the key it belongs with\n"
                        + "    4 |     host: h\n"
                        + "    5 |       from: a@example.com");
    }

    @Test
    void aLineIndentedUnderAPasswordIsAnIndentationProblemShownMasked() {
        // YAML reads the deeper line as more of the password: it is shown masked.
        Path file = write(dir, "profiles:\n  work:\n    host: h\n    password: s3cret\n     port: 587\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5:10: malformed YAML: indentation: line 5 is indented deeper than line 4 above it,"
                        + " whose value is already given; indent it as far as the key it belongs with\n"
                        + "    4 |     password: ********\n"
                        + "    5 |      ********")
                .message().doesNotContain("s3cret");
    }

    @Test
    void aKeyInLineWithNoKeyAboveIsAnIndentationProblem() {
        Path file = write(dir, "profiles:\n  work:\n    host: h\n    token: s3cret\n   port: 587\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5:4: malformed YAML: indentation: line 5 is in line with no key above it; indent"
                        + " it as far as the key it belongs with\n"
                        + "    4 |     token: ********\n"
                        + "    5 |    port: 587")
                .message().doesNotContain("s3cret").doesNotContain("quote");
    }

    @ParameterizedTest(name = "[{index}] password: {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"@bc123", "%bc123", "|bc123", ">bc123", "{bc123",
        "[bc123", "`bc123", "ab: c123", "\"bc123"})
    void aPasswordYamlReadsAsSyntaxGetsTheQuoteHintWithItsLineMasked(String password) {
        Path file = write(dir, "profiles:\n  work:\n    host: h\n    password: " + password + "\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":4: malformed YAML near a password or token (quote the value)\n"
                        + "    4 |     password: ********")
                .message().doesNotContain("bc123").doesNotContain("c123");
    }

    @Test
    void anAliasLikePasswordNamesTheStarWithoutTheSecret() {
        Path file = write(dir, "profiles:\n  work:\n    password: *bc123\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessageContaining("(quote a value that starts with *)")
                .message().doesNotContain("bc123");
    }

    @Test
    void aTagOnTheLineBelowAPasswordIsNamedAsATagNotAQuotingProblem() {
        Path file = write(dir, "profiles:\n  work:\n    password: s3cret\n    host: !local h\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":4: tag !local is not allowed: a profiles file holds plain values only");
    }

    @Test
    void aTagOnAPasswordGetsTheQuoteHint() {
        Path file = write(dir, "profiles:\n  work:\n    password: !bc123\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessageEndingWith("a YAML tag is not allowed here (quote a value that starts with !)")
                .message().doesNotContain("bc123");
    }

    @Test
    void duplicateKeysAreRefused() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: smtp.example.com
                    port: 587
                    host: evil.example.com
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5: duplicate key 'host' (first written at line 3)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void duplicateProfilesAreRefused() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: a.example.com
                  work:
                    host: b.example.com
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":4: duplicate key 'work' (first written at line 2)");
    }

    @Test
    void globalTagIsRefusedNeverConstructed() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://example.com/"]]]]
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":3:11: tag !!javax.script.ScriptEngineManager is not allowed:"
                        + " a profiles file holds plain values only")
                .hasNoCause()
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void localTagIsRefused() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: !shell smtp.example.com
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":3: tag !shell is not allowed: a profiles file holds plain values only");
    }

    @Test
    void binaryTagIsRefused() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: !!binary c210cC5leGFtcGxlLmNvbQ==
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":3: tag !!binary is not allowed: a profiles file holds plain values only");
    }

    @Test
    void mergeKeyIsRefusedInFavourOfExtends() {
        Path file = write(dir, """
                profiles:
                  base: &base
                    host: smtp.example.com
                  work:
                    <<: *base
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5: merge keys (<<) are not supported; share settings with extends:");
    }

    @Test
    void aliasBombIsRefused() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                yaml.append(i > 0 ? "," : "").append('*').append((char) (c - 1));
            }
            yaml.append("]\n");
        }
        Path file = write(dir, yaml.toString());
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ": too many YAML aliases (more than 20); refused as a possible alias bomb")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void fewAliasesAreFine() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: &h smtp.example.com
                    helo: *h
                """);
        assertThat(new ProfileLoader(env(dir)).load(file).get("work").helo()).isEqualTo("smtp.example.com");
    }

    @Test
    void recursiveAliasDoesNotLoop() {
        Path file = write(dir, """
                profiles:
                  work:
                    host: smtp.example.com
                    extends: &loop [*loop]
                """);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .isInstanceOf(ProfileException.class);
    }

    @Test
    void deepNestingIsRefused() {
        Path file = write(dir, "profiles: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ": YAML nested deeper than 20 levels; refused");
    }

    @Test
    void twoMegabyteFileIsRefusedBeforeParsing() {
        Path file = write(dir, "# " + "x".repeat(2 * 1024 * 1024) + "\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + " is larger than the 1 MiB limit for profiles files")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void profilesFileThatIsADeviceIsRefusedUnread() {
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(Path.of("/dev/zero")))
                .hasMessage("/dev/zero is a device, not a file (devices such as /dev/zero are refused; only /dev/stdin"
                        + " is read)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void invalidUtf8NamesTheLine() throws IOException {
        Path file = write(dir, "");
        Files.write(file, "profiles:\n  work:\n    host: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":3: the file is not valid UTF-8 text");
    }

    @Test
    void byteOrderMarkIsSkipped() {
        Path file = write(dir, "\uFEFF" + WORK);
        assertThat(new ProfileLoader(env(dir)).load(file).names()).containsExactly("work");
    }

    @Test
    void twoDocumentsAreRefused() {
        Path file = write(dir, WORK + "---\n" + WORK);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessageStartingWith(file + ":4:1: malformed YAML: ");
    }

    @Test
    void emptyFileHasNoProfiles() {
        ProfileFile profiles = new ProfileLoader(env(dir)).load(write(dir, "# nothing yet\n"));
        assertThat(profiles.names()).isEmpty();
        assertThat(profiles.defaultName()).isEmpty();
    }

    @Test
    void topLevelMustBeAMapping() {
        Path file = write(dir, "- work\n");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":1: the file must be a mapping with profiles: (and optionally default:), not a list");
    }

    @Test
    void sampleFileLoadsAndEveryProfileResolves() throws IOException {
        Path sample = Path.of("samples/profiles.yaml");
        Path copy = write(dir, Files.readString(sample));
        write(dir, "corp-ca.pem", "-----BEGIN CERTIFICATE-----\n", "rw-r--r--");
        ProfileFile profiles = new ProfileLoader(env(dir, "WORK_SMTP_PASSWORD", "pw")).load(copy);
        assertThat(profiles.defaultName()).contains("work");
        for (String name : profiles.names()) {
            assertThat(profiles.get(name).host()).as(name).isNotBlank();
        }
        assertThat(profiles.names()).contains("work", "backup", "vault", "desk", "oauth", "corp", "relay", "local");
        Profile local = profiles.get("local");
        assertThat(local.host()).isEqualTo("127.0.0.1");
        assertThat(local.port()).isEqualTo(2525);
        assertThat(local.tls().word()).isEqualTo("none");
        assertThat(profiles.get("vault").host()).isEqualTo("smtp3.example.com");
        assertThat(profiles.get("oauth").token().refreshing()).isTrue();
        assertThat(profiles.get("oauth").maxRecipients()).isEqualTo(100);
    }

    @Test
    void sampleFileLoadsInPlaceAsCheckedIn() {
        ProfileFile profiles = new ProfileLoader(env(dir)).load(Path.of("samples/profiles.yaml"));
        assertThat(profiles.get("local").port()).isEqualTo(2525);
    }
}
