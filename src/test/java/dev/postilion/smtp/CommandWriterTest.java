package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing is injected: every command argument with CR, LF, NUL or another control character is
 * refused before a byte is written, and encoding never turns a character into a line break.
 */
@Timeout(60)
class CommandWriterTest {

    /**
     * No case here waits for a limit to fire: generous, so that a loaded machine (the suite runs beside
     * others on 2 cores) cannot turn a slow reply into a spurious timeout.
     */
    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10));

    /** Table escapes: \r, \n, \0, \e (ESC), \x7f (DEL). */
    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0").replace("\\e", "\u001b")
                .replace("\\x7f", "\u007f");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("INJ-01/02/04: the validator names the argument and the character")
    @CsvSource(textBlock = """
            INJ-01 CRLF  | recipient | b@y>\\r\\nRCPT TO:<c@z | recipient 'b@y>\\r\\nRCPT TO:<c@z' contains a carriage return (CR): refused before sending (no command injection)
            INJ-02 LF    | recipient | b@y>\\nRSET           | recipient 'b@y>\\nRSET' contains a line feed (LF): refused before sending (no command injection)
            INJ-02 CR    | recipient | b@y>\\rRSET           | recipient 'b@y>\\rRSET' contains a carriage return (CR): refused before sending (no command injection)
            INJ-04 NUL   | EHLO name | host\\0.example       | EHLO name 'host\\0.example' contains a NUL character: refused before sending (no command injection)
            INJ-04 ESC   | sender    | a\\e[2J@x             | sender 'a\\x1b[2J@x' contains a control character (0x1b): refused before sending (no command injection)
            INJ-04 DEL   | sender    | a\\x7f@x              | sender 'a\\x7f@x' contains a control character (0x7f): refused before sending (no command injection)
            """, delimiter = '|')
    void argumentsWithLineBreaksOrControlsAreRefused(String name, String what, String value, String message) {
        assertThatThrownBy(() -> CommandWriter.checkArgument(what, unescape(value), SmtpStage.RCPT))
                .isInstanceOfSatisfying(SmtpException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.INPUT);
                    assertThat(e.stage()).isEqualTo(SmtpStage.RCPT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"b@y.test", "", "\"john doe\"@y.test", "postmaster", "a+tag@sub.y.test"})
    void ordinaryAddressesPass(String address) throws Exception {
        assertThat(CommandWriter.checkAddress("recipient", address, SmtpStage.RCPT)).isEqualTo(address);
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("INJ-06/10: an address cannot smuggle parameters")
    @CsvSource(textBlock = """
            closing bracket  | b@y.test> NOTIFY=NEVER | recipient 'b@y.test> NOTIFY=NEVER' contains '>' outside quotes: refused before sending (no parameter injection)
            opening bracket  | <aaa@bbb>ccc@ddd       | recipient '<aaa@bbb>ccc@ddd' contains '<' outside quotes: refused before sending (no parameter injection)
            space            | b@y.test SIZE=1        | recipient 'b@y.test SIZE=1' contains a space outside quotes: refused before sending (no parameter injection)
            """, delimiter = '|')
    void addressesCannotCarryParameters(String name, String address, String message) {
        assertThatThrownBy(() -> CommandWriter.checkAddress("recipient", address, SmtpStage.RCPT))
                .isInstanceOfSatisfying(SmtpException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.INPUT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @ParameterizedTest(name = "U+{0}")
    @DisplayName("INJ-03 CVE-2025-7962: a character whose low byte is CR or LF never becomes CR or LF")
    @ValueSource(strings = {"760D", "760A", "0D0A", "010D", "010A", "0A0D", "FF0D"})
    void lowByteIsNeverTheOctet(String hex) throws Exception {
        String evil = "a" + Character.toString(Integer.parseInt(hex, 16)) + "DATA@x.example";
        String line = "RCPT TO:<" + evil + ">";
        assertThatThrownBy(() -> CommandWriter.encode(line, false, SmtpStage.RCPT))
                .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INPUT));
        byte[] utf8 = CommandWriter.encode(line, true, SmtpStage.RCPT);
        assertThat(utf8).isEqualTo((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < utf8.length - 2; i++) {
            assertThat(utf8[i]).as("octet %d", i).isNotIn((byte) '\r', (byte) '\n', (byte) 0);
        }
    }

    @Test
    void longestCommandIsSentAndOneMoreOctetIsRefused() throws Exception {
        String longest = "VRFY " + "x".repeat(CommandWriter.MAX_COMMAND - 7);
        assertThat(CommandWriter.encode(longest, false, SmtpStage.VRFY)).hasSize(CommandWriter.MAX_COMMAND);
        assertThatThrownBy(() -> CommandWriter.encode(longest + "x", false, SmtpStage.VRFY))
                .hasMessage("command line is 513 octets; SMTP allows 512 (RFC 5321 4.5.3.1.4)");
    }

    @Test
    @DisplayName("RFC 4954 4: AUTH lines may be up to 12288 octets (long OAuth tokens)")
    void authLinesMayBeLonger() throws Exception {
        String auth = "AUTH XOAUTH2 " + "A".repeat(4000);
        assertThat(CommandWriter.encode(auth, false, SmtpStage.AUTH)).hasSize(auth.length() + 2);
        assertThat(CommandWriter.encode("A".repeat(4000), false, SmtpStage.AUTH)).hasSize(4002);
        assertThatThrownBy(() -> CommandWriter.encode("A".repeat(12287), false, SmtpStage.AUTH))
                .hasMessage("command line is 12289 octets; SMTP allows 12288 (RFC 4954 4)");
    }

    // ------------------------------------------------------------------ on the wire

    @Test
    @DisplayName("INJ-01 crlfInRecipientIsRefused")
    void crlfInRecipientIsRefused() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            c.mail("a@x.test", MailOptions.NONE);
            assertThatThrownBy(() -> c.rcpt("victim@a.example>\r\nRCPT TO:<x@evil.example", RcptOptions.NONE))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.INPUT);
                        assertThat(e.stage()).isEqualTo(SmtpStage.RCPT);
                        assertThat(e.getMessage()).isEqualTo("recipient 'victim@a.example>\\r\\nRCPT TO:<x@evil.example'"
                                + " contains a carriage return (CR): refused before sending (no command injection)");
                    });
            assertThat(c.rcpt("b@y.test", RcptOptions.NONE).code()).as("the session goes on").isEqualTo(250);
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                    "QUIT");
            assertThat(s.receivedText()).doesNotContain("evil");
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @DisplayName("INJ-01/02/04/06: every argument slot refuses CR, LF and NUL with nothing on the wire")
    @CsvSource(textBlock = """
            EHLO name  | \\r\\n
            EHLO name  | \\n
            HELO name  | \\r
            sender     | \\r\\n
            sender     | \\0
            recipient  | \\n
            recipient  | \\r
            recipient  | \\0
            VRFY       | \\r\\n
            raw        | \\n
            raw        | \\0
            NOTIFY     | \\r\\n
            ORCPT      | \\n
            RET        | \\r
            ENVID      | \\r\\n
            BODY       | \\n
            AUTH user  | \\0
            AUTH user  | \\r\\n
            """, delimiter = '|')
    void noSlotLetsALineBreakThrough(String slot, String breaker) throws Exception {
        String bad = unescape(breaker);
        try (FaultServer s = FaultServer.start().capabilities("DSN", "AUTH PLAIN LOGIN");
             SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            boolean inTransaction = List.of("recipient", "NOTIFY", "ORCPT").contains(slot);
            if (inTransaction) {
                c.mail("a@x.test", MailOptions.NONE);
            }
            List<String> before = s.commands();
            ThrowingCallable call = switch (slot) {
                case "EHLO name" -> () -> c.ehlo("client" + bad + "MAIL FROM:<x@y>");
                case "HELO name" -> () -> c.helo("client" + bad + "MAIL FROM:<x@y>");
                case "sender" -> () -> c.mail("a@x.test" + bad + "RSET", MailOptions.NONE);
                case "recipient" -> () -> c.rcpt("b@y.test" + bad + "RSET", RcptOptions.NONE);
                case "VRFY" -> () -> c.vrfy("root" + bad + "RSET");
                case "raw" -> () -> c.raw("NOOP" + bad + "RSET");
                case "NOTIFY" -> () -> c.rcpt("b@y.test", new RcptOptions("NEVER" + bad + "RSET", null));
                case "ORCPT" -> () -> c.rcpt("b@y.test", new RcptOptions(null, "rfc822;b@y" + bad + "RSET"));
                case "RET" -> () -> c.mail("a@x.test", new MailOptions(-1, null, false, "HDRS" + bad + "RSET", null));
                case "ENVID" -> () -> c.mail("a@x.test", new MailOptions(-1, null, false, null, "id" + bad + "RSET"));
                case "BODY" -> () -> c.mail("a@x.test", new MailOptions(-1, "8BITMIME" + bad + "RSET", false, null, null));
                case "AUTH user" -> () -> c.auth("PLAIN", Credentials.password("guyt" + bad + "admin", () -> "pw"));
                default -> throw new IllegalArgumentException(slot);
            };
            assertThatThrownBy(call).isInstanceOfSatisfying(SmtpException.class,
                    e -> assertThat(e.kind()).isEqualTo(Kind.INPUT));
            assertThat(c.noop().code()).as("the connection is still in step").isEqualTo(250);
            assertThat(s.commands()).isEqualTo(concat(before, "NOOP"));
            assertThat(s.receivedText()).doesNotContain("RSET").doesNotContain("x@y").doesNotContain("admin");
        }
    }

    @Test
    @DisplayName("INJ-06: ESMTP parameter values are checked against their grammar")
    void parameterValuesFollowTheirGrammar() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("DSN", "8BITMIME");
             SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.mail("a@x.test", new MailOptions(-1, null, false, "HDRS SIZE=1", null)))
                    .hasMessage("RET 'HDRS SIZE=1' is not FULL or HDRS (RFC 3461 4.3): refused before sending");
            assertThatThrownBy(() -> c.mail("a@x.test", new MailOptions(-1, "8BITMIME AUTH=<>", false, null, null)))
                    .hasMessage("BODY '8BITMIME AUTH=<>' is not 7BIT, 8BITMIME or BINARYMIME (RFC 6152):"
                            + " refused before sending");
            c.mail("a@x.test", new MailOptions(-1, "8BITMIME", false, "FULL", "id 1+=x"));
            assertThatThrownBy(() -> c.rcpt("b@y.test", new RcptOptions("NEVER ORCPT=rfc822;x@evil", null)))
                    .hasMessage("NOTIFY 'NEVER ORCPT=rfc822;x@evil' is not NEVER or a list of SUCCESS, FAILURE,"
                            + " DELAY (RFC 3461 4.1): refused before sending");
            c.rcpt("b@y.test", new RcptOptions("success,FAILURE", "rfc822;b@y.test"));
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test",
                    "MAIL FROM:<a@x.test> BODY=8BITMIME RET=FULL ENVID=id+201+2B+3Dx",
                    "RCPT TO:<b@y.test> NOTIFY=success,FAILURE ORCPT=rfc822;b@y.test", "QUIT");
        }
    }

    @Test
    @DisplayName("INJ-06: an address cannot add parameters on the wire")
    void addressCannotAddParameters() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.mail("a@x.test> AUTH=<>", MailOptions.NONE))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INPUT));
            c.mail("a@x.test", MailOptions.NONE);
            assertThatThrownBy(() -> c.rcpt("b@y.test> NOTIFY=NEVER", RcptOptions.NONE))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INPUT));
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test> NOTIFY=NEVER")),
                    MessageContent.of("x"))).isInstanceOf(SmtpException.class);
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "QUIT");
        }
    }

    @ParameterizedTest(name = "U+{0}")
    @DisplayName("INJ-03 CVE-2025-7962 on the wire: UTF-8 only under SMTPUTF8, never a stray CR or LF")
    @ValueSource(strings = {"760D", "760A", "0D0A"})
    void characterWhoseLowByteIsCrNeverBecomesCr(String hex) throws Exception {
        String recipient = "a" + Character.toString(Integer.parseInt(hex, 16)) + "DATA@x.example";
        try (FaultServer s = FaultServer.start().capabilities("SMTPUTF8");
             SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.send(Envelope.of("a@x.test", List.of(recipient)), MessageContent.of("hi")).delivered())
                    .isTrue();
            c.quit();
            assertThat(s.commands()).contains("RCPT TO:<" + recipient + ">");
            assertOnlyCrlf(s.received());
        }
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING");
             SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of(recipient)), MessageContent.of("hi")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.INPUT);
                        assertThat(e.getMessage()).isEqualTo("address " + recipient + " is not ASCII, and "
                                + s.host() + ":" + s.port() + " does not offer SMTPUTF8 (RFC 6531) to carry it;"
                                + " nothing was sent");
                    });
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "QUIT");
        }
    }

    @Test
    @DisplayName("MIM-08: an over-long command is refused before sending")
    void overLongCommandIsRefused() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(FAST, null)) {
            c.open(s.host(), s.port(), "client.test");
            c.mail("a@x.test", MailOptions.NONE);
            String longRecipient = "b".repeat(600) + "@y.test";
            assertThatThrownBy(() -> c.rcpt(longRecipient, RcptOptions.NONE))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.INPUT);
                        assertThat(e.getMessage())
                                .isEqualTo("command line is 619 octets; SMTP allows 512 (RFC 5321 4.5.3.1.4)");
                    });
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "QUIT");
        }
    }

    private static void assertOnlyCrlf(byte[] wire) {
        for (int i = 0; i < wire.length; i++) {
            if (wire[i] == '\r') {
                assertThat(i + 1 < wire.length && wire[i + 1] == '\n').as("bare CR at %d", i).isTrue();
            }
            if (wire[i] == '\n') {
                assertThat(i > 0 && wire[i - 1] == '\r').as("bare LF at %d", i).isTrue();
            }
        }
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> all = new java.util.ArrayList<>(list);
        all.add(more);
        return all;
    }
}
