package dev.postilion.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scripted SMTP server on loopback for fault tests: a normal server by default (greeting, EHLO
 * with a chosen capability list, 250 to everything, 354 to DATA), with a reply or a named fault
 * queued per command. It records every command line it read, and every byte.
 *
 * <pre>
 * try (FaultServer s = FaultServer.start()) {
 *     s.on("RCPT", FaultServer.reply("550 5.1.1 no such user"));
 *     s.on("DOT", FaultServer.drop());           // close after the final dot, no reply
 *     ... connect to s.port() ...
 *     assertThat(s.commands()).containsExactly("EHLO x", "MAIL FROM:<a@b>", ...);
 * }
 * </pre>
 */
public final class FaultServer implements AutoCloseable {

    /** What the server does when a command arrives. */
    public interface Action {
        /** @return false to end the conversation */
        boolean act(FaultServer server, Conversation c, String line) throws IOException;
    }

    /** One connection's streams. */
    public static final class Conversation {
        public Socket socket;
        public InputStream in;
        public OutputStream out;
        boolean last334;
    }

    private final ServerSocket server;
    private final Thread thread;
    private final Map<String, List<Action>> actions = new HashMap<>();
    private final List<String> commands = new ArrayList<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Action greeting = reply("220 fault.test ESMTP ready");
    private volatile String ehlo = "250-fault.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 1000000\r\n"
            + "250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 ENHANCEDSTATUSCODES";
    private volatile SSLContext tls;

