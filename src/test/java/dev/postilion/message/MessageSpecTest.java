package dev.postilion.message;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MessageSpecTest {

    @TempDir
    static Path dir;

    private static Path file(String name) {
        Path p = dir.resolve(name);
        try {
            if (!Files.exists(p)) {
                Files.writeString(p, "content of " + name);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p;
    }

    /** Every setter that ends up in a header, with the field label its error must start with. */
    static Stream<Arguments> everySetter() {
        return Stream.of(
                setter("from", "from", (s, v) -> s.from("a@example.com" + v + "Bcc: x@evil.example")),
                setter("to", "to", (s, v) -> s.to("a@example.com" + v + "Bcc: x@evil.example")),
                setter("to (display name)", "to", (s, v) -> s.to("Ann" + v + "Bcc: x <a@example.com>")),
                setter("cc", "cc", (s, v) -> s.cc("a@example.com" + v + "X: y")),
                setter("bcc", "bcc", (s, v) -> s.bcc("a@example.com" + v + "X: y")),
                setter("replyTo", "replyTo", (s, v) -> s.replyTo("a@example.com" + v + "X: y")),
                setter("subject", "subject", (s, v) -> s.subject("Hello" + v + "Bcc: x@evil.example")),
                setter("header name", "header 'X-A", (s, v) -> s.header("X-A" + v + "Bcc", "v")),
                setter("header value", "header 'X-Note'", (s, v) -> s.header("X-Note", "v" + v + "Bcc: x@evil.example")),
                setter("messageId", "messageId", (s, v) -> s.messageId("<a@b" + v + "Bcc: x@evil.example>")),
                setter("date", "date", (s, v) -> s.date("Tue, 3 Jun 2008 11:05:30 +0000" + v + "X: y")),
                setter("priority", "priority", (s, v) -> s.priority("high" + v + "X: y")),
                setter("attachment name", "attach '", (s, v) -> s.attach(file("a.pdf"), null, "a.pdf" + v + "X: y")),
                setter("attachment type", "attach '", (s, v) -> s.attach(file("a.pdf"), "application/pdf" + v + "X: y", null)),
                setter("inline cid", "inline '", (s, v) -> s.inline(file("logo.png"), "logo" + v + "X: y")),
                setter("inline type", "inline '", (s, v) -> s.inline(file("logo.png"), "logo", "image/png" + v + "X: y")),
                setter("raw envelope from", "envelope from", (s, v) -> RawMessage.of("x").withEnvelope("a@b.example" + v + "X: y", List.of())),
                setter("raw envelope recipient", "envelope recipient", (s, v) -> RawMessage.of("x").withEnvelope(null, List.of("a@b.example" + v))));
    }

    private interface Setter {
        void apply(MessageSpec spec, String lineBreak);
    }

    private static Arguments setter(String name, String label, Setter setter) {
        return Arguments.of(Named.of(name, setter), label);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everySetter")
    void headerInjectionIsRefusedFor(Setter setter, String label) {
        for (String lineBreak : List.of("\r\n", "\n", "\r", "\r\n ")) {
            MessageSpec spec = new MessageSpec();
            MessageException e = catchThrowableOfType(MessageException.class, () -> setter.apply(spec, lineBreak));
            assertThat(e).as("refused with %s", lineBreak.replace("\r", "CR").replace("\n", "LF")).isNotNull();
            assertThat(e.getMessage())
                    .startsWith(label)
                    .endsWith("contains a line break (CR/LF): header injection refused")
                    .doesNotContain("\r", "\n");
            assertThat(e.kind()).isEqualTo(MessageException.Kind.BAD_DATA);
            assertThat(e.kind()).isEqualTo(MessageException.Kind.BAD_DATA);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everySetter")
    void nulIsRefusedFor(Setter setter, String label) {
        MessageException e = catchThrowableOfType(MessageException.class, () -> setter.apply(new MessageSpec(), "\0"));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith(label).contains("NUL").doesNotContain("\0");
    }

    @Test
    void headerInjectionMessageNamesTheHeader() {
        assertThatThrownBy(() -> new MessageSpec().header("X-Note", "a\r\nBcc: b@evil.example"))
                .isInstanceOf(MessageException.class)
                .hasMessage("header 'X-Note': value contains a line break (CR/LF): header injection refused");
        assertThatThrownBy(() -> new MessageSpec().to("a@example.com\r\nBcc: b@evil.example"))
                .hasMessage("to: address 'a@example.com\\r\\nBcc: b@evil.example' contains a line break (CR/LF):"
                        + " header injection refused");
    }

    @Test
    void otherControlCharactersAreRefused() {
        assertThatThrownBy(() -> new MessageSpec().subject("a\u0007b"))
                .hasMessage("subject: value contains the control character U+0007: refused");
        assertThatThrownBy(() -> new MessageSpec().header("X-A", "next\u0085line"))
                .hasMessage("header 'X-A': value contains the control character U+0085: refused");
        assertThatThrownBy(() -> new MessageSpec().to("a\u2028b@example.com"))
                .hasMessageEndingWith("contains the control character U+2028: refused");
        assertThat(new MessageSpec().subject("tab\tis folding white space").getSubject()).contains("tab\tis folding white space");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            a@example.com                          | a@example.com          |
            <a@example.com>                        | a@example.com          |
            Ann Example <ann@example.com>          | ann@example.com        | Ann Example
            "Doe, John" <john@example.com>         | john@example.com       | Doe, John
            Jörg Müller <jörg@müller.example>      | jörg@müller.example    | Jörg Müller
            jörg@müller.example                    | jörg@müller.example    |
            用户@例子.广告                          | 用户@例子.广告          |
            postmaster@[192.0.2.1]                 | postmaster@[192.0.2.1] |
            """, delimiter = '|')
    void addressesAreParsedStrictly(String text, String address, String name) {
        Mailbox m = new MessageSpec().to(text).getTo().get(0);
        assertThat(m.address()).isEqualTo(address);
        assertThat(m.name()).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            no-at-sign                  | is not a valid address
            a@                          | is not a valid address
            @example.com                | is not a valid address
            a b@example.com             | is not a valid address
            a@example.com, b@example.com| is not one address; give each address separately
            team: a@example.com;        | is a group, not a mailbox
            a@exa mple.com              | is not a valid address
            a..b@example.com            | is not a valid address
            """, delimiter = '|')
    void badAddressesAreRefused(String text, String why) {
        assertThatThrownBy(() -> new MessageSpec().cc(text))
                .isInstanceOf(MessageException.class)
                .hasMessageStartingWith("cc: address '" + text + "' ")
                .hasMessageContaining(why);
    }

    @Test
    void tooLongAddressIsRefused() {
        String address = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(62) + ".example";
        assertThatThrownBy(() -> new MessageSpec().to(address)).hasMessageEndingWith("longer than 254 octets");
    }

    @Test
    void emptyAndNullAddressesAreRefused() {
        assertThatThrownBy(() -> new MessageSpec().from(" ")).hasMessage("from: no address given (empty)");
        assertThatThrownBy(() -> new MessageSpec().to((String) null)).hasMessage("to: no address given (null)");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            X-Campaign     | true
            X-A.B_C~1      | true
            List-Unsubscribe | true
            X Campaign     | false
            X:Campaign     | false
            X-Ünï          | false
            ''             | false
            """, delimiter = '|')
    void headerNamesMustBeFtext(String name, boolean valid) {
        if (valid) {
            assertThat(new MessageSpec().header(name, "v").getHeaders()).containsExactly(new Header(name, "v"));
        } else {
            assertThatThrownBy(() -> new MessageSpec().header(name, "v")).isInstanceOf(MessageException.class);
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            Bcc          | use bcc (envelope only: it is never written as a header)
            bcc          | use bcc (envelope only: it is never written as a header)
            Subject      | use subject
            Content-Type | it is set when the message is built
            X-Priority   | use priority
            Message-ID   | use messageId
            """, delimiter = '|')
    void headersTheSpecOwnsAreRefusedWithTheWordToUse(String name, String hint) {
        assertThatThrownBy(() -> new MessageSpec().header(name, "x"))
                .hasMessage("header '" + name + "': not a custom header; " + hint);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            high   | 1
            HIGH   | 1
            normal | 3
            low    | 5
            2      | 2
            5      | 5
            """, delimiter = '|')
    void priorityWordsAndNumbers(String word, int expected) {
        assertThat(new MessageSpec().priority(word).getPriority()).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "6", "urgentest", ""})
    void badPriorityIsRefused(String word) {
        assertThatThrownBy(() -> new MessageSpec().priority(word))
                .hasMessage("priority: '" + word + "' is not 1-5 or high, normal, low");
        assertThatThrownBy(() -> new MessageSpec().priority(9)).hasMessage("priority: 9 is not 1-5 or high, normal, low");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            <abc@example.com>   | <abc@example.com>
            abc@example.com     | <abc@example.com>
            ' <a.b$c@host> '    | <a.b$c@host>
            """, delimiter = '|')
    void messageIdGetsAngleBrackets(String given, String expected) {
        assertThat(new MessageSpec().messageId(given).getMessageId()).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-at", "<a b@c>", "a@b@c", "<@c>", "<a@>", "ünï@example.com"})
    void badMessageIdsAreRefused(String id) {
        assertThatThrownBy(() -> new MessageSpec().messageId(id))
                .hasMessageStartingWith("messageId: ").hasMessageContaining("is not a message id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tue, 3 Jun 2008 11:05:30 +0000", "2008-06-03T11:05:30Z", "2008-06-03T13:05:30+02:00"})
    void datesInRfc5322OrIso8601(String text) {
        ZonedDateTime d = new MessageSpec().date(text).getDate().orElseThrow();
        assertThat(d.toInstant()).isEqualTo(ZonedDateTime.of(2008, 6, 3, 11, 5, 30, 0, ZoneOffset.UTC).toInstant());
    }

    @Test
    void badDateIsRefused() {
        assertThatThrownBy(() -> new MessageSpec().date("next tuesday"))
                .hasMessageStartingWith("date: 'next tuesday' is neither an RFC 5322 date");
    }

    @Test
    void missingAttachmentIsNoInput() {
        Path missing = dir.resolve("nope.pdf");
        MessageException e = catchThrowableOfType(MessageException.class, () -> new MessageSpec().attach(missing));
        assertThat(e.getMessage()).isEqualTo("attach '" + missing + "': no such file");
        assertThat(e.kind()).isEqualTo(MessageException.Kind.MISSING_INPUT);
        assertThatThrownBy(() -> new MessageSpec().inline(dir, "x"))
                .hasMessage("inline '" + dir + "': not a regular file");
    }

    @Test
    void inlineCidIsCheckedAndUnique() {
        MessageSpec spec = new MessageSpec().inline(file("logo.png"), "<logo>");
        assertThat(spec.getInlines().get(0).cid()).isEqualTo("logo");
        assertThatThrownBy(() -> spec.inline(file("other.png"), "logo"))
                .hasMessageContaining("cid 'logo' is already used by");
        assertThatThrownBy(() -> spec.inline(file("other.png"), "a b"))
                .hasMessageContaining("may only contain printable ASCII");
    }

    @Test
    void attachmentTypeOverrideIsChecked() {
        assertThatThrownBy(() -> new MessageSpec().attach(file("a.pdf"), "pdf", null))
                .hasMessageContaining("is not of the form type/subtype");
        assertThatThrownBy(() -> new MessageSpec().attach(file("a.pdf"), "message/rfc822", null))
                .hasMessageContaining("cannot be used for a file");
        assertThat(new MessageSpec().attach(file("a.pdf"), "text/csv; charset=UTF-8", "x.csv").getAttachments())
                .containsExactly(new Attachment(file("a.pdf"), "text/csv; charset=UTF-8", "x.csv"));
    }

    @Test
    void aRefusedValueLeavesTheSpecUnchanged() {
        MessageSpec spec = new MessageSpec().to("a@example.com");
        assertThatThrownBy(() -> spec.to("b@example.com", "bad\n@example.com")).isInstanceOf(MessageException.class);
        assertThat(spec.getTo()).extracting(Mailbox::address).containsExactly("a@example.com");
    }

    @Test
    void copyIsIndependent() {
        MessageSpec base = new MessageSpec().from("a@example.com").to("b@example.com").subject("s");
        MessageSpec copy = base.copy().to("c@example.com").subject("t");
        assertThat(base.getTo()).hasSize(1);
        assertThat(base.getSubject()).contains("s");
        assertThat(copy.getTo()).hasSize(2);
    }
}
