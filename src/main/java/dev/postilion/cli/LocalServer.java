package dev.postilion.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.postilion.server.CaptureServer;
import dev.postilion.transcript.TranscriptListener;

/** The embedded capture server behind {@code run --local}, and what it received. */
final class LocalServer implements Closeable {

    private final CaptureServer server;
    private final List<CaptureServer.Captured> received;

    private LocalServer(CaptureServer server, List<CaptureServer.Captured> received) {
        this.server = server;
        this.received = received;
    }

    static LocalServer start(Path outbox, TranscriptListener transcript) throws IOException {
        List<CaptureServer.Captured> received = new CopyOnWriteArrayList<>();
        CaptureServer s = CaptureServer.start(CaptureServer.Settings.local(outbox), received::add);
        transcript.info("--local: " + CaptureServer.NAME + " on " + s.host() + ":" + s.port() + ", outbox "
                + outbox.toAbsolutePath());
        return new LocalServer(s, received);
    }

    String host() {
        return server.host();
    }

    int port() {
        return server.port();
    }

    Path certificate() {
        return server.certificate();
    }

    /** Says where the messages went (one line each), unless quiet. */
    void report(PrintStream out, boolean quiet) {
        if (quiet) {
            return;
        }
        for (CaptureServer.Captured c : received) {
            out.println("=== --local: message for " + String.join(", ", c.to()) + " written to " + c.file());
        }
        if (received.isEmpty()) {
            out.println("=== --local: no message was sent");
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
