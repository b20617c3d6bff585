package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 13.20: the default EHLO name is this host's name as {@code hostname} prints it. */
class LocalNameTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            build-01            | 192.0.2.1   | build-01
            mail.example.com    | 192.0.2.1   | mail.example.com
            localhost           | 192.0.2.1   | localhost
            (none)              | 192.0.2.1   | [192.0.2.1]
            ''                  | 192.0.2.1   | [192.0.2.1]
            bad_name!           | 192.0.2.1   | [192.0.2.1]
            ''                  | 2001:db8::1 | [IPv6:2001:db8:0:0:0:0:0:1]
            """, delimiter = '|')
    void aHostNameWithoutADotIsKeptAndAnAddressLiteralOnlyWhenThereIsNoName(String hostname, String address,
                                                                             String expected) throws Exception {
        assertThat(LocalName.choose(hostname, InetAddress.getByName(address))).isEqualTo(expected);
    }

    @Test
    void noNameAndNoAddressIsTheLoopbackLiteral() {
        assertThat(LocalName.choose(null, null)).isEqualTo("[127.0.0.1]");
    }

    @Test
    void theDefaultIsWhatHostnamePrints() throws Exception {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        String expected = Files.isReadable(kernel) ? Files.readString(kernel, StandardCharsets.US_ASCII).trim()
                : InetAddress.getLocalHost().getHostName();
        assertThat(LocalName.forEhlo()).isEqualTo(expected);
    }
}
