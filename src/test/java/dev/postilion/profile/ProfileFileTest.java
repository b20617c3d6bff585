package dev.postilion.profile;

import static dev.postilion.profile.ProfilesOnDisk.env;
import static dev.postilion.profile.ProfilesOnDisk.load;
import static dev.postilion.profile.ProfilesOnDisk.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.TlsMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileFileTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("profiles.yaml");
    }

    @Test
    void everyKeyIsRead() {
        write(dir, "ca.pem", "pem", "rw-r--r--");
        ProfileFile profiles = load(dir, """
                default: work
                profiles:
                  work:
                    host: smtp.example.com
                    port: 2587
                    tls: implicit
                    tls_ca: ca.pem
                    insecure: true
                    auth: cram-md5
                    username: guyt
                    password: { env: WORK_PASS }
                    token: { env: WORK_TOKEN }
                    from: guyt@example.com
                    helo: client.example.com
                    timeout: 2m
                    pipelining: off
                    max_recipients: 100
                """);
        Profile work = profiles.defaultProfile();
        assertThat(work.name()).isEqualTo("work");
        assertThat(work.host()).isEqualTo("smtp.example.com");
        assertThat(work.port()).isEqualTo(2587);
        assertThat(work.tls()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(work.tlsCa()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(work.insecure()).isTrue();
        assertThat(work.auth()).isEqualTo("cram-md5");
        assertThat(work.username()).isEqualTo("guyt");
        assertThat(work.password().source()).isEqualTo("<env WORK_PASS>");
        assertThat(work.token().source()).isEqualTo("<env WORK_TOKEN>");
        assertThat(work.from()).isEqualTo("guyt@example.com");
        assertThat(work.helo()).isEqualTo("client.example.com");
        assertThat(work.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(work.pipelining()).isEqualTo(Profile.Pipelining.OFF);
        assertThat(work.maxRecipients()).isEqualTo(100);
        assertThat(work.location()).isEqualTo(new ProfileLocation(file(), 3));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            host: h                                      | none | starttls-if-offered | 25
            {host: h, username: u, password: p}          | auto | starttls            | 587
            {host: h, auth: plain, username: u, password: p} | plain | starttls        | 587
            {host: h, tls: implicit}                     | none | implicit            | 465
            {host: h, port: 465}                         | none | implicit            | 465
            {host: h, tls: none, username: u, password: p} | auto | none              | 587
            {host: h, tls: starttls}                     | none | starttls            | 25
            {host: h, auth: oauthbearer, token: t}       | oauthbearer | starttls     | 587
            """)
    void defaultsFollowTlsAndAuth(String settings, String auth, String tls, int port) {
        String yaml = "profiles:\n  p: " + (settings.startsWith("{") ? settings : "{" + settings + "}") + "\n";
        Profile p = load(dir, yaml).get("p");
        assertThat(p.auth()).isEqualTo(auth);
        assertThat(p.tls().word()).isEqualTo(tls);
        assertThat(p.port()).isEqualTo(port);
        assertThat(p.insecure()).isFalse();
        assertThat(p.pipelining()).isEqualTo(Profile.Pipelining.AUTO);
        assertThat(p.timeout()).isNull();
        assertThat(p.maxRecipients()).as("no limit").isZero();
    }

    @Test
    void unknownKeySuggestsTheNearestOne() {
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  work:
                    hots: smtp.example.com
                """))
                .hasMessage(file() + ":3: profile 'work': unknown key 'hots' (did you mean 'host'?)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void unknownKeyFarFromAnyListsTheValidOnes() {
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  work:
                    host: smtp.example.com
                    colour: blue
                """))
                .hasMessage(file() + ":4: profile 'work': unknown key 'colour' (valid keys: host, port, tls, tls_ca,"
                        + " insecure, auth, username, password, token, from, helo, timeout, pipelining, max_recipients,"
                        + " extends)");
    }

    @Test
    void unknownTopLevelKeyIsNamed() {
        assertThatThrownBy(() -> load(dir, """
                defualt: work
                profiles: {}
                """))
                .hasMessage(file() + ":1: unknown top-level key 'defualt' (did you mean 'default'?)");
        assertThatThrownBy(() -> load(dir, """
                work:
                  host: smtp.example.com
                """))
                .hasMessage(file() + ":1: unknown top-level key 'work' (the top level holds only default: and"
                        + " profiles:; profiles go under profiles:)");
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            port       | '"abc"'            | port must be a whole number from 1 to 65535, not 'abc'
            port       | 70000              | port must be a whole number from 1 to 65535, not '70000'
            port       | 0                  | port must be a whole number from 1 to 65535, not '0'
            port       | 25.5               | port must be a whole number from 1 to 65535, not '25.5'
            tls        | tsl                | tls must be one of none, starttls, starttls-if-offered, implicit, not 'tsl'
            insecure   | maybe              | insecure must be true or false, not 'maybe'
            auth       | logn               | auth must be one of login, plain, cram-md5, xoauth2, oauthbearer, auto, none, not 'logn' (did you mean 'login'?)
            timeout    | soon               | timeout must be a duration like 30s, 2m, 1h, 5d or 500ms (a bare number means seconds), not 'soon'
            timeout    | 0                  | timeout must be more than zero
            pipelining | sometimes          | pipelining must be auto, on or off, not 'sometimes'
            max_recipients | 0              | max_recipients must be a whole number from 1 (Gmail takes 100 per message, Exchange Online 500), not '0'
            max_recipients | lots           | max_recipients must be a whole number from 1 (Gmail takes 100 per message, Exchange Online 500), not 'lots'
            helo       | '[a, b]'           | helo must be a single value, not a list
            from       | '{a: b}'           | from must be a single value, not a mapping
            password   | '[a, b]'           | password must be text or a source such as { env: NAME }, not a list
            """)
    void wrongTypeNamesFileLineProfileAndKey(String key, String value, String message) {
        String yaml = "profiles:\n  work:\n    host: smtp.example.com\n    " + key + ": " + value + "\n";
        assertThatThrownBy(() -> load(dir, yaml))
                .hasMessage(file() + ":4: profile 'work': " + message)
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @ParameterizedTest(name = "[{index}] host: {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            smtp.example.com:587 | host must not include the port ('smtp.example.com:587'); write the port as port: N
            "'smtp example.com'" | host must be a host name or address, not 'smtp example.com'
            """)
    void hostIsOneNameWithoutPort(String host, String message) {
        assertThatThrownBy(() -> load(dir, "profiles:\n  work:\n    host: " + host + "\n"))
                .hasMessage(file() + ":3: profile 'work': " + message);
    }

    @Test
    void ipv6HostsAreAccepted() {
        ProfileFile profiles = load(dir, """
                profiles:
                  a: { host: "::1" }
                  b: { host: "[2001:db8::1]" }
                """);
        assertThat(profiles.get("a").host()).isEqualTo("::1");
        assertThat(profiles.get("b").host()).isEqualTo("2001:db8::1");
    }

    @Test
    void missingHostIsNamed() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work:
                    port: 587
                """);
        assertThatThrownBy(() -> profiles.get("work"))
                .hasMessage(file() + ":2: profile 'work': missing host (every profile needs host:, its own or"
                        + " through extends)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void unknownProfileListsTheExistingOnes() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work: { host: smtp.example.com }
                  local: { host: 127.0.0.1 }
                """);
        assertThatThrownBy(() -> profiles.get("wrok"))
                .hasMessage(file() + ": no profile 'wrok' (did you mean 'work'?); profiles: work, local")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
        assertThatThrownBy(() -> profiles.get("home"))
                .hasMessage(file() + ": no profile 'home'; profiles: work, local");
    }

    @Test
    void unknownProfileInEmptyFileSaysThereAreNone() {
        ProfileFile profiles = load(dir, "profiles:\n");
        assertThatThrownBy(() -> profiles.get("work"))
                .hasMessage(file() + ": no profile 'work'; the file defines no profiles");
    }

    @Test
    void defaultMustNameAProfile() {
        assertThatThrownBy(() -> load(dir, """
                default: wrok
                profiles:
                  work: { host: smtp.example.com }
                """))
                .hasMessage(file() + ":1: default: no profile 'wrok' (did you mean 'work'?); profiles: work");
    }

    @Test
    void noDefaultProfileIsExplained() {
        ProfileFile profiles = load(dir, "profiles:\n  work: { host: smtp.example.com }\n");
        assertThatThrownBy(profiles::defaultProfile)
                .hasMessage(file() + ": no default profile (add default: NAME at the top of the file, or name a profile)");
        assertThat(profiles.select("work").name()).isEqualTo("work");
    }

    @Test
    void selectWithoutNameUsesTheDefault() {
        ProfileFile profiles = load(dir, """
                default: local
                profiles:
                  work: { host: smtp.example.com }
                  local: { host: 127.0.0.1 }
                """);
        assertThat(profiles.select(null).name()).isEqualTo("local");
        assertThat(profiles.names()).containsExactly("work", "local");
    }

    @Test
    void extendsInheritsThenOverrides() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work:
                    host: smtp.example.com
                    port: 587
                    auth: login
                    username: guyt
                    password: { env: WORK_PASS }
                    from: guyt@example.com
                  local:
                    extends: work
                    host: 127.0.0.1
                    port: 2525
                    tls: none
                """);
        Profile local = profiles.get("local");
        assertThat(local.host()).isEqualTo("127.0.0.1");
        assertThat(local.port()).isEqualTo(2525);
        assertThat(local.tls()).isEqualTo(TlsMode.NONE);
        assertThat(local.auth()).isEqualTo("login");
        assertThat(local.username()).isEqualTo("guyt");
        assertThat(local.from()).isEqualTo("guyt@example.com");
        assertThat(local.password()).isSameAs(profiles.get("work").password());
        assertThat(local.location()).isEqualTo(new ProfileLocation(file(), 9));
        Profile work = profiles.get("work");
        assertThat(work.host()).isEqualTo("smtp.example.com");
        assertThat(work.tls()).isEqualTo(TlsMode.STARTTLS);
    }

    @Test
    void extendsListAppliesParentsInOrderThenTheChild() {
        ProfileFile profiles = load(dir, """
                profiles:
                  base:   { host: base.example.com, helo: base, from: base@example.com, timeout: 10 }
                  first:  { extends: base, host: first.example.com, helo: first }
                  second: { extends: base, host: second.example.com }
                  child:
                    extends: [first, second]
                    from: child@example.com
                """);
        Profile child = profiles.get("child");
        assertThat(child.host()).isEqualTo("second.example.com");
        assertThat(child.helo()).isEqualTo("first");
        assertThat(child.from()).isEqualTo("child@example.com");
        assertThat(child.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void emptyValueRemovesAnInheritedOne() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work:
                    host: smtp.example.com
                    username: guyt
                    password: { env: WORK_PASS }
                  relay:
                    extends: work
                    username: ~
                    password:
                """);
        Profile relay = profiles.get("relay");
        assertThat(relay.username()).isNull();
        assertThat(relay.password()).isNull();
        assertThat(relay.auth()).isEqualTo("none");
    }

    @Test
    void extendsOfUnknownProfileIsNamed() {
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  work: { host: smtp.example.com }
                  local:
                    extends: wrok
                """))
                .hasMessage(file() + ":4: profile 'local': extends: no profile 'wrok' (did you mean 'work'?);"
                        + " profiles: work, local");
    }

    @Test
    void cyclicExtendsNamesTheCycle() {
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  a:
                    host: a.example.com
                    extends: b
                  b:
                    extends: [c, a]
                  c:
                    host: c.example.com
                """))
                .hasMessage(file() + ":6: profile 'b': extends cycle: a -> b -> a")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void longerAndSelfCyclesAreNamed() {
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  a: { host: a, extends: b }
                  b: { extends: c }
                  c: { extends: a }
                """))
                .hasMessage(file() + ":4: profile 'c': extends cycle: a -> b -> c -> a");
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  a: { host: a, extends: a }
                """))
                .hasMessage(file() + ":2: profile 'a': extends cycle: a -> a");
    }

    @Test
    void diamondExtendsIsNotACycle() {
        ProfileFile profiles = load(dir, """
                profiles:
                  base: { host: base.example.com, port: 26 }
                  a: { extends: base }
                  b: { extends: base, port: 27 }
                  d: { extends: [a, b] }
                """);
        assertThat(profiles.get("d").port()).isEqualTo(27);
    }

    @Test
    void environmentVariablesExpandInTextValues() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work:
                    host: ${SMTP_HOST}
                    port: ${SMTP_PORT:-2525}
                    helo: ${HELO_NAME:-client}.example.com
                    from: ${EMPTY:-fallback}@example.com
                  escaped:
                    host: h
                    helo: $${literal}
                """, "SMTP_HOST", "smtp.example.com", "EMPTY", "");
        Profile work = profiles.get("work");
        assertThat(work.host()).isEqualTo("smtp.example.com");
        assertThat(work.port()).isEqualTo(2525);
        assertThat(work.helo()).isEqualTo("client.example.com");
        assertThat(work.from()).isEqualTo("fallback@example.com");
        assertThat(profiles.get("escaped").helo()).isEqualTo("${literal}");
    }

    @Test
    void unsetEnvironmentVariableNamesVariableProfileAndLine() {
        ProfileFile profiles = load(dir, """
                profiles:
                  work:
                    host: ${SMTP_HOST}
                  local:
                    host: 127.0.0.1
                """);
        assertThat(profiles.get("local").host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> profiles.get("work"))
                .hasMessage(file() + ":3: profile 'work': host: environment variable SMTP_HOST is not set"
                        + " (write ${SMTP_HOST:-fallback} to give a default)")
                .extracting(e -> ((ProfileException) e).kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }

    @Test
    void expandedValueIsTypeChecked() {
        ProfileFile profiles = load(dir, "profiles:\n  work:\n    host: h\n    port: ${PORT}\n", "PORT", "abc");
        assertThatThrownBy(() -> profiles.get("work"))
                .hasMessage(file() + ":4: profile 'work': port must be a whole number from 1 to 65535, not 'abc'");
    }

    @Test
    void crlfInProfileValueIsRefused() {
        assertThatThrownBy(() -> load(dir, """
                profiles:
                  work:
                    host: smtp.example.com
                    helo: "client\\r\\nMAIL FROM:<evil@example.com>"
                """))
                .hasMessage(file() + ":4: profile 'work': helo contains a CR, LF or NUL character"
                        + " (refused: it could inject SMTP commands or headers)");
    }

    @Test
    void crlfFromEnvironmentExpansionIsRefused() {
        ProfileFile profiles = load(dir, "profiles:\n  work:\n    host: h\n    from: ${FROM}\n",
                "FROM", "a@example.com\r\nRCPT TO:<evil@example.com>");
        assertThatThrownBy(() -> profiles.get("work"))
                .hasMessage(file() + ":4: profile 'work': from contains a CR, LF or NUL character after ${}"
                        + " expansion (refused: it could inject SMTP commands or headers)");
    }

    @Test
    void nulInProfileValueIsRefused() {
        assertThatThrownBy(() -> load(dir, "profiles:\n  work:\n    host: \"smtp\\0.example.com\"\n"))
                .hasMessage(file() + ":3: profile 'work': host contains a CR, LF or NUL character"
                        + " (refused: it could inject SMTP commands or headers)");
    }

    @Test
    void blockScalarWithLineBreakIsRefused() {
        assertThatThrownBy(() -> load(dir, "profiles:\n  work:\n    host: |\n      a\n      b\n"))
                .hasMessage(file() + ":3: profile 'work': host contains a CR, LF or NUL character"
                        + " (refused: it could inject SMTP commands or headers)");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            {host: h, auth: login, password: p}      | auth login needs a username
            {host: h, auth: plain, username: u}      | auth plain needs a password
            {host: h, auth: xoauth2, username: u}    | auth xoauth2 needs a token
            {host: h, auth: oauthbearer}             | auth oauthbearer needs a token
            {host: h, auth: auto, username: u}       | auth auto needs a password or a token
            {host: h, password: p}                   | auth auto needs a username
            """)
    void authNeedsItsCredentials(String settings, String message) {
        ProfileFile profiles = load(dir, "profiles:\n  p: " + settings + "\n");
        assertThatThrownBy(() -> profiles.get("p")).hasMessage(file() + ":2: profile 'p': " + message);
    }

    @Test
    void tlsCaIsRelativeToTheFileAndMustExist() {
        write(dir, "certs/ca.pem", "pem", "rw-r--r--");
        write(dir, "home/ca.pem", "pem", "rw-r--r--");
        ProfileFile profiles = new ProfileLoader(env(dir.resolve("home"))).load(write(dir, """
                profiles:
                  a: { host: h, tls_ca: certs/ca.pem }
                  b: { host: h, tls_ca: ~/ca.pem }
                  c: { host: h, tls_ca: missing.pem }
                """));
        assertThat(profiles.get("a").tlsCa()).isEqualTo(dir.resolve("certs/ca.pem"));
        assertThat(profiles.get("b").tlsCa()).isEqualTo(dir.resolve("home/ca.pem"));
        assertThatThrownBy(() -> profiles.get("c"))
                .hasMessage(file() + ":4: profile 'c': tls_ca file " + dir.resolve("missing.pem") + " not found");
    }

    @Test
    void profileMustBeAMapping() {
        assertThatThrownBy(() -> load(dir, "profiles:\n  work: smtp.example.com\n"))
                .hasMessage(file() + ":2: profile 'work': a profile must be a mapping of settings (host: ..., port: ...),"
                        + " not a single value");
    }

    @Test
    void profileNameIsChecked() {
        assertThatThrownBy(() -> load(dir, "profiles:\n  \"my work\": { host: h }\n"))
                .hasMessage(file() + ":2: profile name 'my work' must start with a letter or digit and hold only"
                        + " letters, digits, '.', '_' and '-'");
    }

    @Test
    void environmentIsReadWhenAProfileIsResolved() {
        Map<String, String> env = env(dir);
        ProfileFile profiles = new ProfileLoader(env).load(write(dir, "profiles:\n  w: { host: '${H}' }\n"));
        env.put("H", "late.example.com");
        assertThat(profiles.get("w").host()).isEqualTo("late.example.com");
    }
}
