package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplyReaderTest {

    private static Reply read(String wire) throws Exception {
        return new ReplyReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))).read();
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            250 OK\\r\\n                                 | 250 | 1 |
            250-a\\r\\n250-b\\r\\n250 c\\r\\n            | 250 | 3 |
            250\\r\\n                                    | 250 | 1 |
            220 hi\\n                                    | 220 | 1 |
            550 5.1.1 <b@y>: Recipient rejected\\r\\n    | 550 | 1 | 5.1.1
            250 4.1.1 class does not match\\r\\n         | 250 | 1 |
            421 4.3.2 closing\\r\\n                      | 421 | 1 | 4.3.2
            """, delimiter = '|')
    void validReplies(String wire, int code, int lines, String enhanced) throws Exception {
        Reply r = read(wire.replace("\\r", "\r").replace("\\n", "\n"));
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.lines()).hasSize(lines);
        assertThat(r.enhanced()).isEqualTo(enhanced);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            hello\\r\\n                  | line 1 has no reply code: 'hello'
            250-a\\r\\n550 b\\r\\n       | reply code changed from 250 to 550 within one reply: '550 b'
            199 too low\\r\\n            | reply code 199 is outside 200-599: '199 too low'
            600 too high\\r\\n           | reply code 600 is outside 200-599: '600 too high'
            250x\\r\\n                   | line 1 has no space or '-' after its code: '250x'
            250-a\\r\\n                  | connection closed in the middle of a reply
            250 a\\u0007b\\r\\n          | reply line contains control character 0x07: '250 a?b'
            """, delimiter = '|')
    void malformedReplies(String wire, String problem) {
        String w = wire.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0007", "\u0007");
        assertThatThrownBy(() -> read(w)).isInstanceOf(ReplyReader.MalformedReplyException.class).hasMessage(problem);
    }

    @Test
    void boundsAreEnforced() {
        assertThatThrownBy(() -> read("250 " + "x".repeat(3000) + "\r\n"))
                .hasMessage("reply line longer than 2048 octets");
        assertThatThrownBy(() -> read("250-x\r\n".repeat(500) + "250 x\r\n"))
                .hasMessage("reply longer than 200 lines");
    }

    @Test
    void invalidUtf8IsRefusedAndEmptyStreamIsEof() {
        assertThatThrownBy(() -> new ReplyReader(new ByteArrayInputStream(new byte[] {'2', '5', '0', ' ', (byte) 0xff,
                '\r', '\n'})).read()).hasMessage("reply line is not valid UTF-8 text");
        assertThatThrownBy(() -> read("")).isInstanceOf(EOFException.class);
    }
}
