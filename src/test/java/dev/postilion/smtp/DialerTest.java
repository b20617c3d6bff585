package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Name lookup and connecting: a name that does not exist, a lookup that fails for now, several
 * addresses of which the first does not answer, and the end of a session. Every name is resolved by
 * a {@link Resolver} of the test's own: no DNS query leaves the machine, and every address is on
 * loopback.
 */
@Timeout(60)
class DialerTest {

    private static final SessionOptions OPTIONS = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5));

    private final TranscriptRecorder transcript = new TranscriptRecorder();
    private final AtomicInteger lookups = new AtomicInteger();

    /** A resolver that knows only {@code names}; any other name does not exist. */
    private Resolver names(Map<String, List<InetAddress>> names) {
        return host -> {
            lookups.incrementAndGet();
            List<InetAddress> a = names.get(host);
            if (a == null) {
                throw new UnknownHostException(host + ": Name or service not known");
            }
            return a;
        };
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    @DisplayName("NET-01: NXDOMAIN is 'host not found' (kind NO_HOST), asked once, and nothing is dialled")
    void nameThatDoesNotExistIsHostNotFound() {
        try (SmtpSession c = new SmtpSession(OPTIONS.withResolver(names(Map.of())), transcript)) {
            assertThatThrownBy(() -> c.connect("mail.nowhere.test", 25))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.NO_HOST);
                        assertThat(e.stage()).isEqualTo(SmtpStage.CONNECT);
                        assertThat(e.reply()).isNull();
                        assertThat(e.hint()).isEqualTo(SmtpException.Hint.NO_SUCH_HOST);
                    })
                    .hasMessage("CONNECT mail.nowhere.test:25 failed: host not found: 'mail.nowhere.test' does not"
                            + " exist (DNS has no address for it)");
        }
        assertThat(lookups).hasValue(1);
        assertThat(transcript.text()).doesNotContain("Trying");
    }

    @Test
    @DisplayName("NET-01: a name with no address at all is 'host not found' too")
    void nameWithoutAddressesIsHostNotFound() {
        try (SmtpSession c = new SmtpSession(OPTIONS.withResolver(names(Map.of("bare.test", List.of()))), transcript)) {
            assertThatThrownBy(() -> c.connect("bare.test", 25))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_HOST))
                    .hasMessageStartingWith("CONNECT bare.test:25 failed: host not found: 'bare.test' has no address");
        }
    }

    @Test
    @DisplayName("NET-01: SERVFAIL or a lookup timeout is temporary: deferred, not 'host not found'")
    void lookupThatFailsForNowIsTemporary() {
        Resolver servfail = host -> {
            throw new IOException("temporary failure in name resolution for " + host + " (SERVFAIL)");
        };
        try (SmtpSession c = new SmtpSession(OPTIONS.withResolver(servfail), transcript)) {
            assertThatThrownBy(() -> c.connect("mail.example.test", 587))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TEMPORARY))
                    .hasMessage("CONNECT mail.example.test:587 failed: no reply (the host name could not be looked up:"
                            + " temporary failure in name resolution for mail.example.test (SERVFAIL); try again later)");
        }
    }

    @ParameterizedTest
    @DisplayName("NET-01: the system resolver's messages sorted: only 'no such name' is permanent")
    @CsvSource(textBlock = """
            mail.nowhere.test: Name or service not known                    | true
            mail.nowhere.test: No address associated with hostname          | true
            mail.nowhere.test: nodename nor servname provided, or not known | true
            No such host is known (mail.nowhere.test)                       | true
            mail.example.test: Temporary failure in name resolution         | false
            mail.example.test: System error                                 | false
            mail.example.test                                               | false
            """, delimiter = '|')
    void systemResolverCallsOnlyNoSuchNamePermanent(String message, boolean permanent) {
        assertThat(Resolver.saysNoSuchName(message)).isEqualTo(permanent);
    }

    @Test
    @DisplayName("NET-03: the AAAA address refuses, the A address answers: connected in the same attempt")
    void unreachableFirstAddressIsSkippedWithinTheSameAttempt() throws Exception {
        try (FaultServer s = FaultServer.start();
             SmtpSession c = new SmtpSession(OPTIONS.withResolver(names(Map.of("mail.example.test",
                     List.of(ip("::1"), ip("127.0.0.1"))))), transcript)) {
            Reply greeting = c.connect("mail.example.test", s.port());
            assertThat(greeting.code()).isEqualTo(220);
            c.quit();
            assertThat(s.connections()).isEqualTo(1);
            String server = "mail.example.test:" + s.port();
            assertThat(transcript.text()).startsWith("=== Trying " + server + " (::1)...\n"
                + "=== ::1: connection refused; trying the next address\n"
                + "=== Trying " + server + " (127.0.0.1)...\n"
                + "=== Connected to mail.example.test.\n"
                + "<-  220 fault.test ESMTP FaultServer\n");
        }
        assertThat(lookups).hasValue(1);
    }

    @Test
    @DisplayName("NET-03: a black-holed first address gets only its share of the connect timeout; the next one connects")
    void blackHoledFirstAddressLeavesTimeForTheNext() throws Exception {
        try (FaultServer s = FaultServer.start(); BlackHole hole = new BlackHole("127.0.0.2", s.port());
             SmtpSession c = new SmtpSession(OPTIONS.withTimeouts(OPTIONS.timeouts().withConnect(Duration.ofSeconds(4)))
                     .withResolver(names(Map.of("mail.example.test", List.of(ip("127.0.0.2"), ip("127.0.0.1"))))),
                     transcript)) {
            long started = System.nanoTime();
            assertThat(c.connect("mail.example.test", s.port()).code()).isEqualTo(220);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            // The transcript below proves the share was 2 s; a loaded machine may add time, never take it.
            assertThat(took).as("half of the 4 s connect timeout went to the black hole")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            c.quit();
        }
        assertThat(transcript.text()).contains("=== 127.0.0.2: connect timed out after 2s; trying the next address\n"
                + "=== Trying mail.example.test:");
    }

    @Test
    @DisplayName("NET-02/NET-03: every address failing is temporary and names each address's failure")
    void everyAddressFailingIsTemporaryAndNamesEach() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, ip("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        try (SmtpSession c = new SmtpSession(OPTIONS.withResolver(names(Map.of("mail.example.test",
                List.of(ip("::1"), ip("127.0.0.1"))))), transcript)) {
            assertThatThrownBy(() -> c.connect("mail.example.test", port))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TEMPORARY))
                    .hasMessage("CONNECT mail.example.test:" + port + " failed: no reply (::1: connection refused;"
                            + " 127.0.0.1: connection refused)");
        }
    }

    /**
     * An address that swallows connection attempts (a SYN black hole) on loopback: a listener whose
     * accept queue is full, so the kernel drops further SYNs and a connect waits for its timeout.
     */
    private static final class BlackHole implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> fillers = new ArrayList<>();

        BlackHole(String address, int port) throws IOException {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(ip(address), port), 1);
            // Fill the accept queue: connects succeed until it is full; the first that does not is the proof.
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket();
                try {
                    s.connect(listener.getLocalSocketAddress(), 300);
                    fillers.add(s);
                } catch (IOException e) {
                    s.close();
                    return;
                }
            }
            close();
            throw new IllegalStateException("the accept queue of " + address + ":" + port + " never filled up");
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            listener.close();
        }
    }

    @Test
    void theConnectionPhasesArriveAsTypedEventsNotProse() throws Exception {
        List<String> events = new java.util.ArrayList<>();
        dev.postilion.transcript.TranscriptListener typed = new dev.postilion.transcript.TranscriptListener() {
            @Override public void info(String text) { events.add("info " + text); }
            @Override public void connecting(String server, String address) {
                events.add("connecting " + server + " " + address);
            }
            @Override public void addressFailed(String address, String why) { events.add("failed " + address); }
            @Override public void connected(String host) { events.add("connected " + host); }
            @Override public void ehloFallback() { events.add("ehloFallback"); }
            @Override public void quitUnanswered(String waited) { events.add("quitUnanswered " + waited); }
        };
        try (FaultServer s = FaultServer.start().on("EHLO", "502 5.5.2 EH?");
             SmtpSession c = new SmtpSession(OPTIONS.withResolver(names(Map.of("mail.example.test",
                     List.of(ip("::1"), ip("127.0.0.1"))))), typed)) {
            c.open("mail.example.test", s.port(), "client.test");
            c.quit();
            String server = "mail.example.test:" + s.port();
            assertThat(events).containsExactly("connecting " + server + " ::1", "failed ::1",
                    "connecting " + server + " 127.0.0.1", "connected mail.example.test", "ehloFallback");
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            127.0.0.1                   | 127.0.0.1
            ::1                         | ::1
            2001:db8:0:0:1:0:0:1        | 2001:db8::1:0:0:1
            2001:db8:0:1:1:1:1:1        | 2001:db8:0:1:1:1:1:1
            0:0:0:0:0:0:0:0             | ::
            fe80:0:0:0:0:0:0:1          | fe80::1
            """, delimiter = '|')
    void addressesAreNamedAsRfc5952WritesThem(String literal, String text) throws Exception {
        assertThat(Dialer.text(ip(literal))).isEqualTo(text);
    }
}
