package dev.postilion.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.postilion.server.CaptureServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postilion serve}: a local capture server to point anything at; never relays. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a local SMTP capture server (loopback only): STARTTLS with a self-signed certificate,"
                + " AUTH PLAIN/LOGIN, every message written as an .eml file. Nothing is ever relayed.",
                "Trust its certificate with --tls-ca DIR/capture-server.pem. Stop it with Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {

    private final Io io;

    @Option(names = "--port", paramLabel = "PORT", description = "Port (default 2525; 0 picks a free one).")
    int port = 2525;

    @Option(names = "--bind", paramLabel = "ADDR", converter = Converters.LoopbackAddress.class,
            defaultValue = "127.0.0.1", description = "Loopback address to bind (127.0.0.1 or ::1).")
    InetAddress bind;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where messages go (default ./outbox).")
    Path dir = Path.of("outbox");

    @Option(names = "--user", paramLabel = "USER:PASSWORD",
            description = "Accept only this login (a throwaway test credential); default: any login is accepted.")
    String user;

    @Option(names = "--require-tls", description = "Refuse mail before STARTTLS.")
    boolean requireTls;

    @Option(names = "--discard", description = "Count messages without writing them (benchmarks).")
    boolean discard;

    /** Released by tests to stop a running server; null in normal use (Ctrl-C stops it). */
    CountDownLatch stop = new CountDownLatch(1);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public ServeCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        CaptureServer.Settings settings = new CaptureServer.Settings(bind, port, dir, discard, null, null, requireTls);
        if (user != null) {
            int colon = user.indexOf(':');
            if (colon <= 0) {
                throw new UsageError(spec, "--user " + user.split(":")[0] + ": write USER:PASSWORD");
            }
            settings = settings.withUser(user.substring(0, colon), user.substring(colon + 1));
        }
        CaptureServer server;
        try {
            server = CaptureServer.start(settings, c -> io.out().println(c.file() == null
                    ? "=== received (discarded) from <" + c.from() + "> to " + c.to() + " (" + c.bytes() + " bytes)"
                    : "=== received " + c.file() + " from <" + c.from() + "> to " + c.to() + " (" + c.bytes()
                    + " bytes)"));
        } catch (IOException e) {
            io.err().println("postilion serve: " + e.getMessage());
            return ExitCode.IOERR.code();
        }
        io.out().println("=== " + CaptureServer.NAME + " on " + server.host() + ":" + server.port()
                + (discard ? ", discarding messages" : ", writing to " + dir.toAbsolutePath())
                + (user != null ? ", AUTH as " + settings.user() + " only" : ", any AUTH accepted"));
        io.out().println("=== trust its certificate with --tls-ca " + server.certificate());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        io.out().println("=== stopped after " + server.messages() + " message(s)");
        return ExitCode.OK.code();
    }
}
