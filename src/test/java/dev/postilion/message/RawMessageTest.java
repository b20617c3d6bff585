package dev.postilion.message;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawMessageTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T10:15:30Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static String written(OutgoingMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void isSentAsWritten() throws IOException {
        String eml = "From: a@example.com\nSubject: as is\n\nbody line\n.leading dot stays for the engine\n";
        RawMessage m = RawMessage.of(eml);
        assertThat(written(m)).isEqualTo(eml);
        assertThat(written(m)).isEqualTo(eml);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            'a\\r\\nb\\r\\n' | 6
            'a\\nb\\n'       | 6
            'a\\rb\\r'       | 6
            'a\\r\\r\\nb'    | 6
            'a\\n\\rb'       | 6
            ''               | 0
            """, delimiter = '|')
    void sizeCountsEveryLineEndAsCrlf(String escaped, long size) {
        String text = escaped.replace("\\r", "\r").replace("\\n", "\n");
        assertThat(RawMessage.of(text).size()).isEqualTo(size);
    }

    @Test
    void eightBitAndSmtpUtf8AreDetected() {
        assertThat(RawMessage.of("Subject: plain\r\n\r\nascii\r\n").is8bit()).isFalse();
        RawMessage eightBitBody = RawMessage.of("Subject: plain\r\n\r\nGrüße\r\n");
        assertThat(eightBitBody.is8bit()).isTrue();
        assertThat(eightBitBody.needsSmtpUtf8()).isFalse();
        RawMessage utf8Header = RawMessage.of("Subject: Grüße\r\n\r\nascii\r\n");
        assertThat(utf8Header.needsSmtpUtf8()).isTrue();
        assertThat(utf8Header.smtpUtf8Reason()).contains("the raw message has non-ASCII in its header block");
        RawMessage utf8Envelope = RawMessage.of("Subject: x\r\n\r\ny\r\n").withEnvelope("a@example.com", List.of("jörg@müller.example"));
        assertThat(utf8Envelope.smtpUtf8Reason()).contains("envelope recipient 'jörg@müller.example' is not ASCII");
    }

    @Test
    void missingHeadersAreAddedAtTheTop() throws IOException {
        RawMessage m = RawMessage.of("From: Ann <ann@Example.ORG>\r\nSubject: hi\r\n\r\nbody\r\n").withMissingHeaders(CLOCK);
        String out = written(m);
        assertThat(out).startsWith("Date: Fri, 1 Mar 2024 10:15:30 +0000\r\nMessage-ID: <");
        assertThat(out).containsPattern("Message-ID: <[0-9a-z.]+\\.postilion@example\\.org>\r\nFrom: Ann");
        assertThat(out).endsWith("From: Ann <ann@Example.ORG>\r\nSubject: hi\r\n\r\nbody\r\n");
        assertThat(m.size()).isEqualTo(out.length());
    }

    @Test
    void presentHeadersAreNotAddedAgain() throws IOException {
        String eml = "date: Tue, 3 Jun 2008 11:05:30 +0000\nMESSAGE-ID : <x@y>\nSubject: hi\n\nbody\n";
        assertThat(written(RawMessage.of(eml).withMissingHeaders(CLOCK))).isEqualTo(eml);
    }

    @Test
    void onlyTheMissingOneIsAdded() throws IOException {
        String eml = "Subject: hi\n Message-ID: folded continuation is not a field\nDate: Tue, 3 Jun 2008 11:05:30 +0000\n\nMessage-ID: <in@body>\n";
        String out = written(RawMessage.of(eml).withMissingHeaders(CLOCK));
        assertThat(out).startsWith("Message-ID: <").endsWith(eml).doesNotStartWith("Date");
    }

    @Test
    void aBodyWithoutHeadersGetsTheHeadersAndAnEmptyLine() throws IOException {
        String out = written(RawMessage.of("just a body line\n").withEnvelope("me@sender.example", List.of()).withMissingHeaders(CLOCK));
        assertThat(out).matches("(?s)Date: [^\r]+\r\nMessage-ID: <[^>]+@sender\\.example>\r\n\r\njust a body line\n");
    }

    @Test
    void withoutAnyDomainTheMessageIdUsesTheInvalidDomain() throws IOException {
        assertThat(written(RawMessage.of("Subject: x\n\ny\n").withMissingHeaders(CLOCK))).contains("@postilion.invalid>");
    }

    @Test
    void fileIsStreamedAsWritten() throws IOException {
        byte[] eml = "Subject: from a file\r\n\r\nbody ü\r\n".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("m.eml"), eml);
        RawMessage m = RawMessage.ofFile(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(eml);
        assertThat(m.size()).isEqualTo(eml.length);
        assertThat(m.is8bit()).isTrue();
    }

    @Test
    void missingFileIsNoInput() {
        Path missing = dir.resolve("none.eml");
        assertThatThrownBy(() -> RawMessage.ofFile(missing))
                .isInstanceOf(MessageException.class)
                .hasMessage("raw '" + missing + "': no such file")
                .extracting(e -> ((MessageException) e).kind()).isEqualTo(MessageException.Kind.MISSING_INPUT);
    }

    @Test
    void specInRawModeGivesTheEnvelopeAndAddsHeadersOnRequest() throws IOException {
        MessageSpec spec = new MessageSpec().from("a@example.com").to("b@example.org").bcc("c@example.org")
                .raw("From: a@example.com\r\nTo: b@example.org\r\nSubject: raw\r\n\r\nhello\r\n").addMissingHeaders(true);
        OutgoingMessage m = new MimeAssembler(CLOCK).assemble(spec);
        assertThat(m).isInstanceOf(RawMessage.class);
        assertThat(m.envelopeFrom()).contains("a@example.com");
        assertThat(m.envelopeRecipients()).containsExactly("b@example.org", "c@example.org");
        assertThat(written(m)).startsWith("Date: ").contains("@example.com>\r\nFrom: a@example.com\r\n")
                .doesNotContain("c@example.org");
    }

    @Test
    void specRawFileIsUsedAsIs() throws IOException {
        Path file = Files.writeString(dir.resolve("m.eml"), "Subject: f\n\nb\n");
        OutgoingMessage m = new MimeAssembler(CLOCK).assemble(new MessageSpec().to("b@example.org").rawFile(file));
        assertThat(written(m)).isEqualTo("Subject: f\n\nb\n");
        assertThat(m.envelopeFrom()).isEmpty();
    }
}
