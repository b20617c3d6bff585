package dev.postilion.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import dev.postilion.transcript.TranscriptListener;

/** The embedded capture server behind {@code run --local}. */
final class LocalServer implements Closeable {

    static LocalServer start(Path outbox, TranscriptListener transcript) throws IOException {
        throw new IOException("not yet wired");
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return 0;
    }

    Path certificate() {
        return null;
    }

    void report(PrintStream err, boolean quiet) {
    }

    @Override
    public void close() {
    }
}
