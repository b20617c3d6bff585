package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.Batch;
import dev.postilion.batch.BatchOptions;
import dev.postilion.batch.BatchResult;
import dev.postilion.batch.Outcome;
import dev.postilion.batch.RowSource;
import dev.postilion.batch.SessionFactory;
import dev.postilion.cli.Io;
import dev.postilion.cli.Main;
import dev.postilion.dsl.RunOptions;
import dev.postilion.dsl.ScriptRunner;
import dev.postilion.message.MessageSpec;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.MessageContent;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.TlsSettings;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Postilion against a second real MTA: the Exim that {@code scripts/exim-up} runs on 127.0.0.1
 * (STARTTLS offered, AUTH after TLS, PIPELINING, CHUNKING, 8BITMIME, SMTPUTF8, DSN). Every message
 * goes to a unique {@code @postilion.test} address and is looked for in Exim's Maildir.
 */
@Timeout(120)
class EximInteropIT {

    private static final Duration DELIVERY = Duration.ofSeconds(15);
    private static final Pattern QUEUE_ID = Pattern.compile("\\bid=(\\S+)");

    @TempDir
    Path dir;

    private RealMta exim;
    private final TranscriptRecorder transcript = new TranscriptRecorder();

    @BeforeEach
    void requireExim() {
        exim = RealMta.require(RealMta.Server.EXIM);
    }

