package dev.postilion.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * A real MTA on 127.0.0.1, as interop tests see it: ports, the test CA, the SASL account and the
 * catch-all Maildir that every message for {@code @postilion.test} lands in. Two are set up:
 * Postfix with Dovecot SASL by {@code scripts/mta-up}, and Exim by {@code scripts/exim-up} (which
 * {@code mta-up} runs at its end); see {@link Server}.
 *
 * <p>Call {@link #require()} or {@link #require(Server)} (typically in {@code @BeforeEach}). When
 * the MTA is not there, the test is skipped with the reason on a developer's machine, and fails when
 * {@code CI=true}, so CI can never go green by skipping.
 */
public final class RealMta {

  /** System property or environment variable naming the env file that {@code mta-up} writes. */
  public static final String ENV_FILE_KEY = "POSTILION_MTA_ENV";

  /** Where {@code mta-up} writes the env file unless told otherwise. */
  public static final Path DEFAULT_ENV_FILE = Path.of("/var/lib/postilion-mta/env");

  /** Which real MTA: each has its own script, env file, key prefix and Maildir. */
  public enum Server {
    /**
     * Postfix + Dovecot from {@code scripts/mta-up}: SMTP, submission, SMTPS and the TLS fault ports.
     * Local delivery adds {@code X-Original-To}.
     */
    POSTFIX("Postfix", "scripts/mta-up", ENV_FILE_KEY, DEFAULT_ENV_FILE, "POSTILION_MTA_", "X-Original-To"),
    /**
     * Exim from {@code scripts/exim-up}: one SMTP port (STARTTLS offered, AUTH after TLS), so only
     * {@link RealMta#smtpPort()} of the port methods applies. Its Maildir transport adds {@code Envelope-to}.
     */
    EXIM("Exim", "scripts/exim-up", "POSTILION_EXIM_ENV", Path.of("/var/lib/postilion-exim/env"), "POSTILION_EXIM_",
        "Envelope-to");

    private final String title;
    private final String script;
    private final String envFileKey;
    private final Path defaultEnvFile;
    private final String prefix;
    private final String recipientHeader;
    private final AtomicBoolean skipReported = new AtomicBoolean();

    Server(String title, String script, String envFileKey, Path defaultEnvFile, String prefix, String recipientHeader) {
      this.title = title;
      this.script = script;
      this.envFileKey = envFileKey;
      this.defaultEnvFile = defaultEnvFile;
      this.prefix = prefix;
      this.recipientHeader = recipientHeader;
    }

    @Override
    public String toString() {
      return title;
    }
  }

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  private final Server server;
  private final Path envFile;
  private final Map<String, String> values;

  private RealMta(Server server, Path envFile, Map<String, String> values) {
    this.server = server;
    this.envFile = envFile;
    this.values = values;
  }

  /**
   * Returns the running Postfix, or ends the calling test: skipped with "real MTA not running: run
   * scripts/mta-up" when it is absent on a developer's machine, failed when {@code CI=true}.
   */
  public static RealMta require() {
    return require(Server.POSTFIX);
  }

  /**
   * Returns that running MTA, or ends the calling test: skipped with the reason and the script to run
   * when it is absent on a developer's machine, failed when {@code CI=true}.
   */
  public static RealMta require(Server server) {
    Path envFile = envFile(server);
    if (!Files.isRegularFile(envFile)) {
      return unavailable(server, "no env file at " + envFile);
    }
    RealMta mta = load(server, envFile);
    // The env file outlives the daemons (a reboot, a new session): check that someone answers.
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(mta.host(), mta.smtpPort()), (int) CONNECT_TIMEOUT.toMillis());
    } catch (IOException e) {
      return unavailable(server, "nothing answers on " + mta.host() + ":" + mta.smtpPort() + " (" + e.getMessage() + ")");
    }
    return mta;
  }

  /** Reads an env file written by {@code mta-up}, without checking that the MTA runs. */
  public static RealMta load(Path envFile) {
    return load(Server.POSTFIX, envFile);
  }

  /** Reads an env file written by that server's script, without checking that the MTA runs. */
  public static RealMta load(Server server, Path envFile) {
    Map<String, String> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
        String trimmed = line.strip();
        int eq = trimmed.indexOf('=');
        if (trimmed.isEmpty() || trimmed.startsWith("#") || eq < 1) {
          continue;
        }
        values.put(trimmed.substring(0, eq), unquote(trimmed.substring(eq + 1)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + envFile, e);
    }
    return new RealMta(server, envFile, Map.copyOf(values));
  }

  private static Path envFile(Server server) {
    String configured = System.getProperty(server.envFileKey);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(server.envFileKey);
    }
    return configured == null || configured.isBlank() ? server.defaultEnvFile : Path.of(configured);
  }

  private static RealMta unavailable(Server server, String why) {
    String message = server == Server.POSTFIX
        ? "real MTA not running: run scripts/mta-up (" + why + ")"
        : server + " not running: run " + server.script + ", or scripts/mta-up, which runs it (" + why + ")";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + "; CI=true, so this is a failure, not a skip");
    }
    // Maven's console shows only a skip count; say why once per test JVM and server.
    if (!server.skipReported.getAndSet(true)) {
      System.err.println("[SKIPPED] " + message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  private static String unquote(String value) {
    if (value.length() >= 2
        && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  /**
   * The value of {@code prefix + key}, e.g. {@code POSTILION_EXIM_} + {@code HOST}: a system property
   * or environment variable of that name wins over the env file's line (for an MTA set up by hand,
   * or one whose ports were moved), else the env file's.
   */
  private String value(String key) {
    String name = server.prefix + key;
    String override = System.getProperty(name, System.getenv(name));
    if (override != null && !override.isBlank()) {
      return override.strip();
    }
    String value = values.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(envFile + " has no " + server.prefix + key + " (the file is written by "
          + server.script + ", and " + server + " may not have it)");
    }
    return value;
  }

  private int port(String key) {
    return Integer.parseInt(value(key));
  }

  /** Which MTA this is. */
  public Server server() {
    return server;
  }

  /** The address every listener binds: 127.0.0.1. */
  public String host() {
    return value("HOST");
  }

  /**
   * MX-style SMTP: STARTTLS offered, AUTH offered only after STARTTLS, no AUTH needed for local domains.
   * The only port both servers have (by default 12525 for Postfix, 12625 for Exim; see scripts/mta-up).
   */
  public int smtpPort() {
    return port("SMTP_PORT");
  }

  /** Submission: STARTTLS required before anything else, AUTH required before RCPT. */
  public int submissionPort() {
    return port("SUBMISSION_PORT");
  }

  /** SMTPS: TLS from the first byte, AUTH required before RCPT. */
  public int smtpsPort() {
    return port("SMTPS_PORT");
  }

  /** Like {@link #smtpPort()}, but STARTTLS presents a certificate for wrong-host.postilion.test. */
  public int wrongHostPort() {
    return port("WRONG_HOST_PORT");
  }

  /** Like {@link #smtpPort()}, but STARTTLS presents a certificate that expired in 2020. */
  public int expiredCertPort() {
    return port("EXPIRED_PORT");
  }

  /** Like {@link #smtpPort()}, but neither STARTTLS nor AUTH is offered. */
  public int plainPort() {
    return port("PLAIN_PORT");
  }

  /**
   * Like {@link #submissionPort()}, but every RCPT is put to the policy service at {@link
   * #policyService()}, which a test runs (without it, every RCPT gets a 451).
   */
  public int policyPort() {
    return port("POLICY_PORT");
  }

  /** Where Postfix asks its policy questions for {@link #policyPort()}: {@code 127.0.0.1:12530} by default. */
  public java.net.InetSocketAddress policyService() {
    String value = value("POLICY_SERVICE");
    int colon = value.lastIndexOf(':');
    return new java.net.InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
  }

  /** PEM file of the test CA that signed the server certificates (what {@code --tls-ca} would trust). */
  public Path caFile() {
    return Path.of(value("CA"));
  }

  /** The SASL user name (PLAIN, LOGIN and CRAM-MD5 work). */
  public String user() {
    return value("USER");
  }

  /** The SASL password, read from its mode-600 file. */
  public String password() {
    Path file = Path.of(value("PASSWORD_FILE"));
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the MTA password from " + file, e);
    }
  }

  /** The domain whose every local part is delivered to {@link #maildir()}. */
  public String domain() {
    return values.getOrDefault(server.prefix + "DOMAIN", "postilion.test");
  }

  /** The largest message the MTA accepts, in bytes (its SIZE). */
  public long maxMessageBytes() {
    return Long.parseLong(value("MAX_MESSAGE_BYTES"));
  }

  /** The catch-all Maildir (with {@code new/}, {@code cur/} and {@code tmp/}). */
  public Path maildir() {
    return Path.of(value("MAILDIR"));
  }

  /** The MTA's main log file, worth quoting when a delivery does not show up. */
  public Path logFile() {
    return Path.of(value("LOG"));
  }

  /** An SSL context that trusts the test CA and nothing else. */
  public SSLContext sslContext() {
    try (InputStream in = Files.newInputStream(caFile())) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("postilion-test-ca-" + i++, ca);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the test CA from " + caFile(), e);
    }
  }

  /**
   * Every message delivered so far (files in {@code new/} and {@code cur/}), oldest first. Includes
   * anything other tests delivered: prefer {@link #deliveredTo(String)} with a unique recipient.
   */
  public List<Path> deliveredMessages() {
    List<Path> messages = new ArrayList<>();
    for (String sub : List.of("new", "cur")) {
      try (Stream<Path> files = Files.list(maildir().resolve(sub))) {
        files.filter(Files::isRegularFile).forEach(messages::add);
      } catch (NoSuchFileException e) {
        // Maildir subfolder not created yet: nothing delivered there.
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + maildir().resolve(sub) + " (run tests as root?)", e);
      }
    }
    messages.sort(Comparator.comparing((Path p) -> lastModified(p)).thenComparing(Path::toString));
    return messages;
  }

  /**
   * Messages delivered for one envelope recipient, matched on the header that local delivery adds
   * ({@code X-Original-To} from Postfix, {@code Envelope-to} from Exim). A bare local part means
   * {@code localPart@}{@link #domain()}.
   */
  public List<Path> deliveredTo(String localPartOrAddress) {
    String address = localPartOrAddress.contains("@") ? localPartOrAddress : localPartOrAddress + "@" + domain();
    List<Path> matching = new ArrayList<>();
    for (Path message : deliveredMessages()) {
      String originalTo = header(message, server.recipientHeader);
      if (originalTo != null && originalTo.equalsIgnoreCase(address)) {
        matching.add(message);
      }
    }
    return matching;
  }

  /**
   * Polls until at least {@code count} messages for the recipient have been delivered, or the
   * timeout passes; returns what was there at the end either way, so the caller asserts on it.
   */
  public List<Path> awaitDeliveredTo(String localPartOrAddress, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Path> delivered = deliveredTo(localPartOrAddress);
    while (delivered.size() < count && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      delivered = deliveredTo(localPartOrAddress);
    }
    return delivered;
  }

  /**
   * Copies delivered per value of a header ({@code Message-ID}, or {@link #recipientHeader()} for
   * the envelope recipient), counting the messages whose value {@code matches}: polls until at
   * least {@code count} have arrived and {@code settled} says nothing more is on its way, or the
   * timeout passes; returns what was there at the end either way, so the caller asserts on it.
   */
  public Map<String, Integer> awaitCounts(String header, Predicate<String> matches, int count, Duration timeout,
      BooleanSupplier settled) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Integer> seen = new HashMap<>();
    Set<Path> counted = new HashSet<>();
    while (true) {
      for (Path p : deliveredMessages()) {
        if (counted.contains(p)) {
          continue;
        }
        String value = header(p, header);
        if (value != null && matches.test(value)) {
          seen.merge(value, 1, Integer::sum);
          counted.add(p);
        }
      }
      if (counted.size() >= count && settled.getAsBoolean() || System.nanoTime() > deadline) {
        return seen;
      }
      Thread.sleep(200);
    }
  }

  /** Deletes the delivered messages whose {@code header} value {@code matches}. */
  public void remove(String header, Predicate<String> matches) {
    for (Path p : deliveredMessages()) {
      String value = header(p, header);
      if (value != null && matches.test(value)) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + p, e);
        }
      }
    }
  }

  /** The header local delivery adds with the envelope recipient: {@code X-Original-To} (Postfix), {@code Envelope-to} (Exim). */
  public String recipientHeader() {
    return server.recipientHeader;
  }

  /** Deletes every delivered message ({@code new/} and {@code cur/}); deliveries in progress in {@code tmp/} are left alone. */
  public void clearMailbox() {
    for (Path message : deliveredMessages()) {
      try {
        Files.deleteIfExists(message);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + message, e);
      }
    }
  }

  /** The unfolded value of the first header with that name, or null; reads the header section only. */
  static String header(Path message, String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    // SMTPUTF8 addresses arrive as UTF-8; malformed bytes become U+FFFD instead of failing the read.
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(Files.newInputStream(message), StandardCharsets.UTF_8))) {
      StringBuilder current = null;
      for (String line = reader.readLine(); line != null && !line.isEmpty(); line = reader.readLine()) {
        boolean continuation = line.startsWith(" ") || line.startsWith("\t");
        if (current != null && continuation) {
          current.append(' ').append(line.strip());
          continue;
        }
        if (current != null) {
          break;
        }
        if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          current = new StringBuilder(line.substring(prefix.length()).strip());
        }
      }
      return current == null ? null : current.toString();
    } catch (NoSuchFileException e) {
      return null; // moved from new/ to cur/ or deleted meanwhile
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + message, e);
    }
  }

  private static long lastModified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "RealMta[" + server + " " + envFile + "]";
  }

  /**
   * Writes an owner-only {@code profiles.yaml} in {@code dir} whose default profile {@code mta}
   * submits here: port 2587 (Postfix) or 2625 (Exim), STARTTLS trusting the test CA, AUTH LOGIN as
   * the test user with the password from {@code $MTA_PASS}, from {@code guyt@postilion.test}.
   */
  public Path writeProfiles(Path dir) throws IOException {
    Path profiles = dir.resolve("profiles.yaml");
    Files.writeString(profiles, """
        default: mta
        profiles:
          mta:
            host: localhost
            port: %d
            tls: starttls
            tls_ca: %s
            auth: login
            username: %s
            password: { env: MTA_PASS }
            from: guyt@postilion.test
        """.formatted(server == Server.POSTFIX ? submissionPort() : smtpPort(), caFile(), user()));
    Files.setPosixFilePermissions(profiles, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return profiles;
  }
}
