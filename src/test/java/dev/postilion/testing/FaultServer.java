package dev.postilion.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * A scripted SMTP server on 127.0.0.1 (port 0) for fault tests. By default it is a well-behaved
 * server: a 220 greeting, EHLO with a chosen capability list, 250 to MAIL, RCPT, RSET and NOOP, 354
 * to DATA then 250 after the final dot, 250 to any other command, BDAT chunks, STARTTLS with
 * {@link TestTls#LOCALHOST}, AUTH
 * LOGIN / PLAIN / CRAM-MD5 / XOAUTH2 / OAUTHBEARER accepted, 221 to QUIT. A test changes one step at a
 * time by queueing an {@link Action} for a verb; queued actions are used once each, in order, then
 * the {@link #always} action or the default takes over again.
 *
 * <p>Verbs are the command's first word in upper case ({@code EHLO}, {@code MAIL}, {@code RCPT},
 * {@code DATA}, {@code BDAT}, {@code AUTH}, {@code STARTTLS}, {@code RSET}, {@code QUIT}, ...) plus
 * three pseudo-verbs: {@link #GREETING} (on connect), {@link #DOT} (after the final dot of DATA) and
 * {@link #AUTHLINE} (each client line that answers a 334 challenge).
 *
 * <p>It records every byte it read (the decrypted bytes once TLS is up), every command line, and
 * each message's content as received (still dot-stuffed, without the terminator).
 *
 * <pre>{@code
 * try (FaultServer server = FaultServer.start().capabilities("PIPELINING", "SIZE 1000");
 *      SmtpSession session = new SmtpSession(options, transcript)) {
 *     server.on("RCPT", FaultServer.reply("550 5.1.1 no such user"));
 *     server.on(FaultServer.DOT, FaultServer.drop());         // RFC 1047: no reply after the dot
 *     session.open("127.0.0.1", server.port(), "client.test");
 *     ...
 *     assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@b>", ...);
 * }
 * }</pre>
 */
public final class FaultServer implements AutoCloseable {

    /** Pseudo-verb: the moment a client connects (the greeting). */
    public static final String GREETING = "GREETING";
    /** Pseudo-verb: the end of message data ({@code CRLF.CRLF} received). */
    public static final String DOT = "DOT";
    /** Pseudo-verb: a client line answering a 334 AUTH challenge. */
    public static final String AUTHLINE = "AUTHLINE";

    /** The capabilities a default server offers after its EHLO greeting line. */
    public static final List<String> DEFAULT_CAPABILITIES =
            List.of("PIPELINING", "SIZE 10240000", "8BITMIME", "AUTH PLAIN LOGIN CRAM-MD5", "ENHANCEDSTATUSCODES");

    /** What the server does when a command (or pseudo-verb) arrives. */
    @FunctionalInterface
    public interface Action {
        /**
         * Handles one command.
         *
         * @param line the command line ({@code null} for {@link #GREETING}, "." for {@link #DOT})
         * @return false to end the conversation (the connection is closed)
         */
        boolean act(FaultServer server, Conversation c, String line) throws IOException;

        /** This action, then {@code next} (unless this one ended the conversation). */
        default Action then(Action next) {
            return (s, c, line) -> act(s, c, line) && !c.ended() && next.act(s, c, line);
        }
    }

    /**
     * A command as the server received it.
     *
     * @param connection the connection number, from 1
     * @param verb the verb it was dispatched as ({@link #AUTHLINE} for AUTH responses)
     * @param line the line without its CRLF
     * @param tls true when it arrived under TLS
     * @param bufferedBehind octets already received after this line when it was read: above 0 means
     *        the client sent more without waiting for this command's reply (it pipelined)
     */
    public record Command(int connection, String verb, String line, boolean tls, int bufferedBehind) {
    }

    private final ServerSocket listener;
    private final SSLContextSupplier implicitTls;
    private final Thread acceptor;
    private final Map<String, Deque<Action>> queued = new HashMap<>();
    private final Map<String, Action> always = new HashMap<>();
    private final List<Connection> conversations = new CopyOnWriteArrayList<>();
    private final List<Command> log = new ArrayList<>();
    private final List<byte[]> messages = new ArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger queueIds = new AtomicInteger();
    private volatile String hostname = "fault.test";
    private volatile List<String> capabilities = DEFAULT_CAPABILITIES;
    private volatile List<String> capabilitiesAfterTls;
    private volatile TestTls certificate = TestTls.LOCALHOST;
    private volatile javax.net.ssl.SSLContext tlsContext;
    private volatile String holdFrom;
    private volatile String holdUntil;

    @FunctionalInterface
    private interface SSLContextSupplier {
        javax.net.ssl.SSLContext get();
    }

    private FaultServer(int receiveBuffer, SSLContextSupplier implicitTls) throws IOException {
        this.implicitTls = implicitTls;
        listener = new ServerSocket();
        if (receiveBuffer > 0) {
            // Set before bind so that accepted sockets advertise a small window from the start.
            listener.setReceiveBufferSize(receiveBuffer);
        }
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
        acceptor = new Thread(this::acceptLoop, "fault-server-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A well-behaved server, listening at once. */
    public static FaultServer start() throws IOException {
        return new FaultServer(0, null);
    }

    /**
     * A server whose sockets have a tiny receive buffer, so that a client's writes block soon after
     * the server stops reading ({@link #stopReading}).
     */
    public static FaultServer withSmallReceiveBuffer() throws IOException {
        return new FaultServer(4096, null);
    }

    /** A server that speaks TLS from the first byte (SMTPS, port 465 style) with {@code cert}. */
    public static FaultServer implicitTls(TestTls cert) throws IOException {
        return new FaultServer(0, cert::sslContext);
    }

    /**
     * The seed tutorial's Exchange 2003 server (ALAN.CP.com), reply for reply: the greeting, the EHLO
     * list with {@code AUTH GSSAPI NTLM LOGIN} and {@code AUTH=LOGIN} (no PIPELINING), AUTH LOGIN's
     * two prompts, and the replies to MAIL, RCPT, DATA, the final dot and QUIT.
     */
    public static FaultServer exchange2003() throws IOException {
        FaultServer s = start();
        s.hostname = "ALAN.CP.com";
        s.always(GREETING, reply("220 ALAN.CP.com Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at"
                + "  Thu, 6 Dec 2007 10:35:19 -0500"));
        s.always("EHLO", reply(EXCHANGE_2003_EHLO));
        s.always("AUTH", reply("334 VXNlcm5hbWU6"));
        s.always(AUTHLINE, (srv, x, line) -> {
            x.reply(x.conversation.authStep++ == 0 ? "334 UGFzc3dvcmQ6" : "235 2.7.0 Authentication successful.");
            return true;
        });
        s.always("MAIL", reply("250 2.1.0 guyt@exchguy.com....Sender OK"));
        s.always("RCPT", reply("250 2.1.5 administrator@cp.com"));
        s.always("DATA", reply("354 Start mail input; end with <CRLF>.<CRLF>"));
        s.always(DOT, reply("250 2.6.0 <ALANrXaDAc9Qm1AB00000001@ALAN.CP.com> Queued mail for delivery"));
        s.always("QUIT", replyAndClose("221 2.0.0 ALAN.CP.com Service closing transmission channel"));
        return s;
    }

    /** The EHLO reply of {@link #exchange2003()}, lines joined with CRLF. */
    public static final String EXCHANGE_2003_EHLO = String.join("\r\n",
            "250-ALAN.CP.com Hello [10.0.0.5]", "250-TURN", "250-SIZE", "250-ETRN", "250-DSN",
            "250-ENHANCEDSTATUSCODES", "250-8bitmime", "250-BINARYMIME", "250-CHUNKING", "250-VRFY",
            "250-X-EXPS GSSAPI NTLM LOGIN", "250-X-EXPS=LOGIN", "250-AUTH GSSAPI NTLM LOGIN", "250-AUTH=LOGIN",
            "250-X-LINK2STATE", "250-XEXCH50", "250 OK");

    // ------------------------------------------------------------------ configuration

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1}: where the server listens. */
    public String host() {
        return "127.0.0.1";
    }

    /** The capability lines after EHLO's first line (default {@link #DEFAULT_CAPABILITIES}). */
    public FaultServer capabilities(String... keywords) {
        capabilities = List.of(keywords);
        return this;
    }

    /** Capabilities offered by EHLO once TLS is up (default: those before TLS, without STARTTLS). */
    public FaultServer capabilitiesAfterTls(String... keywords) {
        capabilitiesAfterTls = List.of(keywords);
        return this;
    }

    /** The certificate the default STARTTLS handshake presents (default {@link TestTls#LOCALHOST}). */
    public FaultServer certificate(TestTls cert) {
        certificate = cert;
        return this;
    }

    /** A TLS context of the test's own for STARTTLS (instead of {@link #certificate(TestTls)}). */
    public FaultServer tls(javax.net.ssl.SSLContext context) {
        tlsContext = context;
        return this;
    }

    /** The whole EHLO reply, lines joined with CRLF ({@code "250-fault.test\r\n250 DSN"}), for every EHLO. */
    public FaultServer ehlo(String reply) {
        return always("EHLO", reply(reply));
    }

    /** The greeting's action, for every connection. */
    public FaultServer greeting(Action action) {
        return always(GREETING, action);
    }

    private javax.net.ssl.SSLContext starttlsContext() {
        javax.net.ssl.SSLContext c = tlsContext;
        return c != null ? c : certificate.sslContext();
    }

    /** The greeting: a reply text (lines joined with CRLF) used for every connection. */
    public FaultServer greeting(String text) {
        return always(GREETING, reply(text));
    }

    /** Queues actions for a verb, each used once, in order. */
    public FaultServer on(String verb, Action... actions) {
        synchronized (queued) {
            Deque<Action> q = queued.computeIfAbsent(verb.toUpperCase(Locale.ROOT), k -> new ArrayDeque<>());
            q.addAll(Arrays.asList(actions));
        }
        return this;
    }

    /** Queues reply texts for a verb ({@code on("RCPT", "250 ok", "550 no")}), each used once. */
    public FaultServer on(String verb, String... replies) {
        for (String r : replies) {
            on(verb, reply(r));
        }
        return this;
    }

    /** Replaces the default action for a verb, for every command once its queue is empty. */
    public FaultServer always(String verb, Action action) {
        synchronized (queued) {
            always.put(verb.toUpperCase(Locale.ROOT), action);
        }
        return this;
    }

    /**
     * Holds every reply from the first {@code fromVerb} command (or {@link #DOT}) until a {@code untilVerb} command
     * has been read, then writes them all at once: a client that waits for a reply in between (one
     * that does not pipeline) stalls until its timeout.
     */
    public FaultServer holdReplies(String fromVerb, String untilVerb) {
        holdFrom = fromVerb.toUpperCase(Locale.ROOT);
        holdUntil = untilVerb.toUpperCase(Locale.ROOT);
        return this;
    }

    // ------------------------------------------------------------------ what was received

    /** Every command line received (AUTH responses included, message content not), in order. */
    public List<String> commands() {
        synchronized (log) {
            return log.stream().map(Command::line).toList();
        }
    }

    /** Every command with its verb, connection number (from 1) and whether TLS was up. */
    public List<Command> commandLog() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Every byte received, across connections, decrypted under TLS. */
    public byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** The same as {@link #received()}. */
    public byte[] bytes() {
        return received();
    }

    /** {@link #received()} as text (ISO-8859-1, so every octet is one char). */
    public String receivedText() {
        return new String(received(), StandardCharsets.ISO_8859_1);
    }

    /** The content of each message, as received (dot-stuffed, CRLF), without the final {@code .CRLF}. */
    public List<byte[]> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** How many connections were accepted. */
    public int connections() {
        return connections.get();
    }

    /**
     * Waits until every connection so far has ended (the client closed, or an action closed it), so
     * that "nothing more arrived" can be asserted.
     *
     * @throws AssertionError when a connection is still open after {@code limit}
     */
    public FaultServer awaitDisconnect(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Connection c : conversations) {
            if (!c.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("connection " + c.number + " still open after " + limit);
            }
        }
        return this;
    }

    /** {@link #awaitDisconnect(Duration)} with 5 seconds. */
    public FaultServer awaitDisconnect() throws InterruptedException {
        return awaitDisconnect(Duration.ofSeconds(5));
    }

    // ------------------------------------------------------------------ named actions and faults

    /** Replies with these lines; a line may itself hold several joined with CRLF. */
    public static Action reply(String first, String... more) {
        return (s, x, line) -> {
            String[] all = new String[more.length + 1];
            all[0] = first;
            System.arraycopy(more, 0, all, 1, more.length);
            x.reply(all);
            return true;
        };
    }

    /** Replies (a 421, typically), then closes the connection. */
    public static Action replyAndClose(String text) {
        return (s, x, line) -> {
            x.reply(text);
            x.drop();
            return false;
        };
    }

    /** Closes the connection without a reply (a FIN: the client reads end of stream). */
    public static Action drop() {
        return (s, x, line) -> {
            x.drop();
            return false;
        };
    }

    /** Resets the connection at once (an RST: the client's next read or write fails). */
    public static Action reset() {
        return (s, x, line) -> {
            x.reset();
            return false;
        };
    }

    /** Never answers; keeps reading (and recording) until the client gives up and closes. */
    public static Action stall() {
        return (s, x, line) -> {
            x.stall();
            return false;
        };
    }

    /** Sends these exact octets (malformed replies, garbage, NUL, non-UTF-8). */
    public static Action raw(byte[] octets) {
        return (s, x, line) -> {
            x.write(octets);
            return true;
        };
    }

    /** Sends these exact characters, one octet each (ISO-8859-1). */
    public static Action raw(String text) {
        return raw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A 250 reply whose one line is {@code octets} long (without CRLF). */
    public static Action overlongLine(int octets) {
        return raw("250 " + "x".repeat(Math.max(0, octets - 4)) + "\r\n");
    }

    /** A 250 reply of {@code lines} lines. */
    public static Action manyLines(int lines) {
        return raw("250-x\r\n".repeat(lines - 1) + "250 end\r\n");
    }

    /** Sends {@code text} plus CRLF one octet per write, pausing {@code pause} between octets. */
    public static Action drip(Duration pause, String text) {
        return (s, x, line) -> {
            x.drip(pause, (text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return true;
        };
    }

    /** Never reads again (no reply): once the socket buffers fill, the client's writes block. */
    public static Action stopReading() {
        return (s, x, line) -> {
            x.stopReading();
            return false;
        };
    }

    /** Replies, then never reads again: once the socket buffers fill, the client's writes block. */
    public static Action stopReading(String reply) {
        return (s, x, line) -> {
            x.reply(reply);
            x.stopReading();
            return false;
        };
    }

    /** STARTTLS: 220, then the handshake with the configured certificate. */
    public static Action starttls() {
        return (s, x, line) -> {
            x.startTls(s.starttlsContext(), "");
            return !x.ended();
        };
    }

    /** STARTTLS: 220, then the handshake with {@code cert}. */
    public static Action starttls(TestTls cert) {
        return (s, x, line) -> {
            x.startTls(cert.sslContext(), "");
            return !x.ended();
        };
    }

    /**
     * STARTTLS response injection (CVE-2011-0411 class): the 220 and {@code injected} in one
     * write, then the handshake.
     */
    public static Action starttls(String injected) {
        return (s, x, line) -> {
            x.startTls(s.starttlsContext(), injected);
            return !x.ended();
        };
    }

    // ------------------------------------------------------------------ serving

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return;
            }
            Connection c = new Connection(connections.incrementAndGet(), socket);
            conversations.add(c);
            Thread t = new Thread(() -> c.run(), "fault-server-conn-" + c.number);
            t.setDaemon(true);
            t.start();
        }
    }

    private Action next(String verb) {
        synchronized (queued) {
            Deque<Action> q = queued.get(verb);
            if (q != null && !q.isEmpty()) {
                return q.removeFirst();
            }
            return always.get(verb);
        }
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        listener.close();
        for (Connection c : conversations) {
            c.closeSocket();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One command being handled: what arrived, and the means to answer (or not). */
    public final class Conversation {
        private final Connection conversation;
        private final String verb;
        private final String line;

        private Conversation(Connection conversation, String verb, String line) {
            this.conversation = conversation;
            this.verb = verb;
            this.line = line;
        }

        /** The command line (null for {@link #GREETING}, "." for {@link #DOT}). */
        public String line() {
            return line;
        }

        public String verb() {
            return verb;
        }

        /** The connection number, from 1. */
        public int connection() {
            return conversation.number;
        }

        public FaultServer server() {
            return FaultServer.this;
        }

        /** Writes each line with CRLF. */
        public void reply(String... lines) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append(l).append("\r\n");
            }
            write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        /** Writes octets as they are. */
        public void write(byte[] octets) throws IOException {
            conversation.write(octets);
        }

        /** Closes the connection without a reply (after the client's remaining bytes are read). */
        public void drop() throws IOException {
            conversation.drop();
        }

        /** Resets the connection (RST) without reading what is left. */
        public void reset() throws IOException {
            conversation.socket.setSoLinger(true, 0);
            conversation.end();
        }

        /** Never answers: reads until the client closes. */
        public void stall() throws IOException {
            conversation.drain();
            conversation.end();
        }

        /** Stops reading until the server is closed. */
        public void stopReading() throws IOException {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conversation.end();
        }

        /** One octet per write, with {@code pause} between. */
        public void drip(Duration pause, byte[] octets) throws IOException {
            conversation.flushHeld();
            for (byte b : octets) {
                conversation.out.write(b);
                conversation.out.flush();
                if (!pause.isZero()) {
                    try {
                        Thread.sleep(pause.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        /** 220, the injected octets in the same write, then the TLS handshake as a server. */
        public void startTls(javax.net.ssl.SSLContext context, String injected) throws IOException {
            write(("220 2.0.0 Ready to start TLS\r\n" + injected).getBytes(StandardCharsets.ISO_8859_1));
            conversation.upgrade(context);
        }

        /** True once the connection was closed (by an action, or by the client). */
        public boolean ended() {
            return conversation.ended;
        }

        /** True when TLS is up on this connection. */
        public boolean tls() {
            return conversation.tls;
        }

        /** The socket (an {@link SSLSocket} once TLS is up). */
        public Socket socket() {
            return conversation.socket;
        }

        /** Replies as the default server would. */
        public void standard() throws IOException {
            conversation.standard(this);
        }
    }

    /** One accepted connection. */
    private final class Connection {
        final int number;
        final CountDownLatch done = new CountDownLatch(1);
        Socket socket;
        InputStream in;
        OutputStream out;
        byte[] buf = new byte[16 * 1024];
        int pos;
        int lim;
        boolean tls;
        boolean ended;
        boolean authing;
        String authMechanism;
        int authStep;
        int lastCode;
        boolean holding;
        final ByteArrayOutputStream held = new ByteArrayOutputStream();

        Connection(int number, Socket socket) {
            this.number = number;
            this.socket = socket;
        }

        void run() {
            try {
                if (implicitTls != null) {
                    in = socket.getInputStream();
                    out = socket.getOutputStream();
                    upgrade(implicitTls.get());
                } else {
                    in = socket.getInputStream();
                    out = socket.getOutputStream();
                }
                if (!ended) {
                    perform(GREETING, null);
                }
                while (!ended) {
                    byte[] raw = readLine();
                    if (raw == null) {
                        break;
                    }
                    String line = text(raw);
                    String verb = authing ? AUTHLINE : line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                    authing = false;
                    synchronized (log) {
                        log.add(new Command(number, verb, line, tls, lim - pos + in.available()));
                    }
                    if (verb.equals("BDAT")) {
                        readChunk(line);
                    }
                    if (holdFrom != null && verb.equals(holdFrom)) {
                        holding = true;
                    }
                    lastCode = 0;
                    perform(verb, line);
                    if (holdUntil != null && verb.equals(holdUntil)) {
                        flushHeld();
                        holdFrom = null;
                        holdUntil = null;
                    }
                    if (ended) {
                        break;
                    }
                    if (verb.equals("DATA") && lastCode / 100 == 3) {
                        flushHeld();
                        if (!readData()) {
                            break;
                        }
                        lastCode = 0;
                        if (DOT.equals(holdFrom)) {
                            holding = true;
                        }
                        perform(DOT, ".");
                    }
                    authing = lastCode == 334;
                }
            } catch (IOException e) {
                // The client went away, or a handshake failed: the test asserts on what arrived.
            } finally {
                end();
            }
        }

        private void perform(String verb, String line) throws IOException {
            Conversation x = new Conversation(this, verb, line);
            Action a = next(verb);
            if (a != null) {
                if (!a.act(FaultServer.this, x, line) && !ended) {
                    end();
                }
            } else {
                standard(x);
            }
        }

        void standard(Conversation x) throws IOException {
            String line = x.line;
            switch (x.verb) {
                case GREETING -> x.reply("220 " + hostname + " ESMTP FaultServer");
                case "EHLO" -> {
                    List<String> caps = tls && capabilitiesAfterTls != null ? capabilitiesAfterTls
                            : tls ? capabilities.stream().filter(k -> !k.equalsIgnoreCase("STARTTLS")).toList()
                            : capabilities;
                    String[] lines = new String[caps.size() + 1];
                    lines[0] = (caps.isEmpty() ? "250 " : "250-") + hostname + " Hello " + arg(line);
                    for (int i = 0; i < caps.size(); i++) {
                        lines[i + 1] = (i == caps.size() - 1 ? "250 " : "250-") + caps.get(i);
                    }
                    x.reply(lines);
                }
                case "HELO" -> x.reply("250 " + hostname);
                case "MAIL" -> x.reply("250 2.1.0 Ok");
                case "RCPT" -> x.reply("250 2.1.5 Ok");
                case "DATA" -> x.reply("354 End data with <CR><LF>.<CR><LF>");
                case DOT -> x.reply("250 2.0.0 Ok: queued as FAULT" + messages().size());
                case "BDAT" -> x.reply(line.toUpperCase(Locale.ROOT).endsWith(" LAST")
                        ? "250 2.0.0 Ok: queued as FAULT" + messages().size()
                        : "250 2.0.0 " + line.split(" ")[1] + " octets received");
                case "RSET", "NOOP" -> x.reply("250 2.0.0 Ok");
                case "VRFY" -> x.reply("252 2.0.0 Cannot VRFY user, but will accept message");
                case "QUIT" -> {
                    x.reply("221 2.0.0 Bye");
                    x.drop();
                }
                case "STARTTLS" -> x.startTls(starttlsContext(), "");
                case "AUTH" -> auth(x, line);
                case AUTHLINE -> authLine(x, line);
                default -> x.reply("250 2.0.0 Ok");
            }
        }

        private void auth(Conversation x, String line) throws IOException {
            String[] p = line.split(" ");
            authMechanism = p.length > 1 ? p[1].toUpperCase(Locale.ROOT) : "";
            authStep = 0;
            boolean initial = p.length > 2;
            switch (authMechanism) {
                case "LOGIN" -> x.reply(initial ? "334 UGFzc3dvcmQ6" : "334 VXNlcm5hbWU6");
                case "PLAIN", "XOAUTH2", "OAUTHBEARER" -> x.reply(initial ? "235 2.7.0 Authentication successful"
                        : "334 ");
                case "CRAM-MD5" -> x.reply("334 " + Base64.getEncoder().encodeToString(
                        ("<1896.697170952@" + hostname + ">").getBytes(StandardCharsets.US_ASCII)));
                default -> x.reply("504 5.5.4 Unrecognized authentication type");
            }
            if (initial && authMechanism.equals("LOGIN")) {
                authStep = 1;
            }
        }

        private void authLine(Conversation x, String line) throws IOException {
            if (line.equals("*")) {
                x.reply("501 5.7.0 Authentication aborted");
            } else if (authMechanism.equals("LOGIN") && authStep++ == 0) {
                x.reply("334 UGFzc3dvcmQ6");
            } else {
                x.reply("235 2.7.0 Authentication successful");
            }
        }

        private String arg(String line) {
            String[] p = line.split(" ", 2);
            return p.length > 1 ? p[1] : "";
        }

        void write(byte[] octets) throws IOException {
            if (ended) {
                return;
            }
            noteCode(octets);
            if (holding) {
                held.writeBytes(octets);
                return;
            }
            out.write(octets);
            out.flush();
        }

        void flushHeld() throws IOException {
            holding = false;
            if (held.size() > 0) {
                out.write(held.toByteArray());
                out.flush();
                held.reset();
            }
        }

        /** Remembers the code of the last complete reply line written, to follow 334 and 354 (any 3xx to DATA). */
        private void noteCode(byte[] octets) {
            int end = octets.length;
            while (end > 0 && (octets[end - 1] == '\n' || octets[end - 1] == '\r')) {
                end--;
            }
            int start = end;
            while (start > 0 && octets[start - 1] != '\n') {
                start--;
            }
            if (end - start >= 3 && Character.isDigit(octets[start]) && Character.isDigit(octets[start + 1])
                    && Character.isDigit(octets[start + 2]) && (end - start == 3 || octets[start + 3] == ' ')) {
                lastCode = (octets[start] - '0') * 100 + (octets[start + 1] - '0') * 10 + (octets[start + 2] - '0');
            }
        }

        void upgrade(javax.net.ssl.SSLContext context) throws IOException {
            flushHeld();
            // Octets already buffered belong to the handshake: hand them to the TLS socket.
            InputStream leftover = new ByteArrayInputStream(buf, pos, lim - pos);
            pos = lim;
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, leftover, true);
            ssl.setUseClientMode(false);
            socket = ssl;
            try {
                ssl.startHandshake();
            } catch (IOException e) {
                ended = true;
                throw e;
            }
            in = ssl.getInputStream();
            out = ssl.getOutputStream();
            tls = true;
        }

        private boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            synchronized (received) {
                received.write(buf, 0, n);
            }
            pos = 0;
            lim = n;
            return true;
        }

        /** A line with its ending (LF or CRLF), or null at end of stream. */
        private byte[] readLineRaw() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (fill()) {
                byte b = buf[pos++];
                line.write(b);
                if (b == '\n') {
                    return line.toByteArray();
                }
            }
            return line.size() == 0 ? null : line.toByteArray();
        }

        private byte[] readLine() throws IOException {
            return readLineRaw();
        }

        private String text(byte[] raw) {
            int n = raw.length;
            if (n > 0 && raw[n - 1] == '\n') {
                n--;
            }
            if (n > 0 && raw[n - 1] == '\r') {
                n--;
            }
            return new String(raw, 0, n, StandardCharsets.UTF_8);
        }

        /** Reads message content up to the strict terminator CRLF.CRLF; false when the stream ended. */
        private boolean readData() throws IOException {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            boolean atLineStart = true;
            while (true) {
                byte[] l = readLineRaw();
                if (l == null) {
                    return false;
                }
                if (atLineStart && l.length == 3 && l[0] == '.' && l[1] == '\r' && l[2] == '\n') {
                    synchronized (messages) {
                        messages.add(content.toByteArray());
                    }
                    return true;
                }
                content.writeBytes(l);
                atLineStart = l.length >= 2 && l[l.length - 2] == '\r' && l[l.length - 1] == '\n';
            }
        }

        private ByteArrayOutputStream chunks = new ByteArrayOutputStream();

        private void readChunk(String line) throws IOException {
            String[] p = line.split(" ");
            long n = Long.parseLong(p[1]);
            for (long i = 0; i < n; i++) {
                if (!fill()) {
                    throw new IOException("end of stream inside a BDAT chunk");
                }
                chunks.write(buf[pos++]);
            }
            if (p.length > 2 && p[2].equalsIgnoreCase("LAST")) {
                synchronized (messages) {
                    messages.add(chunks.toByteArray());
                }
                chunks = new ByteArrayOutputStream();
            }
        }

        void drain() throws IOException {
            flushHeld();
            pos = lim;
            while (fill()) {
                pos = lim;
            }
        }

        void drop() throws IOException {
            flushHeld();
            if (!(socket instanceof SSLSocket)) {
                // A FIN, not a reset: the client reads end of stream, then we read its last octets.
                socket.shutdownOutput();
                drain();
            }
            end();
        }

        void end() {
            ended = true;
            closeSocket();
            done.countDown();
        }

        void closeSocket() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
