package dev.postilion.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptListener;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Built messages as a server without 8BITMIME or SMTPUTF8 receives them: every octet 7-bit, an
 * internationalised domain as its A-label, binary content base64 with no raw NUL, and the parts
 * read back exactly as given.
 */
@Timeout(20)
class MessageOnTheWireTest {

    @TempDir
    Path dir;

    private static final String TEXT = "Grüße aus Köln, 日本語のテキスト, and ünïcödé\nline two";

    /** The bytes the server received for one message sent through the engine, and the MAIL line. */
    private record Received(byte[] wire, byte[] message, String mail, java.util.List<String> rcpts) {
    }

    private static Received send(OutgoingMessage m) throws Exception {
        // A plain server: no 8BITMIME, no SMTPUTF8, no CHUNKING.
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING", "SIZE 10000000");
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)),
                     TranscriptListener.NONE)) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(m.envelope(), m);
            assertThat(r.delivered()).isTrue();
            c.quit();
            s.awaitDisconnect();
            return new Received(s.received(), s.messages().get(0),
                    s.commands().stream().filter(l -> l.startsWith("MAIL")).findFirst().orElseThrow(),
                    s.commands().stream().filter(l -> l.startsWith("RCPT")).toList());
        }
    }

    private static MimeMessage parse(byte[] message) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
    }

    private static void assertSevenBit(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            assertThat(bytes[i] & 0xff).as("octet %d", i).isBetween(1, 0x7f);
        }
    }

    @Test
    @DisplayName("MIM-02: a UTF-8 body (subject, name, text, html) to a server without 8BITMIME: no octet over 0x7f, no BODY=")
    void utf8MessageToAServerWithout8BitMimeIsSevenBitOnTheWire() throws Exception {
        OutgoingMessage m = new MimeAssembler().assemble(new MessageSpec().from("Jörg Müller <joerg@example.com>")
                .to("Zoë <zoe@example.org>").subject("Grüße – 日本").text(TEXT).html("<p>" + TEXT + "</p>"));
        assertThat(m.is8bit()).isFalse();

        Received r = send(m);
        assertSevenBit(r.wire());
        assertThat(r.mail()).isEqualTo("MAIL FROM:<joerg@example.com> SIZE=" + m.size());
        MimeMessage back = parse(r.message());
        assertThat(back.getSubject()).isEqualTo("Grüße – 日本");
        Multipart alternative = (Multipart) back.getContent();
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo(TEXT.replace("\n", "\r\n"));
        assertThat(((MimeBodyPart) alternative.getBodyPart(0)).getEncoding()).isIn("quoted-printable", "base64");
    }

    @Test
    @DisplayName("MIM-05: user@bücher.example to a server without SMTPUTF8 goes as user@xn--bcher-kva.example, envelope and header")
    void internationalisedDomainGoesAsItsALabel() throws Exception {
        OutgoingMessage m = new MimeAssembler().assemble(new MessageSpec().from("sender@例子.example")
                .to("Ann <ann@bücher.example>").subject("IDN").text("hello"));
        assertThat(m.needsSmtpUtf8()).isFalse();
        assertThat(m.envelopeRecipients()).containsExactly("ann@xn--bcher-kva.example");

        Received r = send(m);
        assertSevenBit(r.wire());
        assertThat(r.mail()).startsWith("MAIL FROM:<sender@xn--fsqu00a.example>").doesNotContain("SMTPUTF8");
        assertThat(r.rcpts()).containsExactly("RCPT TO:<ann@xn--bcher-kva.example>");
        assertThat(new String(r.message(), StandardCharsets.US_ASCII)).contains("To: Ann <ann@xn--bcher-kva.example>");
    }

    @Test
    @DisplayName("MIM-05: a non-ASCII local part still needs SMTPUTF8; only the domain has an ASCII form")
    void aNonAsciiLocalPartIsNotConverted() {
        assertThat(Mailbox.parse("to", "jörg@müller.example").address()).isEqualTo("jörg@müller.example");
        assertThat(Mailbox.parse("to", "joerg@MÜLLER.example").address()).isEqualTo("joerg@xn--mller-kva.example");
        assertThat(Mailbox.parse("to", "a@b.example").address()).isEqualTo("a@b.example");
    }

    @Test
    @DisplayName("MIM-06: NUL bytes and binary data are base64 in an attachment, a NUL in text is encoded; none reaches the wire raw, nothing is lost")
    void binaryAndNulAreEncodedNeverRaw() throws Exception {
        byte[] binary = new byte[4096];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);                      // every octet value, NUL included
        }
        Path file = Files.write(dir.resolve("blob.bin"), binary);
        OutgoingMessage m = new MimeAssembler().assemble(new MessageSpec().from("a@example.com").to("b@example.org")
                .subject("binary").text("before\0after").attach(file));
        ByteArrayOutputStream built = new ByteArrayOutputStream();
        m.writeTo(built);
        assertSevenBit(built.toByteArray());

        Received r = send(m);
        assertSevenBit(r.wire());
        assertThat(r.message()).isEqualTo(built.toByteArray());
        Multipart mixed = (Multipart) parse(r.message()).getContent();
        MimeBodyPart text = (MimeBodyPart) mixed.getBodyPart(0);
        assertThat(text.getEncoding()).isEqualTo("quoted-printable");
        assertThat(text.getContent()).isEqualTo("before\0after");
        MimeBodyPart attachment = (MimeBodyPart) mixed.getBodyPart(1);
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getEncoding()).isEqualTo("base64");
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(binary);
    }

    @Test
    @DisplayName("MIM-09: a rebuild with the same Message-ID and Date is byte-identical, boundaries included")
    void aRebuildWithTheSameIdAndDateIsByteIdentical() throws Exception {
        Path file = Files.writeString(dir.resolve("r.txt"), "report");
        java.util.function.Supplier<MessageSpec> spec = () -> new MessageSpec().from("a@example.com")
                .to("b@example.org").subject("s").text("t").html("<p>h</p>").attach(file)
                .messageId("<row-17.batch@example.com>").date("2008-06-03T11:05:30Z");
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        new MimeAssembler().assemble(spec.get()).writeTo(first);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        new MimeAssembler().assemble(spec.get()).writeTo(second);
        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
        assertThat(first.toString(StandardCharsets.US_ASCII)).contains("multipart/mixed", "multipart/alternative");

        ByteArrayOutputStream other = new ByteArrayOutputStream();
        new MimeAssembler().assemble(spec.get().messageId("<row-18.batch@example.com>")).writeTo(other);
        assertThat(MimeAssembler.boundary("<row-17.batch@example.com>", "mixed"))
                .isNotEqualTo(MimeAssembler.boundary("<row-18.batch@example.com>", "mixed"))
                .isNotEqualTo(MimeAssembler.boundary("<row-17.batch@example.com>", "alternative"));
    }
}
