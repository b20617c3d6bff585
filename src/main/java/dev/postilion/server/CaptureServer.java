package dev.postilion.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server for trying things with no mail server: it binds loopback only, offers STARTTLS
 * (a self-signed certificate for localhost) and AUTH PLAIN and LOGIN, writes every message as an
 * {@code .eml} file under its outbox (or, in discard mode, only counts it), and never relays
 * anything anywhere. Built on SubEthaSMTP. Its stand-in mode ({@link #standIn()}, for {@code --dry-run})
 * accepts every command and message and keeps nothing.
 */
public final class CaptureServer implements Closeable {

    /** The server's software name, shown in its greeting. */
    public static final String NAME = "Postilion capture server";

    /**
     * How to run it.
     *
     * @param bind the loopback address to listen on
     * @param port the port; 0 picks a free one
     * @param outbox where messages and the certificate go
     * @param discard count messages without writing them (benchmarks)
     * @param user the one user AUTH accepts, or null to accept any credentials
     * @param password that user's password
     * @param requireTls refuse MAIL before STARTTLS
     */
    public record Settings(InetAddress bind, int port, Path outbox, boolean discard, String user, String password,
                           boolean requireTls) {

        /** Loopback, a free port, any credentials, writing to {@code outbox}. */
        public static Settings local(Path outbox) {
            return new Settings(InetAddress.getLoopbackAddress(), 0, outbox, false, null, null, false);
        }

        public Settings withPort(int p) {
            return new Settings(bind, p, outbox, discard, user, password, requireTls);
        }

        public Settings withDiscard(boolean d) {
            return new Settings(bind, port, outbox, d, user, password, requireTls);
        }

        public Settings withUser(String u, String p) {
            return new Settings(bind, port, outbox, discard, u, p, requireTls);
        }

        public Settings withRequireTls(boolean r) {
            return new Settings(bind, port, outbox, discard, user, password, r);
        }

        public Settings withBind(InetAddress a) {
            return new Settings(a, port, outbox, discard, user, password, requireTls);
        }
    }

    /**
     * One message received.
     *
     * @param file where it was written, or null in discard mode
     * @param from the envelope sender
     * @param to the envelope recipients
     * @param bytes the message size
     */
    public record Captured(Path file, String from, List<String> to, long bytes) {
    }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final SMTPServer server;
    private final StandInListener standIn;
    private final Settings settings;
    private final Path certificate;
    private final AtomicLong count = new AtomicLong();
    private final Consumer<Captured> listener;

    /** Opens a message's temporary file for writing; tests give one whose disk fills up. */
    interface Opener {
        Opener FILE = path -> Files.newOutputStream(path);

        OutputStream open(Path file) throws IOException;
    }

    private final Opener opener;

    private CaptureServer(Settings settings, Consumer<Captured> listener, Opener opener) throws IOException {
        this.opener = opener;
        this.standIn = null;
        if (!settings.bind().isLoopbackAddress()) {
            throw new IOException("the capture server binds loopback addresses only, not " + settings.bind());
        }
        this.settings = settings;
        this.listener = listener == null ? c -> { } : listener;
        Files.createDirectories(settings.outbox());
        TestCertificate cert = TestCertificate.in(settings.outbox());
        this.certificate = cert.pem();
        EasyAuthenticationHandlerFactory auth = new EasyAuthenticationHandlerFactory(this::login);
        this.server = new SMTPServer.Builder()
                .bindAddress(settings.bind())
                .port(settings.port())
                .hostName("localhost")
                .softwareName(NAME)
                .messageHandlerFactory(ctx -> new Handler())
                .authenticationHandlerFactory(auth)
                .enableTLS()
                .requireTLS(settings.requireTls())
                .startTlsSocketFactory(cert.sslContext())
                .maxMessageSize(300 * 1024 * 1024)
                .serverThreadName("postilion-capture")
                .build();
        server.start();
    }

    private CaptureServer() throws IOException {
        this.settings = new Settings(InetAddress.getLoopbackAddress(), 0, null, true, null, null, false);
        this.standIn = new StandInListener(count::incrementAndGet);
        this.server = null;
        this.certificate = null;
        this.listener = c -> { };
        this.opener = Opener.FILE;
    }

    /**
     * Starts the stand-in a {@code --dry-run} talks to instead of the real server: on loopback, it
     * accepts everything (every AUTH, every address, every message) and offers every extension, with
     * no TLS, no outbox and no certificate, and keeps nothing; so a dry run walks the whole script and
     * finds the author's mistakes without touching a real server.
     */
    public static CaptureServer standIn() throws IOException {
        return new CaptureServer();
    }

    /** Starts a server; {@code listener} hears of every message (may be null). */
    public static CaptureServer start(Settings settings, Consumer<Captured> listener) throws IOException {
        return start(settings, listener, Opener.FILE);
    }

    static CaptureServer start(Settings settings, Consumer<Captured> listener, Opener opener) throws IOException {
        try {
            return new CaptureServer(settings, listener, opener);
        } catch (RuntimeException e) {
            throw new IOException("cannot start the capture server on " + settings.bind().getHostAddress() + ":"
                    + settings.port() + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    private void login(String user, String password, MessageContext ctx) throws LoginFailedException {
        if (settings.user() != null
                && (!settings.user().equals(user) || !Objects.equals(settings.password(), password))) {
            throw new LoginFailedException("authentication credentials invalid");
        }
    }

    /** The port it listens on. */
    public int port() {
        return server != null ? server.getPortAllocated() : standIn.port();
    }

    /** The address it listens on, as text. */
    public String host() {
        return settings.bind().getHostAddress();
    }

    /** The PEM of its certificate, for {@code --tls-ca} (null for the stand-in). */
    public Path certificate() {
        return certificate;
    }

    /** Messages received so far. */
    public long messages() {
        return count.get();
    }

    /** Where messages go (null for the stand-in). */
    public Path outbox() {
        return settings.outbox();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        } else {
            standIn.close();
        }
    }

    private final class Handler implements MessageHandler {
        private String from;
        private final List<String> to = new ArrayList<>();

        @Override
        public void from(String address) {
            this.from = address;
        }

        @Override
        public void recipient(String address) {
            to.add(address);
        }

        @Override
        public String data(InputStream data) throws IOException {
            long n = count.incrementAndGet();
            if (settings.discard()) {
                long bytes = data.transferTo(OutputStream.nullOutputStream());
                listener.accept(new Captured(null, from, List.copyOf(to), bytes));
                return null;
            }
            String name = LocalDateTime.now().format(STAMP) + "-" + n + "-" + ProcessHandle.current().pid() + ".eml";
            Path file = settings.outbox().resolve(name);
            Path tmp = settings.outbox().resolve("." + name + ".tmp");
            long bytes;
            boolean moved = false;
            try {
                try (OutputStream out = opener.open(tmp)) {
                    // The envelope, as X- headers above the message, so the file shows who it was for.
                    out.write(("X-Postilion-Envelope-From: <" + from + ">\r\nX-Postilion-Envelope-To: "
                            + String.join(", ", to.stream().map(a -> "<" + a + ">").toList()) + "\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                    bytes = data.transferTo(out);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                moved = true;
            } finally {
                if (!moved) {
                    // A full disk, a client gone mid-DATA: a partial file would only fill the disk further.
                    deleteQuietly(tmp);
                }
            }
            listener.accept(new Captured(file, from, List.copyOf(to), bytes));
            return null;
        }

        private static void deleteQuietly(Path tmp) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // The message is refused either way; nothing better can be done with the leftover.
            }
        }

        @Override
        public void done() {
            // Nothing held between messages.
        }
    }
}
