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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Postfix and Dovecot that {@code scripts/mta-up} runs on 127.0.0.1, as interop tests see
 * them: ports, the test CA, the SASL account and the catch-all Maildir that every message for
 * {@code @postilion.test} lands in.
 *
 * <p>Call {@link #require()} (typically in {@code @BeforeAll}). When the MTA is not there, the test
 * is skipped with the reason on a developer's machine, and fails when {@code CI=true}, so CI can
 * never go green by skipping.
 */
public final class RealMta {

  /** System property or environment variable naming the env file that {@code mta-up} writes. */
  public static final String ENV_FILE_KEY = "POSTILION_MTA_ENV";

  /** Where {@code mta-up} writes the env file unless told otherwise. */
  public static final Path DEFAULT_ENV_FILE = Path.of("/var/lib/postilion-mta/env");

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
  private static final AtomicBoolean skipReported = new AtomicBoolean();

  private final Path envFile;
  private final Map<String, String> values;

  private RealMta(Path envFile, Map<String, String> values) {
    this.envFile = envFile;
    this.values = values;
  }

  /**
   * Returns the running MTA, or ends the calling test: skipped with "real MTA not running: run
   * scripts/mta-up" when it is absent on a developer's machine, failed when {@code CI=true}.
   */
  public static RealMta require() {
    Path envFile = envFile();
    if (!Files.isRegularFile(envFile)) {
      return unavailable("no env file at " + envFile);
    }
    RealMta mta = load(envFile);
    // The env file outlives the daemons (a reboot, a new session): check that someone answers.
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(mta.host(), mta.smtpPort()), (int) CONNECT_TIMEOUT.toMillis());
    } catch (IOException e) {
      return unavailable("nothing answers on " + mta.host() + ":" + mta.smtpPort() + " (" + e.getMessage() + ")");
    }
    return mta;
  }

  /** Reads an env file written by {@code mta-up}, without checking that the MTA runs. */
  public static RealMta load(Path envFile) {
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
    return new RealMta(envFile, Map.copyOf(values));
  }

  private static Path envFile() {
    String configured = System.getProperty(ENV_FILE_KEY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENV_FILE_KEY);
    }
    return configured == null || configured.isBlank() ? DEFAULT_ENV_FILE : Path.of(configured);
  }

  private static RealMta unavailable(String why) {
    String message = "real MTA not running: run scripts/mta-up (" + why + ")";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + "; CI=true, so this is a failure, not a skip");
    }
    // Maven's console shows only a skip count; say why once per test JVM.
    if (!skipReported.getAndSet(true)) {
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

  private String value(String key) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(envFile + " has no " + key + ": run scripts/mta-up again");
    }
    return value;
  }

  private int port(String key) {
    return Integer.parseInt(value(key));
  }

  /** The address every listener binds: 127.0.0.1. */
  public String host() {
    return value("POSTILION_MTA_HOST");
  }

  /** MX-style SMTP: STARTTLS offered, AUTH offered only after STARTTLS, no AUTH needed for local domains. */
  public int smtpPort() {
    return port("POSTILION_MTA_SMTP_PORT");
  }

  /** Submission: STARTTLS required before anything else, AUTH required before RCPT. */
  public int submissionPort() {
    return port("POSTILION_MTA_SUBMISSION_PORT");
  }

  /** SMTPS: TLS from the first byte, AUTH required before RCPT. */
  public int smtpsPort() {
    return port("POSTILION_MTA_SMTPS_PORT");
  }

  /** Like {@link #smtpPort()}, but STARTTLS presents a certificate for wrong-host.postilion.test. */
  public int wrongHostPort() {
    return port("POSTILION_MTA_WRONG_HOST_PORT");
  }

  /** Like {@link #smtpPort()}, but STARTTLS presents a certificate that expired in 2020. */
  public int expiredCertPort() {
    return port("POSTILION_MTA_EXPIRED_PORT");
  }

  /** Like {@link #smtpPort()}, but neither STARTTLS nor AUTH is offered. */
  public int plainPort() {
    return port("POSTILION_MTA_PLAIN_PORT");
  }

  /**
   * Like {@link #submissionPort()}, but every RCPT is put to the policy service at {@link
   * #policyService()}, which a test runs (without it, every RCPT gets a 451).
   */
  public int policyPort() {
    return port("POSTILION_MTA_POLICY_PORT");
  }

  /** Where Postfix asks its policy questions for {@link #policyPort()}: {@code 127.0.0.1:12529}. */
  public java.net.InetSocketAddress policyService() {
    String value = value("POSTILION_MTA_POLICY_SERVICE");
    int colon = value.lastIndexOf(':');
    return new java.net.InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
  }

  /** PEM file of the test CA that signed the server certificates (what {@code --tls-ca} would trust). */
  public Path caFile() {
    return Path.of(value("POSTILION_MTA_CA"));
  }

  /** The SASL user name (PLAIN, LOGIN and CRAM-MD5 work). */
  public String user() {
    return value("POSTILION_MTA_USER");
  }

  /** The SASL password, read from its mode-600 file. */
  public String password() {
    Path file = Path.of(value("POSTILION_MTA_PASSWORD_FILE"));
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the MTA password from " + file, e);
    }
  }

  /** The domain whose every local part is delivered to {@link #maildir()}. */
  public String domain() {
    return values.getOrDefault("POSTILION_MTA_DOMAIN", "postilion.test");
  }

  /** The largest message the MTA accepts, in bytes (its SIZE). */
  public long maxMessageBytes() {
    return Long.parseLong(value("POSTILION_MTA_MAX_MESSAGE_BYTES"));
  }

  /** The catch-all Maildir (with {@code new/}, {@code cur/} and {@code tmp/}). */
  public Path maildir() {
    return Path.of(value("POSTILION_MTA_MAILDIR"));
  }

  /** Postfix's log file, worth quoting when a delivery does not show up. */
  public Path logFile() {
    return Path.of(value("POSTILION_MTA_LOG"));
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
   * Messages delivered for one envelope recipient, matched on the {@code X-Original-To} header that
   * Postfix's local delivery adds. A bare local part means {@code localPart@}{@link #domain()}.
   */
  public List<Path> deliveredTo(String localPartOrAddress) {
    String address = localPartOrAddress.contains("@") ? localPartOrAddress : localPartOrAddress + "@" + domain();
    List<Path> matching = new ArrayList<>();
    for (Path message : deliveredMessages()) {
      String originalTo = header(message, "X-Original-To");
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
    return "RealMta[" + envFile + "]";
  }

  /**
   * Writes an owner-only {@code profiles.yaml} in {@code dir} whose default profile {@code mta}
   * submits here: port 2587, STARTTLS trusting the test CA, AUTH LOGIN as the test user with the
   * password from {@code $MTA_PASS}, from {@code guyt@postilion.test}.
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
        """.formatted(submissionPort(), caFile(), user()));
    Files.setPosixFilePermissions(profiles, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return profiles;
  }
}
