package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    private static Capabilities parse(String... lines) {
        return Capabilities.parse(Reply.of(250, List.of(lines)));
    }

    @Test
    void everyExtensionIsRecognised() {
        Capabilities c = parse("250-mx.test", "250-PIPELINING", "250-SIZE 52428800", "250-8bitmime", "250-SMTPUTF8",
                "250-DSN", "250-CHUNKING", "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-AUTH PLAIN LOGIN",
                "250 AUTH=LOGIN CRAM-MD5");
        assertThat(c.pipelining()).isTrue();
        assertThat(c.sizeLimit()).isEqualTo(52_428_800);
        assertThat(c.eightBitMime()).isTrue();
        assertThat(c.smtpUtf8()).isTrue();
        assertThat(c.dsn()).isTrue();
        assertThat(c.chunking()).isTrue();
        assertThat(c.enhancedStatusCodes()).isTrue();
        assertThat(c.startTls()).isTrue();
        assertThat(c.authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
    }

    @Test
    void sizeWithoutLimitAndNothingOffered() {
        Capabilities c = parse("250-mx.test", "250 SIZE");
        assertThat(c.size()).isTrue();
        assertThat(c.sizeLimit()).isZero();
        assertThat(parse("250 mx.test").keywords()).isEmpty();
        assertThat(Capabilities.NONE.esmtp()).isFalse();
    }

    @Test
    void aClosingOkLineIsNotAnExtension() {
        Capabilities c = parse("250-ALAN.CP.com Hello [10.0.0.5]", "250-AUTH GSSAPI NTLM LOGIN", "250 OK");
        assertThat(c.keywords()).containsOnlyKeys("AUTH");
    }
}
