package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each verb's line, built without a socket: the ESMTP parameter grammar, xtext, A-labels and the refusals. */
class CommandsTest {

    private static final String SERVER = "mx.test:25";

    /** The capabilities of an EHLO reply offering {@code keywords} (space separated; empty for none). */
    private static Capabilities offering(String keywords) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("mx.test");
        if (keywords != null && !keywords.isBlank()) {
            lines.addAll(Arrays.asList(keywords.trim().split("\\s*;\\s*")));
        }
        List<String> reply = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            reply.add("250" + (i == lines.size() - 1 ? " " : "-") + lines.get(i));
        }
        return Capabilities.parse(new Reply(250, null, reply));
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @ParameterizedTest(name = "MAIL {0} size={1} body={2} utf8={3} ret={4} envid={5} -> {7}")
    @CsvSource(textBlock = """
            a@x.test      | -1   |          | false |      |          |                 | MAIL FROM:<a@x.test>
            ''            | -1   |          | false |      |          |                 | MAIL FROM:<>
            a@x.test      | 10   |          | false |      |          | SIZE            | MAIL FROM:<a@x.test> SIZE=10
            a@x.test      | -1   | 8BITMIME | false |      |          | 8BITMIME        | MAIL FROM:<a@x.test> BODY=8BITMIME
            a@x.test      | -1   | 7bit     | false |      |          |                 | MAIL FROM:<a@x.test> BODY=7bit
            a@bücher.test | -1   |          | false |      |          |                 | MAIL FROM:<a@xn--bcher-kva.test>
            ü@x.test      | -1   |          | true  |      |          | SMTPUTF8        | MAIL FROM:<ü@x.test> SMTPUTF8
            a@x.test      | -1   |          | false | HDRS | id+1=2 x | DSN             | MAIL FROM:<a@x.test> RET=HDRS ENVID=id+2B1+3D2+20x
            a@x.test      | 5    | BINARYMIME | false | full |        | DSN; SIZE       | MAIL FROM:<a@x.test> SIZE=5 BODY=BINARYMIME RET=full
            """, delimiter = '|', emptyValue = "")
    void mailLinesCarryTheirParametersInOrder(String from, long size, String body, boolean utf8, String ret,
                                              String envid, String offered, String line) throws SmtpException {
        MailOptions mo = new MailOptions(size, nullIfEmpty(body), utf8, nullIfEmpty(ret), nullIfEmpty(envid));
        assertThat(Commands.mail(from, mo, offering(offered), SERVER)).isEqualTo(line);
    }

    @ParameterizedTest(name = "RCPT {0} notify={1} orcpt={2} -> {4}")
    @CsvSource(textBlock = """
            b@y.test      |                       |               |          | RCPT TO:<b@y.test>
            b@bücher.test |                       |               |          | RCPT TO:<b@xn--bcher-kva.test>
            ü@y.test      |                       |               | SMTPUTF8 | RCPT TO:<ü@y.test>
            b@y.test      | NEVER                 |               | DSN      | RCPT TO:<b@y.test> NOTIFY=NEVER
            b@y.test      | SUCCESS,FAILURE,DELAY | rfc822;b@y.test | DSN    | RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;b@y.test
            b@y.test      |                       | rfc822;b+c@y  | DSN      | RCPT TO:<b@y.test> ORCPT=rfc822;b+2Bc@y
            """, delimiter = '|', emptyValue = "")
    void rcptLinesCarryTheirDsnParameters(String to, String notify, String orcpt, String offered, String line)
            throws SmtpException {
        RcptOptions ro = new RcptOptions(nullIfEmpty(notify), nullIfEmpty(orcpt));
        assertThat(Commands.rcpt(to, ro, offering(offered), SERVER)).isEqualTo(line);
    }

    @ParameterizedTest(name = "MAIL {0} body={1} utf8={2} ret={3} offered={4}: {5}")
    @CsvSource(textBlock = """
            a@x.test | 8BITMIME SMTPUTF8 | false |        |          | INPUT     | BODY '8BITMIME SMTPUTF8' is not 7BIT, 8BITMIME or BINARYMIME (RFC 6152): refused before sending
            a@x.test |                   | false | FULL X | DSN      | INPUT     | RET 'FULL X' is not FULL or HDRS (RFC 3461 4.3): refused before sending
            a@x.test |                   | false | HDRS   |          | PERMANENT | DSN parameters given, but mx.test:25 does not offer DSN (RFC 3461)
            a@x.test |                   | true  |        |          | INPUT     | SMTPUTF8 asked for, but mx.test:25 does not offer SMTPUTF8 (RFC 6531)
            ü@x.test |                   | false |        | SMTPUTF8 | INPUT     | sender ü@x.test is not ASCII, and mx.test:25 does not offer SMTPUTF8 (RFC 6531) to carry it
            """, delimiter = '|', emptyValue = "")
    void mailRefusesParametersOutsideTheirGrammarOrTheOffer(String from, String body, boolean utf8, String ret,
                                                           String offered, Kind kind, String message) {
        MailOptions mo = new MailOptions(-1, nullIfEmpty(body), utf8, nullIfEmpty(ret), null);
        assertThatThrownBy(() -> Commands.mail(from, mo, offering(offered), SERVER))
                .isInstanceOfSatisfying(SmtpException.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.stage()).isEqualTo(SmtpStage.MAIL);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @ParameterizedTest(name = "RCPT {0} notify={1} offered={2}: {3}")
    @CsvSource(textBlock = """
            ü@y.test |               |     | INPUT     | recipient ü@y.test is not ASCII, and mx.test:25 does not offer SMTPUTF8 (RFC 6531) to carry it
            b@y.test | NEVER         |     | PERMANENT | DSN parameters given, but mx.test:25 does not offer DSN (RFC 3461)
            b@y.test | NEVER ORCPT=x | DSN | INPUT     | NOTIFY 'NEVER ORCPT=x' is not NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1): refused before sending
            b@y.test | SUCCESS,NEVER | DSN | INPUT     | NOTIFY 'SUCCESS,NEVER' is not NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1): refused before sending
            ''       |               |     | INPUT     | recipient is empty
            """, delimiter = '|', emptyValue = "")
    void rcptRefusesParametersOutsideTheirGrammarOrTheOffer(String to, String notify, String offered, Kind kind,
                                                           String message) {
        RcptOptions ro = new RcptOptions(nullIfEmpty(notify), null);
        assertThatThrownBy(() -> Commands.rcpt(to, ro, offering(offered), SERVER))
                .isInstanceOfSatisfying(SmtpException.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.stage()).isEqualTo(SmtpStage.RCPT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void crlfInAnAddressOrParameterIsRefusedBeforeAnyLineIsBuilt() {
        assertThatThrownBy(() -> Commands.rcpt("b@y.test>\r\nRCPT TO:<c@y.test", RcptOptions.NONE,
                offering("DSN"), SERVER)).isInstanceOfSatisfying(SmtpException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.INPUT));
        assertThatThrownBy(() -> Commands.mail("a@x.test", new MailOptions(-1, null, false, null, "x\r\nRSET"),
                offering("DSN"), SERVER)).isInstanceOfSatisfying(SmtpException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.INPUT));
        assertThatThrownBy(() -> Commands.ehlo("client\ntest")).isInstanceOfSatisfying(SmtpException.class,
                e -> assertThat(e.stage()).isEqualTo(SmtpStage.EHLO));
        assertThatThrownBy(() -> Commands.vrfy("x\0y")).isInstanceOfSatisfying(SmtpException.class,
                e -> assertThat(e.stage()).isEqualTo(SmtpStage.VRFY));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            plain                | plain
            a+b=c                | a+2Bb+3Dc
            'two words'          | two+20words
            é                    | +C3+A9
            """, delimiter = '|')
    void xtextEncodesPlusEqualsAndEverythingOutside33To126(String in, String out) {
        assertThat(Commands.xtext(in)).isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            a@x.test            | a@x.test
            a@bücher.example    | a@xn--bcher-kva.example
            ü@bücher.example    | ü@bücher.example
            nobody              | nobody
            """, delimiter = '|')
    void onlyTheDomainBecomesAnALabel(String in, String out) {
        assertThat(Commands.aLabelDomain(in)).isEqualTo(out);
    }

    @Test
    void theOtherVerbsAreTheirRfcWords() throws SmtpException {
        assertThat(Commands.ehlo("client.test")).isEqualTo("EHLO client.test");
        assertThat(Commands.helo("client.test")).isEqualTo("HELO client.test");
        assertThat(Commands.vrfy("postmaster")).isEqualTo("VRFY postmaster");
        assertThat(Commands.auth("PLAIN", "AGEAYg==")).isEqualTo("AUTH PLAIN AGEAYg==");
        assertThat(Commands.auth("LOGIN", null)).isEqualTo("AUTH LOGIN");
        assertThat(Commands.bdat(100, false)).isEqualTo("BDAT 100");
        assertThat(Commands.bdat(7, true)).isEqualTo("BDAT 7 LAST");
        assertThat(List.of(Commands.STARTTLS, Commands.DATA, Commands.RSET, Commands.NOOP, Commands.QUIT,
                Commands.DATA_END, Commands.AUTH_CANCEL)).containsExactly("STARTTLS", "DATA", "RSET", "NOOP",
                "QUIT", ".", "*");
    }

    @Test
    void theFirstAddressNeedingSmtpUtf8IsNamed() {
        assertThat(Commands.firstNeedingUtf8(Envelope.of("a@bücher.test", List.of("b@y.test")))).isNull();
        assertThat(Commands.firstNeedingUtf8(Envelope.of("a@x.test", List.of("b@y.test", "ü@y.test", "é@y.test"))))
                .isEqualTo("ü@y.test");
        assertThat(Commands.firstNeedingUtf8(Envelope.of("ü@x.test", List.of("é@y.test")))).isEqualTo("ü@x.test");
    }
}
