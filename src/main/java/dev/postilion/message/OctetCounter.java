package dev.postilion.message;

import java.io.OutputStream;

/**
 * An output stream that keeps nothing: it counts octets, notes 8-bit octets and measures
 * the longest line. With {@code normalise}, each bare CR or LF counts as the CRLF the
 * engine's DATA stream will turn it into (a CR followed by LF is one line end).
 */
final class OctetCounter extends OutputStream {

    /** What the counter saw. */
    record Facts(long size, boolean eightBit, int longestLine, boolean bareLineEnds) {
    }

    private final boolean normalise;
    private long count;
    private boolean eightBit;
    private boolean bareLineEnds;
    private int line;
    private int longest;
    private boolean afterCr;

    OctetCounter(boolean normalise) {
        this.normalise = normalise;
    }

    @Override
    public void write(int b) {
        b &= 0xff;
        if (b == '\r') {
            if (afterCr) {
                lineEnded(true);
            }
            afterCr = true;
            return;
        }
        if (b == '\n') {
            lineEnded(!afterCr);
            afterCr = false;
            return;
        }
        if (afterCr) {
            lineEnded(true);
            afterCr = false;
        }
        if (b >= 0x80) {
            eightBit = true;
        }
        count++;
        line++;
    }

    private void lineEnded(boolean bare) {
        if (bare) {
            bareLineEnds = true;
            count += normalise ? 2 : 1;
        } else {
            count += 2;
        }
        longest = Math.max(longest, line);
        line = 0;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** The facts so far; a trailing bare CR counts as a line end. */
    Facts facts() {
        long size = count;
        boolean bare = bareLineEnds;
        if (afterCr) {
            size += normalise ? 2 : 1;
            bare = true;
        }
        return new Facts(size, eightBit, Math.max(longest, line), bare);
    }
}
