package dev.postilion.profile;

import static dev.postilion.profile.ProfilesOnDisk.env;
import static dev.postilion.profile.ProfilesOnDisk.load;
import static dev.postilion.profile.ProfilesOnDisk.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileDisplayTest {

    @TempDir
    Path dir;

    private static final String FILE = """
            default: work
            profiles:
              work:
                host: smtp.example.com
                auth: login
                username: guyt
                password: { env: WORK_PASS }
                from: guyt@example.com
              local:
                extends: work
                host: ${LOCAL_HOST:-127.0.0.1}
                port: 2525
                tls: none
              oauth:
                host: "::1"
                tls: implicit
                auth: xoauth2
                username: guyt@example.com
                token: { command: "oauth2-token work", timeout: 30s }
                timeout: 90s
            """;

    @Test
    void listShowsEveryProfileWithTheDefaultMarked() {
        String text = ProfileDisplay.list(load(dir, FILE));
        assertThat(text).isEqualTo("""
                  NAME   HOST:PORT             TLS       AUTH     USER
                * work   smtp.example.com:587  starttls  login    guyt
                  local  127.0.0.1:2525        none      login    guyt
                  oauth  [::1]:465             implicit  xoauth2  guyt@example.com
                """);
    }

    @Test
    void listShowsABrokenProfileWithItsError() {
        ProfileFile profiles = load(dir, """
                profiles:
                  base:
                    port: 2525
                  local:
                    extends: base
                    host: 127.0.0.1
                """);
        assertThat(ProfileDisplay.list(profiles)).isEqualTo("""
                  NAME   HOST:PORT       TLS                  AUTH  USER
                  base   error: %s:2: profile 'base': missing host (every profile needs host:, its own or through extends)
                  local  127.0.0.1:2525  starttls-if-offered  none  -
                """.formatted(dir.resolve("profiles.yaml")));
    }

    @Test
    void listOfAnEmptyFileSaysSo() {
        assertThat(ProfileDisplay.list(load(dir, "profiles:\n")))
                .isEqualTo("no profiles in " + dir.resolve("profiles.yaml") + "\n");
    }

    @Test
    void showGivesResolvedValuesWithWhereEachCameFrom() {
        ProfileFile profiles = load(dir, FILE, "LOCAL_HOST", "localhost");
        assertThat(ProfileDisplay.show(profiles, "local")).isEqualTo("""
                # profile 'local' from %s:9
                extends: work
                host: localhost
                port: 2525
                tls: none
                tls_ca: -
                insecure: false            # default
                auth: login                # from work
                username: guyt             # from work
                password: <env WORK_PASS>  # from work
                token: -
                from: guyt@example.com     # from work
                helo: -
                timeout: -                 # engine defaults (RFC 5321 4.5.3.2)
                pipelining: auto           # default
                """.formatted(dir.resolve("profiles.yaml")));
    }

    @Test
    void showMarksTheDefaultAndARefreshingToken() {
        ProfileFile profiles = load(dir, FILE);
        assertThat(ProfileDisplay.show(profiles, "work")).startsWith("# profile 'work' from "
                + dir.resolve("profiles.yaml") + ":3 (the default)\n");
        assertThat(ProfileDisplay.show(profiles, "oauth"))
                .contains("token: <command oauth2-token work>  # run again for each AUTH\n")
                .containsPattern("\nport: 465 +# default\n")
                .contains("timeout: 90s\n");
    }

    @Test
    void showOfUnknownProfileListsTheExistingOnes() {
        ProfileFile profiles = load(dir, FILE);
        assertThatThrownBy(() -> ProfileDisplay.show(profiles, "locl"))
                .hasMessage(dir.resolve("profiles.yaml") + ": no profile 'locl' (did you mean 'local'?);"
                        + " profiles: work, local, oauth");
    }

    @Test
    void secretNeverInProfileShow() {
        write(dir, "pass", "F1leSecret\n", "rw-------");
        write(dir, "cmdpass", "CmdS3cret\n", "rw-------");
        ProfileFile profiles = new ProfileLoader(env(dir, "WORK_PASS", "EnvS3cret")).load(write(dir, """
                default: a
                profiles:
                  a: { host: h, username: u, password: L1teralSecret }
                  b: { host: h, username: u, password: { env: WORK_PASS } }
                  c: { host: h, username: u, password: { file: pass } }
                  d: { host: h, username: u, password: { command: "cat cmdpass" }, token: { env: WORK_PASS } }
                """));
        for (String name : profiles.names()) {
            profiles.get(name).password().reveal();
        }
        StringBuilder shown = new StringBuilder(ProfileDisplay.list(profiles));
        for (String name : profiles.names()) {
            shown.append(ProfileDisplay.show(profiles, name)).append(profiles.get(name));
        }
        assertThat(shown.toString())
                .doesNotContain("L1teralSecret", "EnvS3cret", "F1leSecret", "CmdS3cret")
                .contains("password: <literal>", "password: <env WORK_PASS>", "password: <file pass>",
                        "password: <command cat cmdpass>", "token: <env WORK_PASS>");
    }

    @Test
    void listAndShowNeverReadSecrets() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work:
                    host: h
                    username: u
                    password: { command: "echo x >> ran; echo p" }
                    token: { prompt: true }
                """);
        ProfileDisplay.list(profiles);
        ProfileDisplay.show(profiles, "work");
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void listForDisplayRefusesOnlyTheProfilesHoldingALiteralSecretInAFileOthersCanRead() {
        Path file = write(dir, "profiles.yaml", """
                default: work
                profiles:
                  work:
                    host: smtp.example.com
                    username: guyt
                    password: { env: WORK_PASS }
                  legacy:
                    host: mail.example.com
                    username: guyt
                    password: "literal-Secret-42"
                  child:
                    extends: legacy
                """, "rw-r--r--");
        ProfileLoader loader = new ProfileLoader(env(dir));
        assertThatThrownBy(() -> loader.load(file)).hasMessageContaining("chmod 600");
        ProfileFile shown = loader.loadForDisplay(file);
        assertThat(shown.get("work").host()).isEqualTo("smtp.example.com");
        String refusal = file + ":10: profile 'legacy': password is written in the file, so only its owner may read "
                + file + ", but its permissions are rw-r--r--; fix: chmod 600 " + file;
        assertThatThrownBy(() -> shown.get("legacy")).hasMessage(refusal);
        assertThatThrownBy(() -> shown.get("child")).hasMessage(refusal);
        String text = ProfileDisplay.list(shown);
        assertThat(text).doesNotContain("literal-Secret-42").contains("* work    smtp.example.com:587")
                .contains("  legacy  error: " + refusal).contains("  child   error: " + refusal);
    }
}
