package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire only ever carries CRLF line endings, doubled leading dots, no NUL, and one terminator. */
class DotStuffingOutputStreamTest {

    /** Table escapes: \r, \n and \0. */
    private static String unescape(String s) {
        return s == null ? "" : s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0");
    }

    private static byte[] bytes(String escaped) {
        return unescape(escaped).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code in} in chunks of {@code chunk} octets (0: one array write; 1: write(int)). */
    private static String wire(byte[] in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream s = new DotStuffingOutputStream(out);
        if (chunk == 0) {
            s.write(in);
        } else if (chunk == 1) {
            for (byte b : in) {
                s.write(b);
            }
        } else {
            for (int i = 0; i < in.length; i += chunk) {
                s.write(in, i, Math.min(chunk, in.length - i));
            }
        }
        s.finish();
        assertThat(s.bytesOut()).isEqualTo(out.size());
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("SMG-01..05: input -> exact wire octets")
    @CsvSource(textBlock = """
            empty message               |                        | .\\r\\n
            SMG-03 no final line end    | a                      | a\\r\\n.\\r\\n
            CRLF kept                   | a\\r\\nb\\r\\n         | a\\r\\nb\\r\\n.\\r\\n
            SMG-02 bare LF              | a\\nb                  | a\\r\\nb\\r\\n.\\r\\n
            bare LF at the end          | a\\n                   | a\\r\\n.\\r\\n
            bare CR                     | a\\rb                  | a\\r\\nb\\r\\n.\\r\\n
            bare CR at the end          | a\\r                   | a\\r\\n.\\r\\n
            CR CR LF                    | a\\r\\r\\nb            | a\\r\\n\\r\\nb\\r\\n.\\r\\n
            LF CR                       | a\\n\\rb               | a\\r\\n\\r\\nb\\r\\n.\\r\\n
            empty lines                 | \\r\\n\\r\\n           | \\r\\n\\r\\n.\\r\\n
            SMG-04 leading dot          | .a                     | ..a\\r\\n.\\r\\n
            SMG-04 lone dot first       | .\\r\\n                | ..\\r\\n.\\r\\n
            SMG-04 lone dot, no end     | .                      | ..\\r\\n.\\r\\n
            SMG-04 two dots             | ..\\r\\n               | ...\\r\\n.\\r\\n
            SMG-04 .hidden              | x\\r\\n.hidden\\r\\n   | x\\r\\n..hidden\\r\\n.\\r\\n
            SMG-04 dot after blank line | S: x\\r\\n\\r\\n.      | S: x\\r\\n\\r\\n..\\r\\n.\\r\\n
            dot mid-line untouched      | a.b\\r\\n              | a.b\\r\\n.\\r\\n
            dot after LF                | x\\n.y                 | x\\r\\n..y\\r\\n.\\r\\n
            LF dot LF                   | \\n.\\n                | \\r\\n..\\r\\n.\\r\\n
            NUL mid-line dropped        | a\\0b\\r\\n            | ab\\r\\n.\\r\\n
            SMG-01 1 LF.LF              | a\\n.\\nb              | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 2 CR.CR              | a\\r.\\rb              | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 3 CR.LF              | a\\r.\\nb              | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 4 LF.CR              | a\\n.\\rb              | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 5 LF.CRLF            | a\\n.\\r\\nb           | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 6 CRLF.LF            | a\\r\\n.\\nb           | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 7 CR.CRLF            | a\\r.\\r\\nb           | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 8 CRLF.CR            | a\\r\\n.\\rb           | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-01 9 CRLF NUL.CRLF      | a\\r\\n\\0.\\r\\nb     | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            """, delimiter = '|')
    void finalDotIsAlwaysCrlfDotCrlf(String name, String input, String expected) throws Exception {
        byte[] in = bytes(input);
        String want = unescape(expected);
        assertThat(wire(in, 0)).isEqualTo(want);
        assertThat(wire(in, 1)).as("SMG-05: written byte by byte").isEqualTo(want);
        assertThat(wire(in, 2)).as("SMG-05: written two octets at a time").isEqualTo(want);
        assertThat(wire(in, 3)).as("SMG-05: written three octets at a time").isEqualTo(want);
    }

    @ParameterizedTest
    @DisplayName("SMG-01: only CRLF and exactly one terminator on the wire")
    @ValueSource(strings = {"a\\nb\\n.\\n", "\\n\\n\\r\\r", "\\r\\n.\\r\\n.\\r\\n", ".\\n.\\r.\\r\\n.",
            "\\r\\r\\r\\n\\n\\n.", "x\\r\\n\\0.\\r\\n\\0\\0.\\n"})
    void bareLfNeverReachesTheWire(String input) throws Exception {
        assertOnlyCrlfAndOneTerminator(wire(bytes(input), 0));
    }

    @Test
    @DisplayName("SMG-05: random content in random chunks gives the same wire as one write")
    void chunkingNeverChangesTheWire() throws Exception {
        Random random = new Random(7962);
        byte[] alphabet = {'a', '.', '\r', '\n', 0, ' ', (byte) 0xe9};
        for (int round = 0; round < 300; round++) {
            byte[] in = new byte[random.nextInt(60)];
            for (int i = 0; i < in.length; i++) {
                in[i] = alphabet[random.nextInt(alphabet.length)];
            }
            String whole = wire(in, 0);
            assertOnlyCrlfAndOneTerminator(whole);
            assertThat(wire(in, 1)).isEqualTo(whole);
            assertThat(wire(in, 1 + random.nextInt(7))).isEqualTo(whole);
        }
    }

    @Test
    void finishIsIdempotentAndWritesAfterItAreRefused() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream s = new DotStuffingOutputStream(out);
        s.write("hi".getBytes(StandardCharsets.US_ASCII));
        s.finish();
        s.finish();
        s.close();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hi\r\n.\r\n");
        assertThatThrownBy(() -> s.write('x')).isInstanceOf(IOException.class).hasMessage("message already finished");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("BDAT: line endings only, no stuffing, no terminator")
    @CsvSource(textBlock = """
            empty                |                 |
            leading dot          | .a\\nb          | .a\\r\\nb\\r\\n
            bare CR and LF       | a\\rb\\nc\\r\\n | a\\r\\nb\\r\\nc\\r\\n
            lone dot line        | x\\n.\\n        | x\\r\\n.\\r\\n
            """, delimiter = '|')
    void lineEndingsOnlyForBdat(String name, String input, String expected) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream s = DotStuffingOutputStream.lineEndingsOnly(out);
        s.write(bytes(input));
        s.finish();
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(unescape(expected));
        assertThat(s.bytesOut()).isEqualTo(out.size());
    }

    private static void assertOnlyCrlfAndOneTerminator(String w) {
        assertThat(w).endsWith(".\r\n");
        assertThat(w).doesNotContain("\0");
        for (int i = 0; i < w.length(); i++) {
            if (w.charAt(i) == '\r') {
                assertThat(i + 1 < w.length() && w.charAt(i + 1) == '\n').as("bare CR at %d in %s", i, w).isTrue();
            }
            if (w.charAt(i) == '\n') {
                assertThat(i > 0 && w.charAt(i - 1) == '\r').as("bare LF at %d in %s", i, w).isTrue();
            }
        }
        String framed = "\r\n" + w;
        assertThat(framed.indexOf("\r\n.\r\n")).as("one terminator, at the end: %s", w)
                .isEqualTo(framed.length() - 5);
    }
}
