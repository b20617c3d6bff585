package dev.postilion.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A server that answers exactly like the seed tutorial's Exchange 2003 (ALAN.CP.com), one
 * connection, and records every byte the client sent, for golden-transcript tests.
 */
public final class Exchange2003Server implements AutoCloseable {

    private final ServerSocket server;
    private final Thread thread;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile IOException failure;
    private final java.util.Map<String, String> overrides;

    /** The tutorial's server, exactly. */
    public Exchange2003Server() throws IOException {
        this(java.util.Map.of());
    }

    /**
     * The tutorial's server with some replies replaced: verb (EHLO, MAIL, RCPT, DATA, DOT for the
     * reply after the final dot, QUIT, ...) to the reply text, lines joined with CRLF.
     */
    public Exchange2003Server(java.util.Map<String, String> overrides) throws IOException {
        this.overrides = overrides;
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "exchange-2003");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every byte the client sent, once the conversation is over (waits up to 10 s). */
    public byte[] received() throws Exception {
        thread.join(10_000);
        if (failure != null) {
            throw failure;
        }
        synchronized (received) {
            return received.toByteArray();
        }
    }

    private void serve() {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            say(out, "220 ALAN.CP.com Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at"
                    + "  Thu, 6 Dec 2007 10:35:19 -0500");
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                if (overrides.containsKey(verb)) {
                    say(out, overrides.get(verb));
                    if (verb.equals("QUIT")) {
                        return;
                    }
                    continue;
                }
                switch (verb) {
                    case "EHLO" -> say(out, "250-ALAN.CP.com Hello [10.0.0.5]\r\n250-TURN\r\n250-SIZE\r\n250-ETRN\r\n"
                            + "250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-8bitmime\r\n250-BINARYMIME\r\n"
                            + "250-CHUNKING\r\n250-VRFY\r\n250-X-EXPS GSSAPI NTLM LOGIN\r\n250-X-EXPS=LOGIN\r\n"
                            + "250-AUTH GSSAPI NTLM LOGIN\r\n250-AUTH=LOGIN\r\n250-X-LINK2STATE\r\n"
                            + "250-XEXCH50\r\n250 OK");
                    case "AUTH" -> {
                        say(out, "334 VXNlcm5hbWU6");
                        readLine(in);
                        say(out, "334 UGFzc3dvcmQ6");
                        readLine(in);
                        say(out, "235 2.7.0 Authentication successful.");
                    }
                    case "MAIL" -> say(out, "250 2.1.0 guyt@exchguy.com....Sender OK");
                    case "RCPT" -> say(out, "250 2.1.5 administrator@cp.com");
                    case "DATA" -> {
                        say(out, "354 Start mail input; end with <CRLF>.<CRLF>");
                        String d;
                        while ((d = readLine(in)) != null && !d.equals(".")) {
                            // the message
                        }
                        say(out, overrides.getOrDefault("DOT",
                                "250 2.6.0 <ALANrXaDAc9Qm1AB00000001@ALAN.CP.com> Queued mail for delivery"));
                    }
                    case "QUIT" -> {
                        say(out, "221 2.0.0 ALAN.CP.com Service closing transmission channel");
                        return;
                    }
                    default -> say(out, "500 5.3.3 Unrecognized command");
                }
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    private String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            synchronized (received) {
                received.write(b);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return null;
    }

    private static void say(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
