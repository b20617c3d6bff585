package dev.postilion.dsl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.postilion.profile.ConnectionPlan;
import dev.postilion.smtp.TlsMode;

/**
 * {@code connect}'s named arguments and the run's options ({@code --tls-ca}, {@code --insecure},
 * {@code --timeout}, {@code --local}, {@code --dry-run}, {@code --connect-to}) as the overrides of a
 * {@link ConnectionPlan}; the plan decides the rest.
 */
final class ConnectOptions {

    private ConnectOptions() {
    }

    /**
     * The overrides of one {@code connect}.
     *
     * @param a the named arguments, already checked against connect's keys
     * @param host the host the script names, or null for the profile's
     * @param resolve turns a script's relative path into a file beside the script
     * @throws ScriptError for a bad TLS mode, port, timeout or a missing tlsCa file
     */
    static ConnectionPlan.Overrides overrides(NamedArgs a, String host, ScriptLocation at, RunOptions run,
            Function<String, Path> resolve) {
        TlsMode tls = null;
        if (a.has("tls")) {
            try {
                tls = TlsMode.parse(a.string("tls"));
            } catch (IllegalArgumentException e) {
                throw new ScriptError(at, "connect: " + e.getMessage());
            }
        }
        Integer port = a.integer("port");
        if (port != null && (port < 1 || port > 65535)) {
            throw new ScriptError(at, "connect: port must be a whole number from 1 to 65535, not " + port);
        }
        List<Path> ca = new ArrayList<>(run.trustedCa());
        if (a.has("tlsCa")) {
            Path caFile = resolve.apply(a.string("tlsCa"));
            if (!Files.exists(caFile)) {
                throw new ScriptError(at, ScriptError.Kind.MISSING_FILE, "connect: tlsCa file " + caFile
                        + " does not exist", null);
            }
            ca.add(caFile);
        }
        Duration timeout = run.timeout();
        if (a.has("timeout")) {
            timeout = ScriptError.duration(at, "connect: timeout", a.string("timeout"));
            if (timeout.isZero()) {
                throw new ScriptError(at, "connect: timeout must be longer than 0 ('30s', '2m')");
            }
        }
        ConnectionPlan.Redirect redirect = run.connectTo() == null ? null : new ConnectionPlan.Redirect(
                run.local() ? "--local" : run.dryRun() ? "--dry-run" : "--connect-to", run.connectTo(),
                run.connectPort(), run.local(), run.dryRun());
        return ConnectionPlan.Overrides.none()
                .withHost(host)
                .withPort(port)
                .withTls(tls)
                .withTlsCa(ca)
                .withInsecure(run.insecure() ? Boolean.TRUE : a.has("insecure") ? a.bool("insecure", false) : null)
                .withAllowCleartextAuth(a.bool("allowCleartextAuth", false))
                .withTimeout(timeout)
                .withPipelining(a.has("pipelining") ? a.bool("pipelining", true) : null)
                .withChunking(a.bool("chunking", false))
                .withRedirect(redirect)
                .withSurroundings(run.resolver(), run.env());
    }
}
