package dev.postilion.profile;

import static dev.postilion.profile.ProfilesOnDisk.env;
import static dev.postilion.profile.ProfilesOnDisk.load;
import static dev.postilion.profile.ProfilesOnDisk.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("profiles.yaml");
    }

    private static String profile(String passwordSource) {
        return "profiles:\n  work:\n    host: smtp.example.com\n    username: guyt\n    password: " + passwordSource + "\n";
    }

    @Test
    void aSecretIsTheSupplierOfItsOwnValue() {
        java.util.function.Supplier<String> supplier = Secret.of("hunter2");
        assertThat(supplier.get()).isEqualTo("hunter2");
        assertThat(supplier.toString()).isEqualTo(Secret.MASK);
    }

    @Test
    void toStringIsAlwaysMasked() {
        Secret secret = Secret.of("hunter2");
        assertThat(secret.toString()).isEqualTo("********");
        assertThat("password=" + secret).isEqualTo("password=********");
        assertThat(secret.reveal()).isEqualTo("hunter2");
        assertThat(secret.source()).isEqualTo("<literal>");
        assertThat(secret.refreshing()).isFalse();
    }

    @Test
    void profileToStringMasksItsSecrets() {
        Profile work = load(dir, profile("hunter2")).get("work");
        assertThat(work.toString()).doesNotContain("hunter2").contains("password=********");
    }

    @Test
    void envSourceIsReadOnceAndLazily() {
        Map<String, String> env = env(dir);
        ProfileFile profiles = new ProfileLoader(env).load(write(dir, profile("{ env: WORK_PASS }")));
        Secret password = profiles.get("work").password();
        env.put("WORK_PASS", "first");
        assertThat(password.reveal()).isEqualTo("first");
        env.put("WORK_PASS", "second");
        assertThat(password.reveal()).isEqualTo("first");
        assertThat(profiles.get("work").password()).isSameAs(password);
    }

    @Test
    void envUnsetIsConfigErrorNamingProfileKeyAndLine() {
        Secret password = load(dir, profile("{ env: WORK_PASS }")).get("work").password();
        assertThatThrownBy(password::reveal)
                .isInstanceOf(ProfileException.class)
                .hasMessage(file() + ":5: profile 'work': password: environment variable WORK_PASS is not set")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void emptySecretIsRefused() {
        Secret password = load(dir, profile("{ env: WORK_PASS }"), "WORK_PASS", "").get("work").password();
        assertThatThrownBy(password::reveal)
                .hasMessage(file() + ":5: profile 'work': password: environment variable WORK_PASS gave an empty value");
    }

    @Test
    void lineBreakInSecretIsRefused() {
        Secret password = load(dir, profile("{ env: WORK_PASS }"), "WORK_PASS", "a\r\nAUTH x").get("work").password();
        assertThatThrownBy(password::reveal)
                .hasMessage(file() + ":5: profile 'work': password: environment variable WORK_PASS gave a value"
                        + " with a CR, LF or NUL character (refused)");
    }

    @Test
    void fileSourceReadsTheFirstLineRelativeToTheProfilesFile() {
        write(dir, "secrets/work", "from-file\r\nsecond line\n", "rw-------");
        Secret password = load(dir, profile("{ file: secrets/work }")).get("work").password();
        assertThat(password.source()).isEqualTo("<file secrets/work>");
        assertThat(password.reveal()).isEqualTo("from-file");
    }

    @Test
    void fileSourceExpandsTilde() {
        Path home = dir.resolve("home");
        write(home, ".smtp-pass", "tilde-pass", "rw-------");
        ProfileFile profiles = new ProfileLoader(env(home)).load(write(dir, profile("{ file: ~/.smtp-pass }")));
        Secret password = profiles.get("work").password();
        assertThat(password.source()).isEqualTo("<file ~/.smtp-pass>");
        assertThat(password.reveal()).isEqualTo("tilde-pass");
    }

    @Test
    void secretFileMissingIsConfigError() {
        Secret password = load(dir, profile("{ file: ~/.smtp-pass }")).get("work").password();
        assertThatThrownBy(password::reveal)
                .hasMessage(file() + ":5: profile 'work': password: file ~/.smtp-pass not found ("
                        + dir.resolve(".smtp-pass") + ")")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void secretFileThatIsADeviceOrTooLargeIsRefusedUnread() {
        Secret zero = load(dir, profile("{ file: /dev/zero }")).get("work").password();
        assertThatThrownBy(zero::reveal)
                .hasMessage(file() + ":5: profile 'work': password: file /dev/zero: /dev/zero is a device, not a file"
                        + " (devices such as /dev/zero are refused; only /dev/stdin is read)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
        write(dir, "big", "pw\n" + "x".repeat(64 * 1024), "rw-------");
        Secret big = load(dir, profile("{ file: big }")).get("work").password();
        assertThatThrownBy(big::reveal)
                .hasMessage(file() + ":5: profile 'work': password: file big: " + dir.resolve("big")
                        + " is larger than the 64 KiB limit for secret files");
    }

    @Test
    void commandSourceReadsFirstLineOfOutputAndPassesStderrThrough() {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ProfileFile profiles = new ProfileLoader(env(dir)).withCommandStderr(stderr)
                .load(write(dir, profile("{ command: \"echo unlocking >&2; printf 'pw-one\\\\npw-two\\\\n'\" }")));
        Secret password = profiles.get("work").password();
        assertThat(password.source()).isEqualTo("<command echo unlocking >&2; printf 'pw-one\\npw-two\\n'>");
        assertThat(password.reveal()).isEqualTo("pw-one");
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo("unlocking\n");
    }

    @Test
    void passwordCommandRunsOnce() {
        Secret password = load(dir, profile("{ command: \"echo x >> runs; echo pw-$(wc -l < runs | tr -d ' ')\" }"))
                .get("work").password();
        assertThat(password.refreshing()).isFalse();
        assertThat(password.reveal()).isEqualTo("pw-1");
        assertThat(password.reveal()).isEqualTo("pw-1");
    }

    @Test
    void tokenCommandRunsAgainOnEachReveal() {
        ProfileFile profiles = load(dir, """
                profiles:
                  oauth:
                    host: smtp.example.com
                    auth: xoauth2
                    username: guyt@example.com
                    token: { command: "echo x >> runs; echo tok-$(wc -l < runs | tr -d ' ')" }
                """);
        Secret token = profiles.get("oauth").token();
        assertThat(token.refreshing()).isTrue();
        assertThat(token.reveal()).isEqualTo("tok-1");
        assertThat(token.reveal()).isEqualTo("tok-2");
        assertThat(profiles.get("oauth").secret()).isSameAs(token);
    }

    @Test
    void tokenFromEnvIsNotRefreshing() {
        ProfileFile profiles = load(dir, "profiles:\n  o: { host: h, auth: oauthbearer, token: { env: T } }\n");
        assertThat(profiles.get("o").token().refreshing()).isFalse();
    }

    @Test
    void secretCommandFailingIsConfigErrorWithoutItsOutput() {
        Secret password = load(dir, profile("{ command: \"echo S3cr3t-out; exit 3\" }")).get("work").password();
        assertThatThrownBy(password::reveal)
                .hasMessage(file() + ":5: profile 'work': password: command 'echo S3cr3t-out; exit 3' failed"
                        + " (exit status 3)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void secretCommandTimingOutIsStopped() {
        Secret password = load(dir, profile("{ command: \"sleep 60\", timeout: 200ms }")).get("work").password();
        // Stopped at 200 ms, not after the command's 60 s: the 30 s bound leaves room for a loaded machine.
        assertTimeout(Duration.ofSeconds(30), () -> assertThatThrownBy(password::reveal)
                .hasMessage(file() + ":5: profile 'work': password: command 'sleep 60' timed out after 200ms and was"
                        + " stopped (give it longer with { command: ..., timeout: 30s })")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG));
    }

    @Test
    void loaderCommandTimeoutAppliesWhenTheSourceSetsNone() {
        ProfileFile profiles = new ProfileLoader(env(dir)).withCommandTimeout(Duration.ofMillis(200))
                .load(write(dir, profile("{ command: \"echo early; sleep 60; echo late\" }")));
        Secret password = profiles.get("work").password();
        assertTimeout(Duration.ofSeconds(30), () -> assertThatThrownBy(password::reveal)
                .hasMessageContaining("timed out after 200ms"));
    }

    @Test
    void promptAsksOnceWithTheProfileName() {
        List<String> prompts = new ArrayList<>();
        ProfileFile profiles = new ProfileLoader(env(dir))
                .withPrompter(text -> {
                    prompts.add(text);
                    return "typed".toCharArray();
                })
                .load(write(dir, profile("{ prompt: true }")));
        Secret password = profiles.get("work").password();
        assertThat(password.source()).isEqualTo("<prompt>");
        assertThat(password.reveal()).isEqualTo("typed");
        assertThat(password.reveal()).isEqualTo("typed");
        assertThat(prompts).containsExactly("Password for profile 'work': ");
    }

    @Test
    void promptWithoutTerminalIsClearConfigError() {
        ProfileFile profiles = new ProfileLoader(env(dir)).withPrompter(text -> null)
                .load(write(dir, profile("{ prompt: true }")));
        assertThatThrownBy(() -> profiles.get("work").password().reveal())
                .hasMessage(file() + ":5: profile 'work': password: { prompt: true } needs a terminal, and there is"
                        + " none (under cron or in a pipe, use { env: ... }, { file: ... } or { command: ... })")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            rw-------
            r--------
            rwx------
            """)
    void literalSecretIsAcceptedInAnOwnerOnlyFile(String permissions) {
        Path file = write(dir, "profiles.yaml", profile("hunter2"), permissions);
        Secret password = new ProfileLoader(env(dir)).load(file).get("work").password();
        assertThat(password.source()).isEqualTo("<literal>");
        assertThat(password.reveal()).isEqualTo("hunter2");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            rw-r--r--
            rw-r-----
            rw----r--
            rw--w----
            rw-------x
            """)
    void literalSecretInAFileOthersCanReadIsRefused(String permissions) {
        String mode = permissions.length() > 9 ? "rw------x" : permissions;
        Path file = write(dir, "profiles.yaml", profile("hunter2"), mode);
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5: profile 'work': password is written in the file, so only its owner may read "
                        + file + ", but its permissions are " + mode + "; fix: chmod 600 " + file)
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void literalTokenInAFileOthersCanReadIsRefused() {
        Path file = write(dir, "profiles.yaml", """
                profiles:
                  oauth:
                    host: smtp.example.com
                    auth: oauthbearer
                    token: "ya29.literal"
                """, "rw-rw-r--");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessage(file + ":5: profile 'oauth': token is written in the file, so only its owner may read "
                        + file + ", but its permissions are rw-rw-r--; fix: chmod 600 " + file);
    }

    @Test
    void literalSecretInAnyProfileStopsTheWholeFile() {
        Path file = write(dir, "profiles.yaml", """
                profiles:
                  work: { host: h, username: u, password: { env: P } }
                  old: { host: h, username: u, password: hunter2 }
                """, "rw-r--r--");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessageStartingWith(file + ":3: profile 'old': password is written in the file");
    }

    @Test
    void tokenPromptSaysToken() {
        List<String> prompts = new ArrayList<>();
        ProfileFile profiles = new ProfileLoader(env(dir))
                .withPrompter(text -> {
                    prompts.add(text);
                    return "tok".toCharArray();
                })
                .load(write(dir, "profiles:\n  o: { host: h, auth: oauthbearer, token: { prompt: true } }\n"));
        assertThat(profiles.get("o").token().reveal()).isEqualTo("tok");
        assertThat(prompts).containsExactly("Token for profile 'o': ");
    }

    @Test
    void chmodAdviceQuotesAPathWithSpaces() {
        Path file = write(dir.resolve("my dir"), "profiles.yaml", profile("hunter2"), "rw-r--r--");
        assertThatThrownBy(() -> new ProfileLoader(env(dir)).load(file))
                .hasMessageEndingWith("; fix: chmod 600 '" + file + "'");
    }

    @Test
    void sourcesNeedNoOwnerOnlyFile() {
        Path file = write(dir, "profiles.yaml", profile("{ env: WORK_PASS }"), "rw-r--r--");
        assertThat(new ProfileLoader(env(dir)).load(file).get("work").password().source()).isEqualTo("<env WORK_PASS>");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "{}"                           | 5 | password needs a source: { env: NAME }, { file: PATH }, { command: \"...\" } or { prompt: true }
            "{ env: A, file: b }"          | 5 | password has more than one source (env, file); keep one
            "{ evn: WORK_PASS }"           | 5 | password: unknown source (did you mean 'env'?); use one of { env: NAME }, { file: PATH }, { command: \"...\" }, { prompt: true }
            "{ prompt: false }"            | 5 | password: prompt must be true
            "{ env: 'bad name' }"          | 5 | password: env must name an environment variable (letters, digits and _)
            "{ file: x, timeout: 2s }"     | 5 | password: timeout applies only to { command: ... }
            "{ command: x, timeout: soon }" | 5 | password: timeout must be a duration like 30s, 2m, 1h, 5d or 500ms (a bare number means seconds), not 'soon'
            "{ command: '' }"              | 5 | password: command needs a command line
            "{ env: [A] }"                 | 5 | password: env needs a single value
            """)
    void badSecretSourceIsNamed(String source, int line, String message) {
        assertThatThrownBy(() -> load(dir, profile(source)))
                .hasMessage(file() + ":" + line + ": profile 'work': " + message);
    }

    @Test
    void secretNeverInErrorMessages() {
        String secret = "S3cr3t";
        List<String> messages = new ArrayList<>();
        List<String> files = List.of(
                profile("*" + secret),
                profile("!" + secret),
                profile("\"" + secret),
                profile("[" + secret + "]"),
                profile("{ " + secret + " }"),
                profile("{ prompt: " + secret + " }"),
                profile(secret + "\n    password: " + secret),
                profile("\"" + secret + "\\r\\nQUIT\""),
                profile("'" + secret + "' extra: x"),
                "profiles:\n  work:\n    host: h\n    password:\n      !!java.lang.String " + secret + "\n",
                "profiles:\n  work:\n    host: h\n    token: !!" + secret + " x\n");
        for (String yaml : files) {
            messages.add(messageOf(() -> load(dir, yaml)));
        }
        Path shared = write(dir, "shared.yaml", profile(secret), "rw-r--r--");
        messages.add(messageOf(() -> new ProfileLoader(env(dir)).load(shared)));
        write(dir, "secret.txt", secret + "\n", "rw-------");
        messages.add(messageOf(() -> load(dir, profile("{ command: \"cat secret.txt; exit 1\" }"))
                .get("work").password().reveal()));
        messages.add(messageOf(() -> load(dir, profile("{ command: \"cat secret.txt; sleep 5\", timeout: 200ms }"))
                .get("work").password().reveal()));
        messages.add(messageOf(() -> load(dir, profile("{ env: P }"), "P", secret + "\r\n")
                .get("work").password().reveal()));
        messages.add(messageOf(() -> load(dir, profile("{ env: P }"), "P", secret + "\0")
                .get("work").password().reveal()));
        assertThat(messages).hasSize(16).allSatisfy(m -> assertThat(m).isNotNull().doesNotContain(secret));
    }

    private static String messageOf(Runnable action) {
        try {
            action.run();
            return null;
        } catch (ProfileException e) {
            return e.getMessage();
        }
    }
}
