package dev.postilion.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.postilion.io.InputFile;
import dev.postilion.profile.ConnectionPlan;
import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileException;
import dev.postilion.profile.ProfileFile;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.auth.AuthMechanisms;
import dev.postilion.smtp.auth.Credentials;
import picocli.CommandLine.Option;

/**
 * Where and how to connect and authenticate, shared by {@code send} and {@code check}. A profile
 * gives defaults; options override it. Passwords come only from a variable, a file, a profile or a
 * no-echo prompt — there is deliberately no option that takes a password.
 */
final class ConnectionOptions {

    /** The most --password-file or --token-file may hold. */
    static final InputFile.Cap SECRET_FILE_CAP = new InputFile.Cap("secret files", 64 << 10);

    @Option(names = {"-s", "--server"}, paramLabel = "HOST[:PORT]", description = "The server ([v6]:port works).")
    String server;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", converter = Converters.Port.class, description = "Port (25; 465 with --tls implicit).")
    Integer port;

    @Option(names = "--tls", paramLabel = "MODE",
            description = "none, starttls (required), starttls-if-offered (default), implicit (port 465).")
    String tls;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Also trust this CA certificate (PEM).")
    List<Path> tlsCa = new ArrayList<>();

    @Option(names = "--insecure", description = "Skip certificate and host name checks (loud; never for real credentials).")
    boolean insecure;

