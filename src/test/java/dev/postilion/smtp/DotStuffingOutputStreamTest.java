package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The wire only ever carries CRLF line endings, doubled leading dots, and one terminator. */
class DotStuffingOutputStreamTest {

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0");
    }

    private static String wire(byte[] in, boolean oneByteAtATime) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream s = new DotStuffingOutputStream(out);
        if (oneByteAtATime) {
            for (byte b : in) {
                s.write(b);
            }
        } else {
            s.write(in);
        }
        s.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            empty                 |                      | .\\r\\n
            no final newline      | a                    | a\\r\\n.\\r\\n
            crlf kept             | a\\r\\nb\\r\\n       | a\\r\\nb\\r\\n.\\r\\n
            bare lf               | a\\nb                | a\\r\\nb\\r\\n.\\r\\n
            bare cr               | a\\rb                | a\\r\\nb\\r\\n.\\r\\n
            cr cr lf              | a\\r\\r\\nb          | a\\r\\n\\r\\nb\\r\\n.\\r\\n
            leading dot           | .a                   | ..a\\r\\n.\\r\\n
            dot after lf          | x\\n.y               | x\\r\\n..y\\r\\n.\\r\\n
            SMG-01 lf dot lf      | a\\n.\\nb            | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-02 cr dot cr      | a\\r.\\rb            | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-03 cr dot lf      | a\\r.\\nb            | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-04 lf dot cr      | a\\n.\\rb            | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-05 lf dot crlf    | a\\n.\\r\\nb         | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-06 crlf dot lf    | a\\r\\n.\\nb         | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-07 cr dot crlf    | a\\r.\\r\\nb         | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-08 crlf dot cr    | a\\r\\n.\\rb         | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            SMG-09 crlf nul dot   | a\\r\\n\\0.\\r\\nb   | a\\r\\n\\0.\\r\\nb\\r\\n.\\r\\n
            """, delimiter = '|')
    void finalDotIsAlwaysCrlfDotCrlf(String name, String input, String expected) throws Exception {
        byte[] in = unescape(input == null ? "" : input).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(wire(in, false)).isEqualTo(unescape(expected));
        assertThat(wire(in, true)).as("same output when written byte by byte").isEqualTo(unescape(expected));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            a\\nb\\n.\\n
            \\n\\n\\r\\r
            """)
    void bareLfNeverReachesTheWire(String input) throws Exception {
        String w = wire(unescape(input).getBytes(StandardCharsets.ISO_8859_1), false);
        assertThat(w.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    }
}