    private String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID() + "@" + exim.domain();
    }

    private SmtpSession plain() {
        return new SmtpSession(SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(30)), transcript);
    }

    private SmtpSession starttls(SessionOptions options) {
        return new SmtpSession(options.withTimeout(Duration.ofSeconds(30))
                .withTls(new TlsSettings(TlsMode.STARTTLS, List.of(exim.caFile()), false)), transcript);
    }

    private static String message(String subject, String body) {
        return "From: guyt@postilion.test\nTo: someone@postilion.test\nSubject: " + subject + "\n\n" + body;
    }

    /** The one message delivered for {@code to}, as text; fails (quoting the log's place) if there is not exactly one. */
    private String deliveredOnce(String to) throws IOException {
        List<Path> got = exim.awaitDeliveredTo(to, 1, DELIVERY);
        assertThat(got).as("messages for %s in %s (see %s)", to, exim.maildir(), exim.logFile()).hasSize(1);
        return Files.readString(got.get(0), StandardCharsets.UTF_8);
    }

    @Test
    void plainSendIsDeliveredOnceAndOutsideDomainsAreRefusedAtRcpt() throws Exception {
        String to = unique("exim-plain");
        String subject = "EximInteropIT " + UUID.randomUUID();
        try (SmtpSession s = plain()) {
            s.open(exim.host(), exim.smtpPort(), "client.postilion.test");
            assertThat(transcript.text()).contains("ESMTP Exim");
            SendResult r = s.send(Envelope.of("guyt@postilion.test", List.of(to, "victim@elsewhere.example")),
                    MessageContent.of(message(subject, "hello from Postilion\n")));
            assertThat(r.delivered()).as(transcript.text()).isTrue();
            assertThat(r.accepted()).containsExactly(to);
            assertThat(r.refused()).singleElement().satisfies(rr -> {
                assertThat(rr.address()).isEqualTo("victim@elsewhere.example");
                assertThat(rr.reply().code()).isEqualTo(550);
                assertThat(rr.reply().lines()).anyMatch(l -> l.contains("relay not permitted"));
            });
            s.quit();
        }
        assertThat(deliveredOnce(to)).contains("Subject: " + subject).contains("by exim.postilion.test with esmtp ")
                .contains("hello from Postilion");
    }

    @ParameterizedTest(name = "AUTH {0}")
    @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5"})
    void starttlsThenAuthIsAcceptedAndOfferedOnlyInsideTls(String mechanism) throws Exception {
        String to = unique("exim-auth-" + mechanism.toLowerCase(Locale.ROOT));
        try (SmtpSession s = plain()) {
            s.open(exim.host(), exim.smtpPort(), "client.postilion.test");
            assertThat(s.capabilities().startTls()).isTrue();
            assertThat(s.capabilities().authMechanisms()).as("AUTH before TLS").isEmpty();
            s.quit();
        }
        try (SmtpSession s = starttls(SessionOptions.DEFAULT)) {
            s.open("localhost", exim.smtpPort(), "client.postilion.test");
            assertThat(s.isTls()).isTrue();
            assertThat(s.capabilities().authMechanisms()).contains("PLAIN", "LOGIN", "CRAM-MD5");
            Reply auth = s.auth(mechanism, Credentials.password(exim.user(), exim::password));
            assertThat(auth.code()).as(transcript.text()).isEqualTo(235);
            assertThat(s.send(Envelope.of("guyt@postilion.test", List.of(to)),
                    MessageContent.of(message("auth " + mechanism, "authenticated\n"))).delivered()).isTrue();
            s.quit();
        }
        // Exim's Received header says esmtpsa: ESMTP, secured by TLS, authenticated.
        assertThat(deliveredOnce(to)).contains("with esmtpsa ");
        assertThat(transcript.text()).contains(" ~> AUTH " + mechanism).contains("<~  235")
                .doesNotContain(exim.password());
    }

    @Test
    void wrongPasswordIsRefusedWith535() throws Exception {
        try (SmtpSession s = starttls(SessionOptions.DEFAULT)) {
            s.open("localhost", exim.smtpPort(), "client.postilion.test");
            Reply auth = s.auth("PLAIN", Credentials.password(exim.user(), () -> "not-the-password"));
            assertThat(auth.code()).as(transcript.text()).isEqualTo(535);
            assertThat(s.isAuthenticated()).isFalse();
        }
    }

    @Test
    void pipeliningWritesMailRcptAndDataBeforeReadingAnyReply() throws Exception {
        String a = unique("exim-pipe-a");
        String b = unique("exim-pipe-b");
        Reply end;
        try (SmtpSession s = plain()) {
            s.open(exim.host(), exim.smtpPort(), "client.postilion.test");
            assertThat(s.capabilities().pipelining()).isTrue();
            SendResult r = s.send(Envelope.of("guyt@postilion.test", List.of(a, b)),
                    MessageContent.of(message("pipelined", "two recipients, one write\n")));
            assertThat(r.delivered()).as(transcript.text()).isTrue();
            assertThat(r.accepted()).containsExactly(a, b);
            end = r.end();
            s.quit();
        }
        List<String> lines = transcript.text().lines().toList();
        int mail = indexOfFirst(lines, " -> MAIL FROM:");
        assertThat(mail).as(transcript.text()).isNotNegative();
        assertThat(lines.subList(mail, mail + 8)).as(transcript.text())
                .extracting(l -> l.substring(0, 8))
                .containsExactly(" -> MAIL", " -> RCPT", " -> RCPT", " -> DATA", "<-  250 ", "<-  250 ", "<-  250 ",
                        "<-  354 ");
        deliveredOnce(a);
        deliveredOnce(b);
        // Exim's own view (log_selector +pipelining): "L" on the arrival line means the client pipelined.
        assertThat(arrivalLogLine(end)).containsPattern(" L ");
    }

    @Test
    void eightBitBodyGoesWith8BitMimeAndArrivesUnchanged() throws Exception {
        String to = unique("exim-8bit");
        String body = "Grüße — Ünïcödé ✓ ½ €\n";
        try (SmtpSession s = plain()) {
            s.open(exim.host(), exim.smtpPort(), "client.postilion.test");
            assertThat(s.capabilities().eightBitMime()).isTrue();
            assertThat(s.send(Envelope.of("guyt@postilion.test", List.of(to)), MessageContent.of(
                    "Subject: 8bit\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                            + "Content-Transfer-Encoding: 8bit\n\n" + body)).delivered()).isTrue();
            s.quit();
        }
        assertThat(transcript.text()).containsPattern(" -> MAIL FROM:<guyt@postilion.test> .*BODY=8BITMIME");
        assertThat(deliveredOnce(to)).endsWith("\n" + body);
    }

    @Test
    void nonAsciiAddressGoesWithSmtpUtf8AndIsDelivered() throws Exception {
        String to = "grüße-" + UUID.randomUUID() + "@" + exim.domain();
        try (SmtpSession s = plain()) {
            s.open(exim.host(), exim.smtpPort(), "client.postilion.test");
            // Debian's exim4-daemon-light is built with I18N, and exim-up advertises it to everyone.
            assertThat(s.capabilities().smtpUtf8()).isTrue();
            assertThat(s.send(Envelope.of("guyt@postilion.test", List.of(to)),
                    MessageContent.of("Subject: Grüße an " + to + "\n\nSMTPUTF8\n")).delivered()).as(transcript.text())
                    .isTrue();
            s.quit();
        }
        assertThat(transcript.text()).contains(" -> RCPT TO:<" + to + ">")
                .containsPattern(" -> MAIL FROM:<guyt@postilion.test> .*SMTPUTF8");
        assertThat(deliveredOnce(to)).contains("Subject: Grüße an " + to);
    }

    @Test
    void bdatSendsSeveralChunksWithoutDotStuffing() throws Exception {
        String to = unique("exim-bdat");
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append(i % 10 == 0 ? "." : "").append("line ").append(i).append(" of a chunked message\n");
        }
        try (SmtpSession s = plain()) {
            s.open(exim.host(), exim.smtpPort(), "client.postilion.test");
            assertThat(s.capabilities().chunking()).isTrue();
            assertThat(s.mail("guyt@postilion.test", null).code()).isEqualTo(250);
            assertThat(s.rcpt(to, null).code()).isEqualTo(250);
            Reply end = s.bdat(MessageContent.of(message("chunked", body.toString())), 1024);
            assertThat(end.code()).as(transcript.text()).isEqualTo(250);
            s.quit();
        }
        assertThat(transcript.text().lines().filter(l -> l.matches(" -> BDAT 1024"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(transcript.text()).containsPattern(" -> BDAT \\d+ LAST");
        String stored = deliveredOnce(to);
        // BDAT carries the octets as they are: a leading dot arrives single, never doubled or lost.
        assertThat(stored).endsWith("\n" + body).contains("\n.line 90 of a chunked message\n");
    }

    @Test
    void sendUsesBdatWhenChunkingIsOnAndPipelinesTheEnvelope() throws Exception {
        String to = unique("exim-bdat-send");
        try (SmtpSession s = starttls(SessionOptions.DEFAULT.withChunking(true))) {
            s.open("localhost", exim.smtpPort(), "client.postilion.test");
            s.auth("LOGIN", Credentials.password(exim.user(), exim::password));
            assertThat(s.send(Envelope.of("guyt@postilion.test", List.of(to)),
                    MessageContent.of(message("bdat via send", "one chunk\n"))).delivered()).as(transcript.text())
                    .isTrue();
            s.quit();
        }
        assertThat(transcript.text()).containsPattern(" ~> BDAT \\d+ LAST").doesNotContain(" ~> DATA");
        assertThat(deliveredOnce(to)).contains("with esmtpsa ").endsWith("\none chunk\n");
    }

    @ParameterizedTest(name = "postilion send --auth {0}")
    @ValueSource(strings = {"plain", "login"})
    void cliSendWithStarttlsAndAuthDeliversAndMasksThePassword(String mechanism) throws Exception {
        String to = unique("exim-cli-" + mechanism);
        Run run = cli("send", "--server", "localhost:" + exim.smtpPort(), "--tls", "starttls", "--tls-ca",
                exim.caFile().toString(), "--auth", mechanism, "--user", exim.user(), "--password-env", "MTA_PASS",
                "--from", "guyt@postilion.test", "--to", to, "--subject", "cli " + mechanism, "--body", "via the CLI");
        assertThat(run.code()).as(run.all()).isZero();
        // PLAIN's secret is its initial response; LOGIN's are the answers to Exim's two prompts.
        List<String> masked = mechanism.equals("plain") ? List.of(" ~> AUTH PLAIN ********")
                : List.of(" ~> AUTH LOGIN", "<~  334 VXNlcm5hbWU6   [Username:]", "<~  334 UGFzc3dvcmQ6   [Password:]",
                        " ~> ********");
        assertThat(run.out()).contains("ESMTP Exim", "=== TLS started with protocol", "<~  235")
                .contains(masked);
        assertThat(run.all()).doesNotContain(exim.password())
                .doesNotContain(Base64.getEncoder().encodeToString(exim.password().getBytes(StandardCharsets.UTF_8)));
        assertThat(deliveredOnce(to)).contains("with esmtpsa ").contains("via the CLI");
    }

    @Test
    void cliWrongPasswordExits77WithEximsReply() {
        Run run = cli("send", "--server", "localhost:" + exim.smtpPort(), "--tls", "starttls", "--tls-ca",
                exim.caFile().toString(), "--auth", "login", "--user", exim.user(), "--password-env", "BAD",
                "--from", "guyt@postilion.test", "--to", unique("exim-cli-bad"), "-q");
        assertThat(run.code()).as(run.all()).isEqualTo(77);
        assertThat(run.err()).contains("AUTH LOGIN refused").contains("535");
    }

    @Test
    void dslScriptWithStarttlsAuthAndDsnKeywordsDelivers() throws Exception {
        String to = unique("exim-dsl");
        ScriptRunner.Result r = runScript("exim.groovy", """
                connect 'localhost', port: %d, tls: 'starttls', tlsCa: '%s'
                ehlo 'client.postilion.test'
                auth plain: '%s', password: env('MTA_PASS')
                mail from: 'guyt@postilion.test', ret: 'HDRS', envid: 'exim-dsl-1'
                expect 550, { rcpt to: 'victim@elsewhere.example' }
                rcpt to: '%s', notify: 'FAILURE'
                data {
                    subject 'Grüße from a script'
                    text 'Please send cheque soonest'
                }
                quit
                """.formatted(exim.smtpPort(), exim.caFile(), exim.user(), to));
        assertThat(r.problems()).as(transcript.text()).isEmpty();
        assertThat(transcript.text()).contains(" ~> AUTH PLAIN").contains(" ~> MAIL FROM:<guyt@postilion.test>")
                .contains("RET=HDRS ENVID=exim-dsl-1").contains("NOTIFY=FAILURE").doesNotContain(exim.password());
        assertThat(deliveredOnce(to)).contains("Please send cheque soonest");
    }

    @Test
    void dslScriptThroughAProfileDelivers() throws Exception {
        String to = unique("exim-profile");
        ScriptRunner.Result r = runScript("profile.groovy", """
                connect profile: 'mta'
                ehlo 'client.postilion.test'
                auth
                mail
                rcpt to: '%s'
                data {
                    subject 'via a profile'
                    text 'profile mta points at Exim'
                }
                quit
                """.formatted(to));
        assertThat(r.problems()).as(transcript.text()).isEmpty();
        assertThat(transcript.text()).contains("localhost:" + exim.smtpPort()).contains(" ~> AUTH LOGIN");
        assertThat(deliveredOnce(to)).contains("profile mta points at Exim");
    }

    @Test
    @Timeout(180)
    void thousandMessagesWithStarttlsAndAuthAtConcurrencyFourArriveExactlyOnce() throws Exception {
        int rows = 1000;
        String tag = "exim-batch-" + UUID.randomUUID().toString().substring(0, 8);
        SessionFactory sessions = SessionFactory.connecting("localhost", exim.smtpPort(), "client.postilion.test",
                SessionOptions.DEFAULT.withTls(new TlsSettings(TlsMode.STARTTLS, List.of(exim.caFile()), false))
                        .withTimeout(Duration.ofSeconds(30)),
                "PLAIN", Credentials.password(exim.user(), exim::password));
        Iterator<Map<String, Object>> source = new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < rows;
            }

            @Override
            public Map<String, Object> next() {
                i++;
                return Map.of("email", tag + "-" + i + "@" + exim.domain(), "n", i);
            }
        };
        BatchResult r = new Batch(RowSource.of(source),
                row -> new MessageSpec().from(exim.user() + "@" + exim.domain()).to(row.text("email"))
                        .subject(tag + " " + row.get("n")).text("message " + row.get("n") + " of a batch\n"),
                sessions, BatchOptions.defaults().withConcurrency(4).withJournal(dir.resolve("j.jsonl"))
                .withReport(dir.resolve("report.jsonl"))).run();

        assertThat(r.outcome()).as(r.summary("rows") + "\n" + r.problems()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(rows);
        Map<String, Integer> byMessageId = exim.awaitCounts("Message-ID", id -> id.contains(r.batchId()), rows,
                Duration.ofSeconds(90), () -> true);
        try {
            assertThat(byMessageId).as("see %s", exim.logFile()).hasSize(rows)
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        } finally {
            exim.remove("Message-ID", id -> id.contains(r.batchId()));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Runs a script with {@code $MTA_PASS} set and profile {@code mta} pointing at Exim's port. */
    private ScriptRunner.Result runScript(String name, String script) throws IOException {
        Map<String, String> env = Map.of("MTA_PASS", exim.password(), "HOME", dir.toString());
        RunOptions options = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))
                .env(env::get).profiles(exim.writeProfiles(dir), new ProfileLoader(env)).build();
        return new ScriptRunner().run(script, name, dir, options);
    }

    private static int indexOfFirst(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** Exim's "<=" (arrival) log line for the message its reply named ("250 OK id=..."), polled for briefly. */
    private String arrivalLogLine(Reply end) throws IOException, InterruptedException {
        Matcher m = QUEUE_ID.matcher(String.join("\n", end.lines()));
        assertThat(m.find()).as("queue id in %s", end.lines()).isTrue();
        String marker = m.group(1) + " <= ";
        long deadline = System.nanoTime() + DELIVERY.toNanos();
        while (true) {
            for (String line : Files.readAllLines(exim.logFile(), StandardCharsets.UTF_8)) {
                if (line.contains(marker)) {
                    return line;
                }
            }
            assertThat(System.nanoTime()).as("no '%s' line in %s", marker, exim.logFile()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** {@code postilion ARGS} in-process, with {@code $MTA_PASS} and {@code $BAD} set, output captured. */
    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("MTA_PASS", exim.password(), "BAD", "not-the-password",
                "HOME", dir.toString());
        int code = Main.run(args, new Io(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env,
                prompt -> null));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
