package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5321 4.2 replies, read strictly and within bounds; each refusal names its problem exactly. */
class ReplyReaderTest {

    /** Table escapes: \r, \n, \t, \0, \e (ESC) and \xff (one octet 0xff). */
    private static byte[] wire(String escaped) {
        String s = escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0")
                .replace("\\e", "\u001b").replace("\\xff", "\u00ff");
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Reply read(byte[] wire) throws Exception {
        return new ReplyReader(new ByteArrayInputStream(wire)).read();
    }

    private static Reply read(String text) throws Exception {
        return read(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            one line                | 250 OK\\r\\n                            | 250 | 1 |       | OK
            multi-line              | 250-a\\r\\n250-b\\r\\n250 c\\r\\n       | 250 | 3 |       | a\\nb\\nc
            RPL-09 bare code        | 250\\r\\n                               | 250 | 1 |       |
            bare code, multi-line   | 250-\\r\\n250\\r\\n                     | 250 | 2 |       | \\n
            LF-only ending          | 220 hi\\n                               | 220 | 1 |       | hi
            LF-only multi-line      | 250-a\\n250 b\\n                        | 250 | 2 |       | a\\nb
            enhanced code           | 550 5.1.1 <b@y>: Recipient rejected\\r\\n | 550 | 1 | 5.1.1 | 5.1.1 <b@y>: Recipient rejected
            enhanced class mismatch | 250 4.1.1 class does not match\\r\\n    | 250 | 1 |       | 4.1.1 class does not match
            421 closing             | 421 4.3.2 closing\\r\\n                 | 421 | 1 | 4.3.2 | 4.3.2 closing
            554 greeting            | 554 5.7.1 no service\\r\\n              | 554 | 1 | 5.7.1 | 5.7.1 no service
            lowest code             | 200 ok\\r\\n                            | 200 | 1 |       | ok
            highest code            | 599 no\\r\\n                            | 599 | 1 |       | no
            tab in text             | 250 a\\tb\\r\\n                         | 250 | 1 |       | a\\tb
            334 challenge           | 334 VXNlcm5hbWU6\\r\\n                  | 334 | 1 |       | VXNlcm5hbWU6
            empty 334               | 334 \\r\\n                              | 334 | 1 |       |
            """, delimiter = '|')
    void validReplies(String name, String wire, int code, int lines, String enhanced, String text) throws Exception {
        Reply r = read(wire(wire));
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.lines()).hasSize(lines);
        assertThat(r.enhanced()).isEqualTo(enhanced);
        assertThat(r.text()).isEqualTo(text == null ? "" : text.replace("\\n", "\n").replace("\\t", "\t"));
    }

    @Test
    void utf8TextIsDecoded() throws Exception {
        assertThat(read("250 Grüße aus Köln\r\n").text()).isEqualTo("Grüße aus Köln");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("RPL-04/07/09/11: malformed replies")
    @CsvSource(textBlock = """
            no code                 | hello\\r\\n                   | line 1 has no reply code: 'hello'
            empty line              | \\r\\n                        | line 1 has no reply code: ''
            RPL-09 two digits       | 25 OK\\r\\n                   | line 1 has no reply code: '25 OK'
            RPL-09 four digits      | 2500 OK\\r\\n                 | line 1 has no space or '-' after its code: '2500 OK'
            RPL-09 no separator     | 250OK\\r\\n                   | line 1 has no space or '-' after its code: '250OK'
            RPL-09 tab separator    | 250\\tOK\\r\\n                | line 1 has no space or '-' after its code: '250?OK'
            RPL-07 code change      | 250-a\\r\\n550 b\\r\\n        | reply code changed from 250 to 550 within one reply: '550 b'
            RPL-07 code change back | 550-a\\r\\n250 b\\r\\n        | reply code changed from 550 to 250 within one reply: '250 b'
            no code on line 2       | 250-a\\r\\nxyz\\r\\n          | line 2 has no reply code: 'xyz'
            RPL-04 1xx              | 199 no hello for you!\\r\\n   | reply code 199 is outside 200-599: '199 no hello for you!'
            RPL-04 150              | 150 ok\\r\\n                  | reply code 150 is outside 200-599: '150 ok'
            RPL-04 6xx              | 650 nope\\r\\n                | reply code 650 is outside 200-599: '650 nope'
            RPL-04 000              | 000 zero\\r\\n                | reply code 0 is outside 200-599: '000 zero'
            RPL-11 NUL              | 250 a\\0b\\r\\n               | reply line contains control character 0x00: '250 a?b'
            RPL-11 bare CR          | 250 ok\\rINJECTED\\r\\n       | reply line contains control character 0x0d: '250 ok?INJECTED'
            RPL-11 ANSI escape      | 250 \\e[2J\\r\\n              | reply line contains control character 0x1b: '250 ?[2J'
            non-UTF-8               | 250 \\xff\\r\\n               | reply line is not valid UTF-8 text
            """, delimiter = '|')
    void malformedReplies(String name, String wire, String problem) {
        assertThatThrownBy(() -> read(wire(wire)))
                .isInstanceOf(ReplyReader.MalformedReplyException.class)
                .hasMessage(problem);
    }

    @Test
    void endOfStreamBeforeAReplyIsEof() {
        assertThatThrownBy(() -> read("")).isInstanceOf(EOFException.class)
                .hasMessage("connection closed by the server");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("RPL-08: the stream ends inside a reply (DESIGN.md: a protocol error)")
    @CsvSource(textBlock = """
            mid-line                 | 250 O
            mid-line after CR        | 250 OK\\r
            after a 250- line        | 250-a\\r\\n
            """, delimiter = '|')
    void endOfStreamInsideAReply(String name, String wire) {
        assertThatThrownBy(() -> read(wire(wire))).isInstanceOf(ReplyReader.MalformedReplyException.class)
                .hasMessage("connection closed in the middle of a reply");
    }

    @Test
    @DisplayName("RPL-05: a line of MAX_LINE octets is read, one more is refused")
    void lineLengthBound() throws Exception {
        String longest = "250 " + "x".repeat(ReplyReader.MAX_LINE - 4);
        assertThat(read(longest + "\r\n").lines()).containsExactly(longest);
        assertThat(read(longest + "\n").lines()).containsExactly(longest);
        assertThatThrownBy(() -> read(longest + "x\r\n")).isInstanceOf(ReplyReader.MalformedReplyException.class)
                .hasMessage("reply line longer than 2048 octets");
        assertThatThrownBy(() -> read("250 " + "x".repeat(5000) + "\r\n"))
                .hasMessage("reply line longer than 2048 octets");
    }

    @Test
    @DisplayName("RPL-05: 10 MB without CRLF is refused after MAX_LINE octets")
    void endlessLineIsRefusedEarly() {
        CountingStream in = new CountingStream(10 * 1024 * 1024, (byte) '.');
        in.prefix("250 OK".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> new ReplyReader(in).read()).hasMessage("reply line longer than 2048 octets");
        assertThat(in.consumed).isLessThanOrEqualTo(ReplyReader.MAX_LINE + 1);
    }

    @Test
    @DisplayName("RPL-06: MAX_LINES lines are read, 10,000 are refused")
    void lineCountBound() throws Exception {
        String most = "250-x\r\n".repeat(ReplyReader.MAX_LINES - 1) + "250 end\r\n";
        assertThat(read(most).lines()).hasSize(ReplyReader.MAX_LINES);
        assertThatThrownBy(() -> read("250-x\r\n".repeat(10_000) + "250 end\r\n"))
                .isInstanceOf(ReplyReader.MalformedReplyException.class)
                .hasMessage("reply longer than 200 lines");
    }

    @Test
    void consecutiveRepliesAreReadOneAtATime() throws Exception {
        ReplyReader r = new ReplyReader(new ByteArrayInputStream(
                "250-a\r\n250 b\r\n550 5.1.1 no\r\n354 go\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(r.read().lines()).containsExactly("250-a", "250 b");
        assertThat(r.read().code()).isEqualTo(550);
        assertThat(r.read().code()).isEqualTo(354);
        assertThatThrownBy(r::read).isInstanceOf(EOFException.class);
    }

    /** A prefix, then {@code n} copies of one octet, counting what was read. */
    private static final class CountingStream extends java.io.InputStream {
        private final long n;
        private final byte fill;
        private byte[] prefix = new byte[0];
        long consumed;

        CountingStream(long n, byte fill) {
            this.n = n;
            this.fill = fill;
        }

        void prefix(byte[] p) {
            prefix = p;
        }

        @Override
        public int read() {
            if (consumed < prefix.length) {
                return prefix[(int) consumed++];
            }
            if (consumed >= prefix.length + n) {
                return -1;
            }
            consumed++;
            return fill;
        }
    }
}