    @Option(names = {"-a", "--auth"}, paramLabel = "MECH",
            description = "login, plain, cram-md5, xoauth2, oauthbearer, digest-md5, ntlm or auto.")
    String auth;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "The user to authenticate as.")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "Read the password from this variable.")
    String passwordEnv;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from the first line of FILE.")
    Path passwordFile;

    @Option(names = "--token-env", paramLabel = "VAR", description = "Read an OAuth 2 token from this variable.")
    String tokenEnv;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Read an OAuth 2 token from FILE.")
    Path tokenFile;

    @Option(names = "--allow-cleartext-auth", description = "Allow AUTH without TLS to a host that is not loopback.")
    boolean allowCleartextAuth;

    @Option(names = "--helo", paramLabel = "NAME", description = "The EHLO name (default: this host's name as `hostname` prints it).")
    String helo;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "Cap every stage's timeout (30s, 2m).")
    Duration timeout;

    @Option(names = "--pipelining", paramLabel = "auto|on|off", converter = Converters.AutoOnOff.class, description = "Use PIPELINING when offered (auto).")
    String pipelining = "auto";

    @Option(names = "--profile", paramLabel = "NAME", description = "Take server, TLS and credentials from a profile.")
    String profile;

    @Option(names = "--profiles", paramLabel = "FILE", description = "The profiles file.")
    Path profilesFile;

    private Profile resolvedProfile;
    private boolean profileResolved;
    /** The profiles file that was looked at for a default and has none, for the "no server" message. */
    private Path noDefaultIn;

    /** A resolved connection: where, how, and as whom. */
    record Target(String host, int port, SessionOptions options, String auth, Credentials credentials, String helo,
                  String from, Profile profile) {
    }

    /** Thrown for a bad option combination or value; carries the exit code. */
    static final class Problem extends Exception {
        final ExitCode code;

        Problem(ExitCode code, String message) {
            super(message);
            this.code = code;
        }
    }

    /**
     * The profile these options use, or null: {@code --profile NAME}, else, when no server is named
     * either, the profiles file's {@code default:} (the rule of every command: run, send, check,
     * profiles test). Reads no secret. With no server, no profile and no profiles file (or one with
     * no default), null: the caller says "no server".
     */
    Profile profile(Io io, String positional) throws Problem {
        if (profileResolved) {
            return resolvedProfile;
        }
        ProfileLoader loader = new ProfileLoader(io.env()).withPrompter(io.prompter());
        try {
            if (profile != null) {
                resolvedProfile = loader.load(profilesFile).get(profile);
            } else if (server == null && positional == null && usableDefault(loader, io)) {
                ProfileFile file = loader.load(profilesFile);
                if (file.defaultName().isPresent()) {
                    resolvedProfile = file.defaultProfile();
                } else {
                    noDefaultIn = file.path();
                }
            }
        } catch (ProfileException e) {
            throw new Problem(ExitCode.of(e), e.getMessage());
        }
        profileResolved = true;
        return resolvedProfile;
    }

    /**
     * Whether to look for a default: when a file was named ({@code --profiles}, {@code
     * $POSTILION_PROFILES}: a missing one is then an error of its own) or the usual file exists.
     */
    private boolean usableDefault(ProfileLoader loader, Io io) {
        String variable = io.env().get(ProfileLoader.PROFILES_VARIABLE);
        return profilesFile != null || (variable != null && !variable.isEmpty()) || Files.exists(loader.locate(null));
    }

    /** The problem of a command that names no server, no profile, and has no default profile. */
    Problem noServer() {
        return new Problem(ExitCode.USAGE, "no server: give --server HOST[:PORT] or --profile NAME"
                + (noDefaultIn != null ? " (" + noDefaultIn + " has no default: profile)"
                : " (or set default: NAME in the profiles file)"));
    }

    /** Checks the option values that need no profile, no secret and no network: a mistake here is exit 64. */
    void checkValues() throws Problem {
        if (auth != null && !auth.equalsIgnoreCase("none") && !auth.equalsIgnoreCase("auto")
                && !AuthMechanisms.SUPPORTED.contains(auth.toUpperCase(java.util.Locale.ROOT))) {
            throw new Problem(ExitCode.USAGE, "--auth " + auth + ": use one of auto, none, "
                    + String.join(", ", AuthMechanisms.SUPPORTED).toLowerCase(java.util.Locale.ROOT));
        }
        if (passwordEnv != null && passwordFile != null) {
            throw new Problem(ExitCode.USAGE, "--password-env and --password-file: give one");
        }
        if (tokenEnv != null && tokenFile != null) {
            throw new Problem(ExitCode.USAGE, "--token-env and --token-file: give one");
        }
        if (tls != null) {
            try {
                TlsMode.parse(tls);
            } catch (IllegalArgumentException e) {
                throw new Problem(ExitCode.USAGE, "--tls: " + e.getMessage());
            }
        }
    }

    /**
     * Resolves options and profile into a target through the one {@link ConnectionPlan}; {@code
     * positional} is check's HOST[:PORT]. The options only fill the plan's overrides.
     */
    Target resolve(Io io, String positional) throws Problem {
        checkValues();
        String host = null;
        Integer prt = port;
        String spec = server != null ? server : positional;
        Profile p = profile(io, positional);
        if (spec != null) {
            try {
                HostPort hp = HostPort.parse(spec, -1);
                host = hp.host();
                if (prt == null && hp.port() > 0) {
                    prt = hp.port();
                }
            } catch (IllegalArgumentException e) {
                throw new Problem(ExitCode.USAGE, "--server " + e.getMessage());
            }
        } else if (p == null) {
            throw noServer();
        }
        List<Path> ca = new ArrayList<>(tlsCa);
        if (p != null && p.tlsCa() != null) {
            ca.add(p.tlsCa());
        }
        for (Path f : ca) {
            if (!Files.exists(f)) {
                throw new Problem(ExitCode.CONFIG, "TLS CA file " + f + " does not exist");
            }
        }
        String mech = auth != null ? auth : p != null && p.authenticates() ? p.auth() : null;
        boolean logsIn = mech != null && !mech.equalsIgnoreCase("none");
        if (!logsIn && (user != null || passwordEnv != null || passwordFile != null || tokenEnv != null
                || tokenFile != null)) {
            throw new Problem(ExitCode.USAGE, "--user, --password-* and --token-* are for AUTH, and no AUTH is asked"
                    + " for: add --auth MECH (or --auth auto)");
        }
        String pw = null;
        String tk = null;
        if (logsIn) {
            if (user == null && (p == null || p.username() == null)) {
                throw new Problem(ExitCode.USAGE, "--auth " + mech + " needs --user (or a profile with username:)");
            }
            pw = secret(io, passwordEnv, passwordFile, "password");
            tk = secret(io, tokenEnv, tokenFile, "token");
        }
        String fpw = pw;
        String ftk = tk;
        ConnectionPlan plan;
        try {
            plan = ConnectionPlan.of(ConnectionPlan.Surface.COMMAND, p, ConnectionPlan.Overrides.none()
                    .withHost(host)
                    .withPort(prt)
                    .withTls(tls == null ? null : TlsMode.parse(tls))
                    .withTlsCa(tlsCa)
                    .withInsecure(insecure ? Boolean.TRUE : null)
                    .withAllowCleartextAuth(allowCleartextAuth)
                    .withTimeout(timeout)
                    .withPipelining(switch (pipelining.toLowerCase(java.util.Locale.ROOT)) {
                        case "on" -> Boolean.TRUE;
                        case "off" -> Boolean.FALSE;
                        default -> null;
                    })
                    .withHelo(helo)
                    .withAuth(auth, user, fpw == null ? null : () -> fpw, ftk == null ? null : () -> ftk)
                    .withSurroundings(io.resolver(), io.env()::get));
        } catch (ConnectionPlan.CredentialsElsewhere e) {
            throw new Problem(ExitCode.CONFIG, "--server " + e.host() + ": " + e.getMessage() + "\n    or give "
                    + e.host() + " credentials of its own: --user with --password-env or --password-file");
        }
        Credentials credentials = plan.credentials();
        if (credentials != null && credentials.password() == null && credentials.token() == null) {
            credentials = prompted(io, plan.mechanism(), credentials.username(), plan.host());
        }
        return new Target(plan.dialHost(), plan.dialPort(), plan.options(), plan.mechanism(), credentials,
                plan.helo(), p != null ? p.from() : null, p);
    }

    /** Asks for the password (or token) on the terminal: nothing else named one. */
    private static Credentials prompted(Io io, String mech, String user, String host) throws Problem {
        boolean wantsToken = mech.equalsIgnoreCase("xoauth2") || mech.equalsIgnoreCase("oauthbearer");
        String what = wantsToken ? "token" : "password";
        char[] typed = io.prompter().apply((wantsToken ? "Token" : "Password") + " for " + user + "@" + host + ": ");
        if (typed == null) {
            throw new Problem(ExitCode.CONFIG, "--auth " + mech + " needs a " + what + " and there is no terminal to"
                    + " ask for it: use --" + what + "-env VAR or --" + what + "-file FILE (or a profile)");
        }
        String value = new String(typed);
        return wantsToken ? Credentials.token(user, () -> value) : Credentials.password(user, () -> value);
    }

    private static String secret(Io io, String env, Path file, String what) throws Problem {
        if (env != null) {
            String v = io.env().get(env);
            if (v == null) {
                throw new Problem(ExitCode.CONFIG, "--" + what + "-env " + env + ": the variable is not set");
            }
            return v;
        }
        if (file != null) {
            String text;
            try {
                text = InputFile.readText(file, SECRET_FILE_CAP);
            } catch (InputFile.Refused e) {
                throw new Problem(e.reason() == InputFile.Reason.MISSING ? ExitCode.NOINPUT : ExitCode.CONFIG,
                        "--" + what + "-file " + e.getMessage());
            }
            String first = text.lines().findFirst().orElse("");
            if (text.isEmpty()) {
                throw new Problem(ExitCode.CONFIG, "--" + what + "-file " + file + " is empty");
            }
            return first;
        }
        return null;
    }
}
