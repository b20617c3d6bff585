package dev.postilion.message;

import jakarta.mail.util.LineOutputStream;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The stream Jakarta Mail writes header lines to. Lines are encoded as UTF-8 and end in CRLF;
 * no character is ever cast to a byte, so U+010A cannot become a line feed. Body bytes pass
 * through in blocks.
 */
final class HeaderLineStream extends FilterOutputStream implements LineOutputStream {

    private static final byte[] CRLF = {'\r', '\n'};

    HeaderLineStream(OutputStream out) {
        super(out);
    }

    @Override
    public void writeln(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    @Override
    public void writeln() throws IOException {
        out.write(CRLF);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }
}
