package dev.postilion.smtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The one place that owns message transparency (RFC 5321 4.5.2) and line endings: every bare CR
 * or bare LF becomes CRLF (RFC 5321 2.3.8; no SMTP smuggling), a dot at the start of a line is
 * doubled, NUL octets are dropped, and {@link #finish()} ends the last line if needed and writes
 * the single terminator {@code CRLF.CRLF}. Closing it does not close the underlying stream.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {

    private final boolean dataMode;
    private boolean atLineStart = true;
    private boolean pendingCr;
    private boolean finished;
    private long bytesOut;

    /** For DATA: CRLF line endings, dot-stuffing and the terminator. */
    public DotStuffingOutputStream(OutputStream out) {
        this(out, true);
    }

    private DotStuffingOutputStream(OutputStream out, boolean dataMode) {
        super(out);
        this.dataMode = dataMode;
    }

    /** For BDAT (RFC 3030): CRLF line endings only; no stuffing and no terminator. */
    public static DotStuffingOutputStream lineEndingsOnly(OutputStream out) {
        return new DotStuffingOutputStream(out, false);
    }

    @Override
    public void write(int b) throws IOException {
        if (finished) {
            throw new IOException("message already finished");
        }
        if (b == '\r') {
            if (pendingCr) {
                endLine();
            }
            pendingCr = true;
            return;
        }
        if (b == '\n') {
            endLine();
            return;
        }
        if (dataMode && (b & 0xff) == 0) {
            // RFC 5322 2.3 excludes NUL from messages, and servers that drop it would read
            // CRLF NUL "." CRLF as the end of data (SMTP smuggling, "nullbefore").
            return;
        }
        if (pendingCr) {
            endLine();
        }
        if (dataMode && atLineStart && b == '.') {
            put('.');
        }
        put(b);
        atLineStart = false;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int end = off + len;
        int i = off;
        while (i < end) {
            if (!finished && !pendingCr && !atLineStart) {
                // Inside a line: everything up to the next CR, LF (or, in DATA, NUL) passes unchanged,
                // in one write; those three go through write(int).
                int j = i;
                while (j < end && b[j] != '\r' && b[j] != '\n' && !(dataMode && b[j] == 0)) {
                    j++;
                }
                if (j > i) {
                    out.write(b, i, j - i);
                    bytesOut += j - i;
                    i = j;
                    continue;
                }
            }
            write(b[i]);
            i++;
        }
    }

    /** Ends the last line if it is open and writes the terminator; idempotent. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        if (pendingCr || !atLineStart) {
            endLine();
        }
        if (dataMode) {
            put('.');
            put('\r');
            put('\n');
        }
        finished = true;
    }

    /** Octets written to the wire so far, stuffing and line endings included. */
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void close() throws IOException {
        finish();
        flush();
    }

    private void endLine() throws IOException {
        pendingCr = false;
        put('\r');
        put('\n');
        atLineStart = true;
    }

    private void put(int b) throws IOException {
        out.write(b);
        bytesOut++;
    }
}