    private FaultServer() throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "fault-server");
        thread.setDaemon(true);
    }

    /** A server that answers every command positively until told otherwise. */
    public static FaultServer start() throws IOException {
        FaultServer s = new FaultServer();
        s.thread.start();
        return s;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The greeting's action (default {@code 220 fault.test ESMTP ready}). */
    public FaultServer greeting(Action a) {
        greeting = a;
        return this;
    }

    /** The EHLO reply, lines joined with CRLF. */
    public FaultServer ehlo(String reply) {
        ehlo = reply;
        return this;
    }

    /** Serve STARTTLS with this context (otherwise STARTTLS gets 454). */
    public FaultServer tls(SSLContext context) {
        tls = context;
        return this;
    }

    /**
     * Queue an action for a verb (EHLO, MAIL, RCPT, DATA, DOT = after the final dot, AUTH,
     * AUTHLINE = each line of an AUTH exchange, STARTTLS, RSET, NOOP, QUIT, ...). Queued actions
     * are used once each in order; the last one stays.
     */
    public FaultServer on(String verb, Action... a) {
        actions.computeIfAbsent(verb, k -> new ArrayList<>()).addAll(List.of(a));
        return this;
    }

    /** Every command line received (AUTH responses included), in order; waits for the session to end. */
    public List<String> commands() throws InterruptedException {
        done.await(10, TimeUnit.SECONDS);
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /** Every byte received (plain-text part only). */
    public byte[] bytes() throws InterruptedException {
        done.await(10, TimeUnit.SECONDS);
        synchronized (bytes) {
            return bytes.toByteArray();
        }
    }

    // ------------------------------------------------------------------ actions

    /** Reply with this text (lines joined with CRLF). */
    public static Action reply(String text) {
        return (s, c, line) -> {
            write(c, text + "\r\n");
            return true;
        };
    }

    /** Close the connection without a reply. */
    public static Action drop() {
        return (s, c, line) -> false;
    }

    /** Never answer (the client's timeout must fire); holds the connection open until the server closes. */
    public static Action stall() {
        return (s, c, line) -> {
            try {
                s.closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        };
    }

    /** Reply, then close. */
    public static Action replyAndClose(String text) {
        return (s, c, line) -> {
            write(c, text + "\r\n");
            return false;
        };
    }

    /** Send these exact bytes (malformed replies, garbage). */
    public static Action raw(byte[] data) {
        return (s, c, line) -> {
            c.out.write(data);
            c.out.flush();
            return true;
        };
    }

    /** Stop reading: the client's writes block once the socket buffers fill. */
    public static Action stopReading() {
        return stall();
    }

    /** STARTTLS: 220, any injected bytes, then the handshake. */
    public static Action starttls(String injected) {
        return (s, c, line) -> {
            write(c, "220 2.0.0 ready to start TLS\r\n" + injected);
            SSLSocket ssl = (SSLSocket) s.tls.getSocketFactory().createSocket(c.socket, "localhost",
                    c.socket.getPort(), true);
            ssl.setUseClientMode(false);
            try {
                ssl.startHandshake();
            } catch (IOException e) {
                return false;
            }
            c.socket = ssl;
            c.in = ssl.getInputStream();
            c.out = ssl.getOutputStream();
            return true;
        };
    }

    // ------------------------------------------------------------------ serving

    private void serve() {
        try (Socket socket = server.accept()) {
            socket.setReceiveBufferSize(4096);
            Conversation c = new Conversation();
            c.socket = socket;
            c.in = socket.getInputStream();
            c.out = socket.getOutputStream();
            if (!greeting.act(this, c, null)) {
                return;
            }
            String line;
            boolean authing = false;
            while ((line = readLine(c)) != null) {
                synchronized (commands) {
                    commands.add(line);
                }
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                if (authing) {
                    verb = "AUTHLINE";
                }
                Action a = next(verb);
                boolean go;
                if (a != null) {
                    go = a.act(this, c, line);
                } else {
                    go = standard(c, verb, line);
                }
                if (!go) {
                    return;
                }
                authing = (verb.equals("AUTH") || authing) && c.last334;
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away; the test asserts on what was received.
        } finally {
            done.countDown();
        }
    }

    private boolean standard(Conversation c, String verb, String line) throws IOException {
        switch (verb) {
            case "EHLO" -> write(c, ehlo + "\r\n");
            case "HELO" -> write(c, "250 fault.test\r\n");
            case "STARTTLS" -> {
                if (tls == null) {
                    write(c, "454 4.7.0 TLS not available\r\n");
                } else {
                    return starttls("").act(this, c, line);
                }
            }
            case "AUTH" -> {
                String[] p = line.split(" ");
                if (p.length > 2) {
                    write(c, "235 2.7.0 ok\r\n");
                } else if (p[1].equalsIgnoreCase("CRAM-MD5")) {
                    write(c, "334 PDEyMzQ1QGZhdWx0LnRlc3Q+\r\n");
                } else {
                    write(c, "334 VXNlcm5hbWU6\r\n");
                }
            }
            case "AUTHLINE" -> {
                if (commands.size() >= 2 && commands.get(commands.size() - 2).toUpperCase(Locale.ROOT).startsWith("AUTH LOGIN")) {
                    write(c, "334 UGFzc3dvcmQ6\r\n");
                } else {
                    write(c, "235 2.7.0 ok\r\n");
                }
            }
            case "DATA" -> {
                write(c, "354 go ahead\r\n");
                String d;
                while ((d = readLine(c)) != null && !d.equals(".")) {
                    // message content
                }
                if (d == null) {
                    return false;
                }
                Action a = next("DOT");
                if (a != null) {
                    return a.act(this, c, ".");
                }
                write(c, "250 2.0.0 queued as FAULT1\r\n");
            }
            case "BDAT" -> {
                long n = Long.parseLong(line.split(" ")[1]);
                for (long i = 0; i < n; i++) {
                    int b = c.in.read();
                    synchronized (bytes) {
                        bytes.write(b);
                    }
                }
                write(c, "250 2.0.0 chunk ok\r\n");
            }
            case "QUIT" -> write(c, "221 2.0.0 bye\r\n");
            default -> write(c, "250 2.0.0 ok\r\n");
        }
        return true;
    }

    private Action next(String verb) {
        List<Action> q = actions.get(verb);
        if (q == null || q.isEmpty()) {
            return null;
        }
        return q.size() > 1 ? q.remove(0) : q.get(0);
    }

    private String readLine(Conversation c) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = c.in.read()) >= 0) {
            synchronized (bytes) {
                bytes.write(b);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return null;
    }

    private static void write(Conversation c, String text) throws IOException {
        c.last334 = text.startsWith("334");
        c.out.write(text.getBytes(StandardCharsets.UTF_8));
        c.out.flush();
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        thread.interrupt();
    }
}
