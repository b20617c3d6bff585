package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapabilitiesTest {

    private static Capabilities parse(String... lines) {
        return Capabilities.parse(Reply.of(250, List.of(lines)));
    }

    @Test
    void everyExtensionIsRecognised() {
        Capabilities c = parse("250-mx.test", "250-PIPELINING", "250-SIZE 52428800", "250-8BITMIME", "250-SMTPUTF8",
                "250-DSN", "250-CHUNKING", "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250 AUTH PLAIN LOGIN");
        assertThat(c.esmtp()).isTrue();
        assertThat(c.pipelining()).isTrue();
        assertThat(c.size()).isTrue();
        assertThat(c.sizeLimit()).isEqualTo(52_428_800);
        assertThat(c.eightBitMime()).isTrue();
        assertThat(c.smtpUtf8()).isTrue();
        assertThat(c.dsn()).isTrue();
        assertThat(c.chunking()).isTrue();
        assertThat(c.enhancedStatusCodes()).isTrue();
        assertThat(c.startTls()).isTrue();
        assertThat(c.authMechanisms()).containsExactly("PLAIN", "LOGIN");
        assertThat(c.keywords().keySet()).containsExactly("PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "DSN",
                "CHUNKING", "ENHANCEDSTATUSCODES", "STARTTLS", "AUTH");
    }

    @Test
    void nothingOfferedAfterTheGreetingLine() {
        Capabilities c = parse("250 mx.test greets you");
        assertThat(c.keywords()).isEmpty();
        assertThat(c.esmtp()).isTrue();
        assertThat(c.pipelining()).isFalse();
        assertThat(c.size()).isFalse();
        assertThat(c.sizeLimit()).isZero();
        assertThat(c.authMechanisms()).isEmpty();
        assertThat(Capabilities.NONE.esmtp()).isFalse();
        assertThat(Capabilities.NONE.keywords()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            SIZE with a limit        | 250 SIZE 10240000     | true  | 10240000
            SIZE without a limit     | 250 SIZE              | true  | 0
            SIZE 0 (no limit)        | 250 SIZE 0            | true  | 0
            SIZE not a number        | 250 SIZE lots         | true  | 0
            SIZE beyond int          | 250 SIZE 5000000000   | true  | 5000000000
            lowercase size           | 250 size 1000         | true  | 1000
            no SIZE                  | 250 PIPELINING        | false | 0
            """, delimiter = '|')
    void sizeAndItsLimit(String name, String line, boolean offered, long limit) {
        Capabilities c = parse("250-mx.test", line);
        assertThat(c.size()).isEqualTo(offered);
        assertThat(c.sizeLimit()).isEqualTo(limit);
    }

    @Test
    void oldAuthEqualsFormIsMergedWithoutDuplicates() {
        Capabilities c = parse("250-ALAN.CP.com Hello [10.0.0.5]", "250-AUTH GSSAPI NTLM LOGIN", "250-AUTH=LOGIN",
                "250 OK");
        assertThat(c.authMechanisms()).containsExactly("GSSAPI", "NTLM", "LOGIN");
        assertThat(parse("250-mx", "250-AUTH=LOGIN PLAIN", "250 AUTH PLAIN CRAM-MD5").authMechanisms())
                .containsExactly("LOGIN", "PLAIN", "CRAM-MD5");
        assertThat(parse("250-mx", "250 AUTH=LOGIN").authMechanisms()).containsExactly("LOGIN");
    }

    @Test
    void repeatedKeywordParametersAreListedOnce() {
        // Issue 13.11: check printed Exchange's offer as "AUTH GSSAPI NTLM LOGIN LOGIN".
        Capabilities c = parse("250-ALAN.CP.com Hello [10.0.0.5]", "250-AUTH GSSAPI NTLM LOGIN", "250-AUTH=LOGIN",
                "250-auth login plain", "250 OK");
        assertThat(c.params("AUTH")).containsExactly("GSSAPI", "NTLM", "LOGIN", "plain");
        assertThat(c.keywords().get("AUTH")).containsExactly("GSSAPI", "NTLM", "LOGIN", "plain");
    }

    @Test
    void keywordsAreCaseInsensitiveAndMechanismsUpperCase() {
        Capabilities c = parse("250-mx.test", "250-pipelining", "250-8bitmime", "250-smtputf8", "250-starttls",
                "250-chunking", "250-dsn", "250-enhancedstatuscodes", "250 auth plain cram-md5");
        assertThat(c.pipelining()).isTrue();
        assertThat(c.eightBitMime()).isTrue();
        assertThat(c.smtpUtf8()).isTrue();
        assertThat(c.startTls()).isTrue();
        assertThat(c.chunking()).isTrue();
        assertThat(c.dsn()).isTrue();
        assertThat(c.enhancedStatusCodes()).isTrue();
        assertThat(c.has("Pipelining")).isTrue();
        assertThat(c.authMechanisms()).containsExactly("PLAIN", "CRAM-MD5");
    }

    @Test
    void parametersAndOddSpacingAreKept() {
        Capabilities c = parse("250-mx.test", "250-X-EXPS GSSAPI NTLM", "250-AUTH  PLAIN\tLOGIN ", "250-", "250 ETRN");
        assertThat(c.params("x-exps")).containsExactly("GSSAPI", "NTLM");
        assertThat(c.authMechanisms()).containsExactly("PLAIN", "LOGIN");
        assertThat(c.has("ETRN")).isTrue();
        assertThat(c.params("ETRN")).isEmpty();
        assertThat(c.params("NOT-OFFERED")).isEmpty();
    }

    @Test
    void exchange2003ListFromTheSeed() {
        Capabilities c = Capabilities.parse(Reply.of(250, List.of(
                dev.postilion.testing.FaultServer.EXCHANGE_2003_EHLO.split("\r\n"))));
        assertThat(c.pipelining()).isFalse();
        assertThat(c.size()).isTrue();
        assertThat(c.sizeLimit()).isZero();
        assertThat(c.eightBitMime()).isTrue();
        assertThat(c.chunking()).isTrue();
        assertThat(c.dsn()).isTrue();
        assertThat(c.startTls()).isFalse();
        assertThat(c.authMechanisms()).containsExactly("GSSAPI", "NTLM", "LOGIN");
    }

    @Test
    void aClosingOkLineIsNotAnExtension() {
        Capabilities c = parse("250-ALAN.CP.com Hello [10.0.0.5]", "250-AUTH GSSAPI NTLM LOGIN", "250 OK");
        assertThat(c.keywords()).containsOnlyKeys("AUTH");
    }
}
