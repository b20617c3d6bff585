package dev.postilion.smtp;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import dev.postilion.transcript.TranscriptListener;

/** Passes message octets through and reports the first lines (as on the wire) to the transcript. */
final class DataTap extends FilterOutputStream {

    private final TranscriptListener transcript;
    private final int limit;
    private final boolean tls;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long lines;
    private long bytes;
    private int shown;

    DataTap(OutputStream out, TranscriptListener transcript, int limit, boolean tls) {
        super(out);
        this.transcript = transcript;
        this.limit = limit;
        this.tls = tls;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        observe(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        for (int i = off; i < off + len; i++) {
            observe(b[i]);
        }
    }

    private void observe(int b) {
        bytes++;
        if (b == '\n') {
            lines++;
            if (shown < limit) {
                byte[] l = line.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                transcript.dataLine(new String(l, 0, n, StandardCharsets.UTF_8), tls);
                shown++;
            }
            line.reset();
        } else if (shown < limit && line.size() < 4096) {
            line.write(b);
        }
    }

    /** Reports what was not shown line by line. */
    void summarize() {
        transcript.dataSummary(lines, bytes, shown, tls);
    }
}
