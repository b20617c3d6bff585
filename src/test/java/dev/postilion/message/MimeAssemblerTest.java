package dev.postilion.message;

import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MimeAssemblerTest {

    @Test
    void everyLineEndingBecomesCrlfAndCanonicalTextIsKept() {
        assertThat(MimeAssembler.crlf("a\nb\rc\r\nd")).isEqualTo("a\r\nb\r\nc\r\nd");
        assertThat(MimeAssembler.crlf("a\r\nb\nc")).isEqualTo("a\r\nb\r\nc");
        assertThat(MimeAssembler.crlf("\r\r\n\n\r")).isEqualTo("\r\n\r\n\r\n\r\n");
        assertThat(MimeAssembler.crlf("one line")).isEqualTo("one line");
        assertThat(MimeAssembler.crlf("")).isEqualTo("");
        String canonical = "x\r\ny\r\n";
        assertThat(MimeAssembler.crlf(canonical)).isSameAs(canonical);
    }

    private static final String SUBJECT = "Grüße — Ünïcödé ✓";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T10:15:30Z"), ZoneOffset.UTC);
    private static final byte[] PDF = ("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
            + "trailer << /Root 1 0 R >>\n%%EOF\n").getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};

    @TempDir
    Path dir;

    private final MimeAssembler assembler = new MimeAssembler(CLOCK);

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static MessageSpec spec() {
        return new MessageSpec().from("sender@example.com").to("rcpt@example.org");
    }

    private static byte[] bytes(OutgoingMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", "true");
        return new MimeMessage(Session.getInstance(p), new ByteArrayInputStream(bytes));
    }

    private MimeMessage roundTrip(MessageSpec spec) throws Exception {
        return parse(bytes(assembler.assemble(spec)));
    }

    private static String baseType(jakarta.mail.Part p) throws Exception {
        return p.getContentType().split(";")[0].trim().toLowerCase();
    }

    private static List<String> lines(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        Collections.addAll(lines, new String(bytes, StandardCharsets.UTF_8).split("\r\n", -1));
        return lines;
    }

    // ---- structure -------------------------------------------------------------------------

    @Test
    void textOnlyIsTextPlain() throws Exception {
        MimeMessage m = roundTrip(spec().subject("Cheque").text("Please send cheque soonest\n"));
        assertThat(baseType(m)).isEqualTo("text/plain");
        assertThat(m.getContentType()).containsIgnoringCase("charset=UTF-8");
        assertThat(m.getContent()).isEqualTo("Please send cheque soonest\r\n");
        assertThat(m.getHeader("MIME-Version", null)).isEqualTo("1.0");
    }

    @Test
    void htmlOnlyIsTextHtml() throws Exception {
        MimeMessage m = roundTrip(spec().html("<p>Hi</p>"));
        assertThat(baseType(m)).isEqualTo("text/html");
        assertThat(m.getContent()).isEqualTo("<p>Hi</p>");
    }

    @Test
    void textAndHtmlAreAlternativeWithTextFirst() throws Exception {
        MimeMessage m = roundTrip(spec().text("plain").html("<b>rich</b>"));
        assertThat(baseType(m)).isEqualTo("multipart/alternative");
        Multipart alt = (Multipart) m.getContent();
        assertThat(alt.getCount()).isEqualTo(2);
        assertThat(baseType(alt.getBodyPart(0))).isEqualTo("text/plain");
        assertThat(alt.getBodyPart(0).getContent()).isEqualTo("plain");
        assertThat(baseType(alt.getBodyPart(1))).isEqualTo("text/html");
        assertThat(alt.getBodyPart(1).getContent()).isEqualTo("<b>rich</b>");
    }

    @Test
    void noBodyAtAllIsAnEmptyTextPart() throws Exception {
        MimeMessage m = roundTrip(spec().subject("empty"));
        assertThat(baseType(m)).isEqualTo("text/plain");
        assertThat(m.getContent()).isEqualTo("");
    }

    @Test
    void fullMessageHasTheStandardNestingAndRoundTrips() throws Exception {
        Path pdf = write("report.pdf", PDF);
        Path logo = write("logo.png", PNG);
        MessageSpec spec = new MessageSpec()
                .from("Jörg Müller <jorg@example.com>")
                .to("Zoë Ångström <zoe@example.org>", "plain@example.org")
                .cc("\"Doe, John\" <john@example.net>")
                .replyTo("Ünïcödé Desk <desk@example.com>")
                .subject(SUBJECT)
                .text("Hello Zoë,\nthe report is attached.\n")
                .html("<p>Hello Zoë,</p><img src=\"cid:logo\">")
                .inline(logo, "logo")
                .attach(pdf);

        MimeMessage m = roundTrip(spec);

        assertThat(m.getSubject()).isEqualTo(SUBJECT);
        assertThat(m.getHeader("Subject", null)).startsWith("=?UTF-8?");
        InternetAddress from = (InternetAddress) m.getFrom()[0];
        assertThat(from.getPersonal()).isEqualTo("Jörg Müller");
        assertThat(from.getAddress()).isEqualTo("jorg@example.com");
        InternetAddress[] to = (InternetAddress[]) m.getRecipients(Message.RecipientType.TO);
        assertThat(to).extracting(InternetAddress::getPersonal).containsExactly("Zoë Ångström", null);
        assertThat(to).extracting(InternetAddress::getAddress).containsExactly("zoe@example.org", "plain@example.org");
        assertThat(((InternetAddress) m.getRecipients(Message.RecipientType.CC)[0]).getPersonal()).isEqualTo("Doe, John");
        assertThat(((InternetAddress) m.getReplyTo()[0]).getPersonal()).isEqualTo("Ünïcödé Desk");

        // mixed(related(alternative(text, html), image), pdf)
        assertThat(baseType(m)).isEqualTo("multipart/mixed");
        Multipart mixed = (Multipart) m.getContent();
        assertThat(mixed.getCount()).isEqualTo(2);
        BodyPart relatedPart = mixed.getBodyPart(0);
        assertThat(baseType(relatedPart)).isEqualTo("multipart/related");
        assertThat(relatedPart.getContentType()).contains("type=\"multipart/alternative\"");
        Multipart related = (Multipart) relatedPart.getContent();
        assertThat(related.getCount()).isEqualTo(2);
        assertThat(baseType(related.getBodyPart(0))).isEqualTo("multipart/alternative");
        Multipart alt = (Multipart) related.getBodyPart(0).getContent();
        assertThat(alt.getCount()).isEqualTo(2);
        assertThat(alt.getBodyPart(0).getContent()).isEqualTo("Hello Zoë,\r\nthe report is attached.\r\n");
        assertThat(alt.getBodyPart(1).getContent()).isEqualTo("<p>Hello Zoë,</p><img src=\"cid:logo\">");

        MimeBodyPart image = (MimeBodyPart) related.getBodyPart(1);
        assertThat(baseType(image)).isEqualTo("image/png");
        assertThat(image.getContentID()).isEqualTo("<logo>");
        assertThat(image.getDisposition()).isEqualTo("inline");
        assertThat(image.getFileName()).isEqualTo("logo.png");
        assertThat(image.getInputStream().readAllBytes()).isEqualTo(PNG);

        MimeBodyPart attachment = (MimeBodyPart) mixed.getBodyPart(1);
        assertThat(baseType(attachment)).isEqualTo("application/pdf");
        assertThat(attachment.getDisposition()).isEqualTo("attachment");
        assertThat(attachment.getFileName()).isEqualTo("report.pdf");
        assertThat(attachment.getEncoding()).isEqualTo("base64");
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(PDF);
    }

    @Test
    void inlineWithoutAlternativeIsRelatedToHtml() throws Exception {
        MimeMessage m = roundTrip(spec().html("<img src=\"cid:logo\">").inline(write("logo.png", PNG), "logo"));
        assertThat(baseType(m)).isEqualTo("multipart/related");
        assertThat(m.getContentType()).contains("type=\"text/html\"");
        Multipart related = (Multipart) m.getContent();
        assertThat(baseType(related.getBodyPart(0))).isEqualTo("text/html");
        assertThat(((MimeBodyPart) related.getBodyPart(1)).getContentID()).isEqualTo("<logo>");
    }

    @Test
    void attachmentsOnlyMakeAMixedOfAttachments() throws Exception {
        MimeMessage m = roundTrip(spec().attach(write("a.pdf", PDF)).attach(write("b.csv", "x,y\n".getBytes())));
        Multipart mixed = (Multipart) m.getContent();
        assertThat(mixed.getCount()).isEqualTo(2);
        assertThat(baseType(mixed.getBodyPart(0))).isEqualTo("application/pdf");
        assertThat(baseType(mixed.getBodyPart(1))).isEqualTo("text/csv");
    }

    @Test
    void inlineImageNeedsAnHtmlBody() throws Exception {
        Path logo = write("logo.png", PNG);
        assertThatThrownBy(() -> assembler.assemble(spec().text("x").inline(logo, "logo")))
                .isInstanceOf(MessageException.class)
                .hasMessage("inline '" + logo + "': an inline image needs an html body that shows it with cid:");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            report.pdf   |                          |                    | application/pdf          | report.pdf
            report.pdf   | application/x-custom     |                    | application/x-custom     | report.pdf
            data.bin     |                          | Übersicht 2024.pdf | application/pdf          | Übersicht 2024.pdf
            notes.txt    |                          |                    | text/plain               | notes.txt
            photo.JPG    |                          |                    | image/jpeg               | photo.JPG
            blob.qqqzzz  |                          |                    | application/octet-stream | blob.qqqzzz
            mail.eml     |                          |                    | application/octet-stream | mail.eml
            """, delimiter = '|')
    void attachmentTypeComesFromTheNameAndCanBeOverridden(String file, String type, String name,
            String expectedType, String expectedName) throws Exception {
        MimeMessage m = roundTrip(spec().text("see attached").attach(write(file, PDF), type, name));
        MimeBodyPart a = (MimeBodyPart) ((Multipart) m.getContent()).getBodyPart(1);
        assertThat(baseType(a)).isEqualTo(expectedType);
        assertThat(a.getFileName()).isEqualTo(expectedName);
        assertThat(a.getInputStream().readAllBytes()).isEqualTo(PDF);
    }

    // ---- headers ---------------------------------------------------------------------------

    @Test
    void bccIsNeverWrittenAsHeader() throws Exception {
        OutgoingMessage m = assembler.assemble(spec().cc("cc@example.org")
                .bcc("Hidden Person <hidden@secret.example>").subject("s").text("t"));
        String out = new String(bytes(m), StandardCharsets.UTF_8);
        assertThat(out).doesNotContainIgnoringCase("bcc").doesNotContain("hidden", "secret.example", "Hidden Person");
        assertThat(parse(bytes(m)).getRecipients(Message.RecipientType.BCC)).isNull();
        assertThat(m.envelopeRecipients()).containsExactly("rcpt@example.org", "cc@example.org", "hidden@secret.example");
    }

    @Test
    void onlyBlindRecipientsGiveAnUndisclosedRecipientsGroup() throws Exception {
        OutgoingMessage m = assembler.assemble(new MessageSpec().from("a@example.com").bcc("b@example.org").text("t"));
        MimeMessage parsed = parse(bytes(m));
        assertThat(parsed.getHeader("To", null)).isEqualTo("undisclosed-recipients:;");
        assertThat(new String(bytes(m), StandardCharsets.UTF_8)).doesNotContain("b@example.org");
        assertThat(m.envelopeRecipients()).containsExactly("b@example.org");
    }

    @Test
    void envelopeIsFromAndToCcBccDeduplicatedInOrder() {
        OutgoingMessage m = assembler.assemble(new MessageSpec().from("Me <me@example.com>")
                .to("b@example.org", "a@example.org").cc("A@EXAMPLE.ORG", "c@example.org")
                .bcc("b@Example.Org", "B@example.org", "d@example.org"));
        assertThat(m.envelopeFrom()).contains("me@example.com");
        // domains compare without case; local parts are kept distinct (RFC 5321 2.4)
        assertThat(m.envelopeRecipients())
                .containsExactly("b@example.org", "a@example.org", "A@EXAMPLE.ORG", "c@example.org", "B@example.org",
                        "d@example.org");
    }

    @Test
    void dateAndMessageIdAreAddedWhenAbsent() throws Exception {
        MimeMessage m = roundTrip(new MessageSpec().from("a@Example.COM").to("b@example.org").text("t"));
        assertThat(m.getHeader("Date", null)).isEqualTo("Fri, 1 Mar 2024 10:15:30 +0000");
        assertThat(m.getMessageID()).matches("<[0-9a-z.]+\\.postilion@example\\.com>");
    }

    @Test
    void messageIdDomainOfAnInternationalisedSenderIsAscii() throws Exception {
        MimeMessage m = roundTrip(new MessageSpec().from("jörg@müller.example").to("b@example.org").text("t"));
        assertThat(m.getMessageID()).endsWith("@xn--mller-kva.example>");
    }

    @Test
    void givenDateAndMessageIdAreKept() throws Exception {
        MessageSpec spec = spec().messageId("abc.123@example.com").date("2008-06-03T11:05:30+02:00").text("t");
        OutgoingMessage built = assembler.assemble(spec);
        MimeMessage m = parse(bytes(built));
        assertThat(m.getMessageID()).isEqualTo("<abc.123@example.com>");
        assertThat(m.getHeader("Date", null)).isEqualTo("Tue, 3 Jun 2008 11:05:30 +0200");
        assertThat(parse(bytes(built)).getMessageID()).isEqualTo("<abc.123@example.com>");
    }

    @Test
    void eachBuildGetsItsOwnMessageId() throws Exception {
        MessageSpec spec = spec().text("t");
        assertThat(roundTrip(spec).getMessageID()).isNotEqualTo(roundTrip(spec).getMessageID());
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            high   | 1 (Highest) | high
            2      | 2 (High)    | high
            normal | 3 (Normal)  | normal
            4      | 4 (Low)     | low
            low    | 5 (Lowest)  | low
            """, delimiter = '|')
    void priorityIsWrittenAsXPriorityAndImportance(String word, String xPriority, String importance) throws Exception {
        MimeMessage m = roundTrip(spec().priority(word).text("t"));
        assertThat(m.getHeader("X-Priority", null)).isEqualTo(xPriority);
        assertThat(m.getHeader("Importance", null)).isEqualTo(importance);
    }

    @Test
    void customHeadersKeepTheirOrderAndNonAsciiIsEncoded() throws Exception {
        OutgoingMessage built = assembler.assemble(spec().header("X-B", "second-given-first").header("X-A", "Ünïcödé ✓")
                .header("X-B", "again").text("t"));
        MimeMessage m = parse(bytes(built));
        assertThat(m.getHeader("X-B")).containsExactly("second-given-first", "again");
        assertThat(m.getHeader("X-A", null)).startsWith("=?UTF-8?");
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(m.getHeader("X-A", null))).isEqualTo("Ünïcödé ✓");
        assertThat(built.is8bit()).isFalse();
    }

    @Test
    void longHeaderValuesAreFoldedWithinTheLineLimit() throws Exception {
        String words = "word ".repeat(400).trim();
        OutgoingMessage built = assembler.assemble(spec().header("X-Long", words).subject(words).text("t"));
        assertThat(((AssembledMessage) built).longestLine()).isLessThanOrEqualTo(998);
        MimeMessage m = parse(bytes(built));
        assertThat(m.getSubject()).isEqualTo(words);
        assertThat(jakarta.mail.internet.MimeUtility.unfold(m.getHeader("X-Long", null))).isEqualTo(words);
    }

    @Test
    void aHeaderThatCannotBeFoldedIsRefused() {
        String token = "x".repeat(1200);
        assertThatThrownBy(() -> assembler.assemble(spec().header("X-Token", token).text("t")))
                .isInstanceOf(MessageException.class)
                .hasMessage("header 'X-Token': a line would be longer than 998 octets (RFC 5322 2.1.1);"
                        + " put spaces in the value so it can be folded");
    }

    @Test
    void unicodeWhoseLowByteIsALineBreakNeverBecomesOne() throws Exception {
        // U+010A and U+010D end in 0x0A and 0x0D: a char-to-byte cast would make LF and CR
        String tricky = "a\u010Ab\u010Dc";
        Path pdf = write("r.pdf", PDF);
        MessageSpec spec = new MessageSpec().from(tricky + " <a@example.com>").to("b\u010A@example.org")
                .subject(tricky).header("X-Tricky", tricky).text(tricky).attach(pdf, null, tricky + ".pdf");
        OutgoingMessage built = assembler.assemble(spec);
        byte[] out = bytes(built);
        for (int i = 0; i < out.length; i++) {
            if (out[i] == '\n') {
                assertThat(out[i - 1]).as("LF at %d is part of CRLF", i).isEqualTo((byte) '\r');
            }
            if (out[i] == '\r') {
                assertThat(out[i + 1]).as("CR at %d is part of CRLF", i).isEqualTo((byte) '\n');
            }
        }
        MimeMessage m = parse(out);
        assertThat(m.getSubject()).isEqualTo(tricky);
        assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo(tricky);
        assertThat(((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress()).isEqualTo("b\u010A@example.org");
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(m.getHeader("X-Tricky", null))).isEqualTo(tricky);
        assertThat(((MimeBodyPart) ((Multipart) m.getContent()).getBodyPart(1)).getFileName()).isEqualTo(tricky + ".pdf");
        List<String> names = new ArrayList<>();
        Collections.list(m.getAllHeaders()).forEach(h -> names.add(h.getName()));
        assertThat(names).containsExactly("Date", "From", "To", "Message-ID", "Subject", "MIME-Version", "Content-Type",
                "X-Tricky");
    }

    // ---- bodies and line lengths -----------------------------------------------------------

    @ParameterizedTest
    @CsvSource(textBlock = """
            x        | quoted-printable
            abcdefé  | quoted-printable
            é        | base64
            語       | base64
            """, delimiter = '|')
    void aLongLineIsNeverSentRaw(String unit, String encoding) throws Exception {
        String longLine = unit.repeat(5000);
        String text = "short line\n" + longLine + "\nend\n";
        OutgoingMessage built = assembler.assemble(spec().text(text).html("<p>" + longLine + "</p>"));
        byte[] out = bytes(built);
        assertThat(lines(out)).allSatisfy(l -> assertThat(l.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(998));
        assertThat(((AssembledMessage) built).longestLine()).isLessThanOrEqualTo(998);
        Multipart alt = (Multipart) parse(out).getContent();
        assertThat(((MimeBodyPart) alt.getBodyPart(0)).getEncoding()).isEqualTo(encoding);
        assertThat(alt.getBodyPart(0).getContent()).isEqualTo(text.replace("\n", "\r\n"));
        assertThat(alt.getBodyPart(1).getContent()).isEqualTo("<p>" + longLine + "</p>");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            plain ascii text                | 7bit
            Grüße aus Köln, schöne Tage     | quoted-printable
            ünïcödé                         | base64
            日本語のテキスト                  | base64
            """, delimiter = '|')
    void transferEncodingFitsTheBody(String body, String encoding) {
        assertThat(MimeAssembler.transferEncoding(body)).isEqualTo(encoding);
    }

    @Test
    @DisplayName("MIM-01/MIM-06: 7bit only up to 998 octets a line and without NUL; otherwise quoted-printable")
    void transferEncodingRulesAtTheLineLimit() {
        assertThat(MimeAssembler.transferEncoding("a".repeat(998) + "\r\nb")).isEqualTo("7bit");
        assertThat(MimeAssembler.transferEncoding("a".repeat(999) + "\r\nb")).isEqualTo("quoted-printable");
        assertThat(MimeAssembler.transferEncoding("nul\0inside")).isEqualTo("quoted-printable");
    }

    @Test
    void everyLineEndingBecomesCrlf() throws Exception {
        byte[] out = bytes(assembler.assemble(spec().text("a\nb\rc\r\nd").subject("s")));
        String s = new String(out, StandardCharsets.UTF_8);
        assertThat(s.replace("\r\n", "")).doesNotContain("\r", "\n");
        assertThat(parse(out).getContent()).isEqualTo("a\r\nb\r\nc\r\nd");
    }

    // ---- transport facts -------------------------------------------------------------------

    @Test
    void sizeEqualsTheBytesWrittenAndWritesAreIdentical() throws Exception {
        OutgoingMessage built = assembler.assemble(spec().subject(SUBJECT).text("t").html("<p>h</p>")
                .attach(write("r.pdf", PDF)).inline(write("l.png", PNG), "l"));
        byte[] first = bytes(built);
        byte[] second = bytes(built);
        assertThat(second).isEqualTo(first);
        assertThat(built.size()).isEqualTo(first.length);
        assertThat(bytes(built)).isEqualTo(first);
    }

    @Test
    @DisplayName("MIM-02: UTF-8 subject, names and text still make a 7-bit message (no 8BITMIME or SMTPUTF8 needed)")
    void asciiMessageIsSevenBit() {
        OutgoingMessage built = assembler.assemble(new MessageSpec().from("Jörg <j@example.com>").to("b@example.org")
                .subject(SUBJECT).text("Grüße, 日本語").attach(writeUnchecked("r.pdf", PDF)));
        assertThat(built.is8bit()).isFalse();
        assertThat(built.needsSmtpUtf8()).isFalse();
        assertThat(built.smtpUtf8Reason()).isEmpty();
    }

    @Test
    void nonAsciiAddressNeedsSmtpUtf8AndIsEightBit() throws Exception {
        OutgoingMessage built = assembler.assemble(new MessageSpec().from("sender@example.com")
                .to("Jörg <jörg@müller.example>").text("t"));
        assertThat(built.needsSmtpUtf8()).isTrue();
        assertThat(built.smtpUtf8Reason()).contains("to address 'jörg@müller.example' is not ASCII");
        assertThat(built.is8bit()).isTrue();
        assertThat(built.envelopeRecipients()).containsExactly("jörg@müller.example");
        MimeMessage m = parse(bytes(built));
        InternetAddress to = (InternetAddress) m.getRecipients(Message.RecipientType.TO)[0];
        assertThat(to.getAddress()).isEqualTo("jörg@müller.example");
        assertThat(to.getPersonal()).isEqualTo("Jörg");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            from    | jörg@müller.example
            bcc     | jörg@müller.example
            replyTo | jörg@müller.example
            """, delimiter = '|')
    void anyNonAsciiAddressNeedsSmtpUtf8(String field, String address) {
        MessageSpec spec = new MessageSpec().from("a@example.com").to("b@example.org").text("t");
        switch (field) {
            case "from" -> spec.from(address);
            case "bcc" -> spec.bcc(address);
            default -> spec.replyTo(address);
        }
        assertThat(assembler.assemble(spec).smtpUtf8Reason()).contains(field + " address '" + address + "' is not ASCII");
    }

    @Test
    void fromIsRequired() {
        assertThatThrownBy(() -> assembler.assemble(new MessageSpec().to("b@example.org").text("t")))
                .hasMessage("from: missing: a message needs a From address (RFC 5322 3.6.2)");
    }

    @Test
    void aRawMessageCannotAlsoHaveMimeWords() {
        assertThatThrownBy(() -> assembler.assemble(spec().raw("Subject: x\r\n\r\nbody").subject("s").text("t")))
                .hasMessage("raw message: subject, text cannot be combined with a raw message, which is sent as written");
    }

    @Test
    void anAttachmentRemovedAfterBuildingIsMissingInputNotAnIoErrorOfTheOutput() throws Exception {
        Path pdf = write("gone.pdf", PDF);
        OutgoingMessage built = assembler.assemble(spec().text("t").attach(pdf));
        Files.delete(pdf);
        MessageException e = catchThrowableOfType(MessageException.class, built::size);
        assertThat(e.getMessage()).isEqualTo("attach '" + pdf + "': no such file");
        assertThat(e.kind()).isEqualTo(MessageException.Kind.MISSING_INPUT);
    }

    @Test
    void aFailingOutputIsAnIoException() throws Exception {
        OutgoingMessage built = assembler.assemble(spec().text("t").attach(write("r.pdf", PDF)));
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("connection reset");
            }
        };
        assertThatThrownBy(() -> built.writeTo(broken)).isInstanceOf(IOException.class).hasMessage("connection reset");
    }

    @Test
    void largeAttachmentIsStreamedNotHeld() throws Exception {
        long fiftyMb = 50L * 1024 * 1024;
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(fiftyMb); // sparse: no 50 MB written to disk either
            f.seek(fiftyMb / 2);
            f.write("a marker in the middle".getBytes(StandardCharsets.US_ASCII));
        }
        OutgoingMessage built = assembler.assemble(spec().text("t").attach(big));
        long baseline = usedHeapAfterGc();
        HeapProbe probe = new HeapProbe(30L * 1024 * 1024);
        built.writeTo(probe);
        assertThat(probe.count).isEqualTo(built.size()).isGreaterThan(fiftyMb * 4 / 3);
        // if the message were materialised, the heap would hold 50 MB (or its 67 MB of base64) here
        assertThat(probe.usedMidway - baseline).as("heap growth while streaming").isLessThan(16L * 1024 * 1024);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Counts bytes and measures the heap once, part-way through the write. */
    private static final class HeapProbe extends OutputStream {
        private final long measureAt;
        long count;
        long usedMidway = -1;

        HeapProbe(long measureAt) {
            this.measureAt = measureAt;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
            if (usedMidway < 0 && count >= measureAt) {
                usedMidway = usedHeapAfterGc();
            }
        }
    }

    private Path writeUnchecked(String name, byte[] content) {
        try {
            return write(name, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parsedBackAttachmentStreamMatchesFile() throws Exception {
        byte[] binary = new byte[256 * 3 + 7];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        MimeMessage m = roundTrip(spec().text("t").attach(write("all-bytes.bin", binary)));
        try (InputStream in = ((MimeMultipart) m.getContent()).getBodyPart(1).getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(binary);
        }
    }
}
