package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.testing.TestTls;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What goes on the wire around STARTTLS, which name the certificate is checked against, and which
 * protocol versions are accepted.
 */
@Timeout(20)
class StartTlsCertificateTest {

    private static final Duration TLS_LIMIT = Duration.ofSeconds(3);

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session() {
        TlsSettings tls = new TlsSettings(TlsMode.STARTTLS, List.of(TestTls.caPem()), false);
        return new SmtpSession(SessionOptions.DEFAULT.withTimeout(TLS_LIMIT).withTls(tls), transcript);
    }

    // ------------------------------------------------------------------ TLS-04

    @Test
    @DisplayName("TLS-04: STARTTLS ends its write and nothing follows it but the TLS handshake, even with PIPELINING")
    void nothingFollowsStarttlsButTheHandshake() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING", "STARTTLS", "8BITMIME");
             Relay relay = new Relay(s.port());
             SmtpSession c = session()) {
            c.open("127.0.0.1", relay.port(), "client.test");
            assertThat(c.isTls()).isTrue();
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("hello\r\n"));
            c.quit();
            s.awaitDisconnect();

            byte[] up = relay.upstream();
            String text = new String(up, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("STARTTLS\r\n") + "STARTTLS\r\n".length();
            assertThat(text.substring(0, end)).isEqualTo("EHLO client.test\r\nSTARTTLS\r\n");
            // The next octets are a TLS record: handshake (22), version 3.x. No plain text came between.
            assertThat(up.length).isGreaterThan(end + 3);
            assertThat(up[end]).isEqualTo((byte) 22);
            assertThat(up[end + 1]).isEqualTo((byte) 3);
            assertThat(text.substring(end)).doesNotContain("EHLO", "MAIL", "RCPT", "AUTH");
            assertThat(s.commandLog()).filteredOn(cmd -> cmd.line().equals("STARTTLS"))
                    .singleElement().satisfies(cmd -> {
                        assertThat(cmd.tls()).isFalse();
                        assertThat(cmd.bufferedBehind()).isZero();
                    });
            assertThat(s.commandLog()).filteredOn(FaultServer.Command::tls).extracting(FaultServer.Command::line)
                    .startsWith("EHLO client.test", "MAIL FROM:<a@x.test>");
        }
    }

    // ------------------------------------------------------------------ TLS-08

    @Test
    @DisplayName("TLS-08: an IP literal is checked against the certificate's IP addresses, never a name found by reverse DNS")
    void anIpLiteralNeedsTheAddressInTheCertificate() throws Exception {
        // 127.0.0.1 reverse-resolves to localhost (on most machines), which this certificate does name.
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.NAME_ONLY);
             SmtpSession c = session()) {
            assertThatThrownBy(() -> c.open("127.0.0.1", s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).startsWith("TLS certificate of 127.0.0.1:" + s.port()
                                + " not trusted: ").endsWith("\n    the certificate does not name '127.0.0.1':"
                                + " connect with the name the certificate carries");
                    });
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
        }
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.ADDRESS_ONLY);
             SmtpSession c = session()) {
            c.open("127.0.0.1", s.port(), "client.test");
            assertThat(c.isTls()).isTrue();
        }
        assertThat(transcript.text()).contains("subjectAltName=[127.0.0.1]")
                .contains("passed host verification (using host 127.0.0.1)");
    }

    @Test
    @DisplayName("TLS-08: a host name is checked as configured, never as the address it resolves to")
    void aHostNameIsCheckedAsConfiguredNotAsItsAddress() throws Exception {
        // localhost resolves to 127.0.0.1, which this certificate does name.
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.ADDRESS_ONLY);
             SmtpSession c = session()) {
            assertThatThrownBy(() -> c.open("localhost", s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).endsWith("\n    the certificate does not name 'localhost':"
                                + " connect with the name the certificate carries");
                    });
        }
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.NAME_ONLY);
             SmtpSession c = session()) {
            c.open("localhost", s.port(), "client.test");
            assertThat(c.isTls()).isTrue();
        }
    }

    // ------------------------------------------------------------------ TLS-09

    @ParameterizedTest(name = "{0}")
    @DisplayName("TLS-09: a server that speaks only TLS 1.0 or 1.1 is refused, naming the protocol; nothing more is sent")
    @CsvSource(textBlock = """
            TLS 1.0 | 1 | the server chose TLS 1.0
            TLS 1.1 | 2 | the server chose TLS 1.1
            """, delimiter = '|')
    void aServerThatChoosesAnObsoleteProtocolIsRefused(String name, int minor, String chose) throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS", "AUTH PLAIN");
             SmtpSession c = session()) {
            s.on("STARTTLS", oldServer(serverHello(minor)));
            assertThatThrownBy(() -> c.open("127.0.0.1", s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.stage()).isEqualTo(SmtpStage.TLS);
                        assertThat(e.getMessage()).startsWith("TLS handshake with 127.0.0.1:" + s.port() + " failed: "
                                + chose + " (").endsWith("\n    TLS 1.0 and 1.1 are refused (RFC 8996: obsolete and"
                                + " insecure); the server must allow TLS 1.2 or 1.3");
                    });
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
        }
    }

    @Test
    @DisplayName("TLS-09: a server that refuses TLS 1.2 and 1.3 with a protocol_version alert is refused, saying why")
    void aServerThatRefusesCurrentProtocolsIsRefused() throws Exception {
        // fatal (2) protocol_version (70) alert in a TLS 1.0 record
        byte[] alert = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS"); SmtpSession c = session()) {
            s.on("STARTTLS", oldServer(alert));
            assertThatThrownBy(() -> c.open("127.0.0.1", s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).isEqualTo("TLS handshake with 127.0.0.1:" + s.port() + " failed:"
                                + " the server accepts neither TLS 1.2 nor TLS 1.3 (it answered with a protocol_version"
                                + " alert), so it speaks only an older protocol such as TLS 1.0 or 1.1\n    TLS 1.0 and"
                                + " 1.1 are refused (RFC 8996: obsolete and insecure); the server must allow TLS 1.2 or 1.3");
                    });
        }
    }

    /**
     * STARTTLS on an old server: 220, then the client's ClientHello is read and answered with
     * {@code answer} (as an old TLS stack would), then nothing more.
     */
    private static FaultServer.Action oldServer(byte[] answer) {
        return (srv, x, line) -> {
            x.reply("220 2.0.0 Ready to start TLS");
            DataInputStream in = new DataInputStream(x.socket().getInputStream());
            byte[] header = new byte[5];
            in.readFully(header);
            assertThat(header[0]).as("a TLS handshake record").isEqualTo((byte) 22);
            in.readFully(new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)]);
            x.write(answer);
            x.stall();
            return false;
        };
    }

    /** A TLS 1.{minor - 1} ServerHello record, as a server limited to that version sends it. */
    private static byte[] serverHello(int minor) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(minor);
        byte[] random = new byte[32];
        Arrays.fill(random, (byte) 0x5a);
        body.writeBytes(random);
        body.write(0);                       // no session id
        body.write(0xc0);                    // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        body.write(0x2f);
        body.write(0);                       // no compression
        byte[] b = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {22, 3, (byte) minor, 0, (byte) (b.length + 4)});
        record.writeBytes(new byte[] {2, 0, 0, (byte) b.length});
        record.writeBytes(b);
        return record.toByteArray();
    }

    /** Forwards one connection to a port on 127.0.0.1 and keeps every octet the client sent, as sent. */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final ByteArrayOutputStream upstream = new ByteArrayOutputStream();
        private final Thread thread;

        Relay(int target) throws IOException {
            thread = new Thread(() -> {
                try (Socket client = listener.accept();
                     Socket server = new Socket(InetAddress.getLoopbackAddress(), target)) {
                    Thread down = new Thread(() -> copy(server, client, null), "relay-down");
                    down.setDaemon(true);
                    down.start();
                    copy(client, server, upstream);
                    down.join(5000);
                } catch (IOException | InterruptedException e) {
                    // The test asserts on what was relayed.
                }
            }, "relay");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private static void copy(Socket from, Socket to, ByteArrayOutputStream keep) {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (keep != null) {
                        synchronized (keep) {
                            keep.write(buf, 0, n);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // One side closed: the relay is done.
            }
        }

        byte[] upstream() throws InterruptedException {
            thread.join(5000);
            synchronized (upstream) {
                return upstream.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
