package dev.postilion.batch;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small real SMTP server for batch tests (loopback, port 0): EHLO with PIPELINING and AUTH,
 * every reply scriptable, faults by message number (451, 421, a drop with no reply after the dot,
 * a stall until released). It keeps, per accepted message, the Message-ID and the recipients.
 */
public final class BatchTestServer implements Closeable {

    /** What to do at the end of a message's data. */
    public enum End {
        /** 250 with a queue id. */
        OK,
        /** 451: not taken. */
        TEMPORARY,
        /** 421 and close: not taken. */
        CLOSING,
        /** Keep the message, close without a reply: the RFC 1047 window. */
        DROP,
        /** Keep the message and never reply (until {@link #release()}); then close. */
        STALL
    }

    /** A message the server took (or may have taken, for DROP and STALL). */
    public record Received(String messageId, List<String> recipients, String from, int connection) {
    }

    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>]+>)");

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final List<String> commands = new CopyOnWriteArrayList<>();
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger rcpts = new AtomicInteger();
    public final AtomicInteger dataEnds = new AtomicInteger();
    public final AtomicInteger auths = new AtomicInteger();
    private final Object stallLock = new Object();
    private boolean released;

    /** The reply to AUTH number n (after the exchange). */
    public volatile IntFunction<String> authReply = n -> "235 2.7.0 Authentication successful";
    /** The reply to RCPT number n (from 1, over the server's life) for an address. */
    public volatile BiFunction<Integer, String, String> rcptReply = (n, a) -> "250 2.1.5 Ok";
    /** The reply to MAIL number n. */
    public volatile IntFunction<String> mailReply = n -> "250 2.1.0 Ok";
    /** What to do at the end of data number n (from 1). */
    public volatile IntFunction<End> dataEnd = n -> End.OK;
    /** When not null for end of data number n: the reply to send instead (the message is taken only on a 2xx). */
    public volatile IntFunction<String> endReply = n -> null;
    /** The reply to the end of a message's data by its recipients (null: {@link #endReply}, then {@link #dataEnd}). */
    public volatile java.util.function.Function<List<String>, String> endReplyFor = to -> null;
    /** What to do at the end of a message's data by its recipients (null: {@link #dataEnd} decides). */
    public volatile java.util.function.Function<List<String>, End> dataEndFor = to -> null;
    public final AtomicInteger mails = new AtomicInteger();
    /** RCPTs accepted per transaction before 452 "too many recipients" (0: no limit). */
    public volatile int maxRecipients;
    /** More connections at once than this get {@code 432 4.3.2} and are closed; 0: no limit. */
    public volatile int maxConcurrent;
    /** Connections served right now, and the most ever served at once. */
    public final AtomicInteger concurrent = new AtomicInteger();
    public final AtomicInteger mostConcurrent = new AtomicInteger();
    /** Connections refused with 432 for being one too many. */
    public final AtomicInteger tooMany = new AtomicInteger();
    /** Counts down each time a connection stalls at the end of data. */
    public volatile java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(0);
    /** Counts down when the end of data number {@link #reachAt} has been read. */
    public volatile java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    public volatile int reachAt;
    /** Record every command line (off for big runs). */
    public volatile boolean recordCommands = true;

    public BatchTestServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "batch-test-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Lets every stalled connection go on (they then close without a reply). */
    public void release() {
        synchronized (stallLock) {
            released = true;
            stallLock.notifyAll();
        }
    }

    /** Message-ID to how many times it arrived. */
    public Map<String, Integer> countsByMessageId() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        for (Received r : received) {
            counts.merge(r.messageId() + " " + r.recipients(), 1, Integer::sum);
        }
        return counts;
    }

    /** Recipient address to how many messages arrived for it. */
    public Map<String, Integer> countsByRecipient() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        for (Received r : received) {
            for (String to : r.recipients()) {
                counts.merge(to, 1, Integer::sum);
            }
        }
        return counts;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "batch-test-conn-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        int now = concurrent.incrementAndGet();
        try {
            if (maxConcurrent > 0 && now > maxConcurrent) {
                // Exchange's answer to one connection too many for the account (LIM-02).
                tooMany.incrementAndGet();
                try (socket) {
                    reply(socket.getOutputStream(), "432 4.3.2 Concurrent connections limit exceeded");
                } catch (IOException e) {
                    // The client went away first: nothing to record.
                }
                return;
            }
            mostConcurrent.accumulateAndGet(now, Math::max);
            converse(socket, connection);
        } finally {
            concurrent.decrementAndGet();
        }
    }

    private void converse(Socket socket, int connection) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            reply(out, "220 batch-test ESMTP");
            String from = null;
            List<String> to = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                if (recordCommands) {
                    commands.add(line);
                }
                String upper = line.toUpperCase(java.util.Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    reply(out, "250-batch-test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 10000000\r\n"
                            + "250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN");
                } else if (upper.startsWith("AUTH PLAIN")) {
                    int n = auths.incrementAndGet();
                    if (upper.trim().equals("AUTH PLAIN")) {
                        reply(out, "334 ");
                        readLine(in);
                    }
                    reply(out, authReply.apply(n));
                } else if (upper.startsWith("AUTH LOGIN")) {
                    int n = auths.incrementAndGet();
                    reply(out, "334 VXNlcm5hbWU6");
                    readLine(in);
                    reply(out, "334 UGFzc3dvcmQ6");
                    readLine(in);
                    reply(out, authReply.apply(n));
                } else if (upper.startsWith("MAIL FROM:")) {
                    String r = mailReply.apply(mails.incrementAndGet());
                    if (r.startsWith("2")) {
                        from = between(line);
                        to.clear();
                    }
                    if (!reply(out, r)) {
                        return;
                    }
                } else if (upper.startsWith("RCPT TO:")) {
                    String address = between(line);
                    String r = maxRecipients > 0 && to.size() >= maxRecipients ? "452 4.5.3 Error: too many recipients"
                            : rcptReply.apply(rcpts.incrementAndGet(), address);
                    if (r.startsWith("2")) {
                        to.add(address);
                    }
                    if (!reply(out, r)) {
                        return;
                    }
                } else if (upper.equals("DATA")) {
                    if (from == null || to.isEmpty()) {
                        reply(out, "554 5.5.1 Error: no valid recipients");
                        continue;
                    }
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String data = readData(in);
                    if (data == null) {
                        return;
                    }
                    int n = dataEnds.incrementAndGet();
                    if (n == reachAt) {
                        reached.countDown();
                    }
                    String instead = endReplyFor.apply(List.copyOf(to));
                    if (instead == null) {
                        instead = endReply.apply(n);
                    }
                    if (instead != null) {
                        if (instead.startsWith("2")) {
                            Matcher m = MESSAGE_ID.matcher(data);
                            received.add(new Received(m.find() ? m.group(1) : null, List.copyOf(to), from, connection));
                        }
                        if (!reply(out, instead)) {
                            return;
                        }
                        from = null;
                        to.clear();
                        continue;
                    }
                    End end = dataEndFor.apply(List.copyOf(to));
                    if (end == null) {
                        end = dataEnd.apply(n);
                    }
                    if (end == End.OK || end == End.DROP || end == End.STALL) {
                        Matcher m = MESSAGE_ID.matcher(data);
                        received.add(new Received(m.find() ? m.group(1) : null, List.copyOf(to), from, connection));
                    }
                    switch (end) {
                        case OK -> reply(out, "250 2.0.0 Ok: queued as Q" + n);
                        case TEMPORARY -> reply(out, "451 4.3.0 Error: queue file write error");
                        case CLOSING -> {
                            reply(out, "421 4.3.2 Service shutting down");
                            return;
                        }
                        case DROP -> {
                            return;
                        }
                        case STALL -> {
                            stalled.countDown();
                            synchronized (stallLock) {
                                while (!released) {
                                    stallLock.wait();
                                }
                            }
                            return;
                        }
                        default -> throw new IllegalStateException();
                    }
                    from = null;
                    to.clear();
                } else if (upper.equals("RSET")) {
                    from = null;
                    to.clear();
                    reply(out, "250 2.0.0 Ok");
                } else if (upper.equals("NOOP")) {
                    reply(out, "250 2.0.0 Ok");
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 Bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away; that is part of many tests.
        }
    }

    /** Writes a reply; false when it was a 421 and the connection is to close. */
    private static boolean reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return !text.startsWith("421");
    }

    private static String between(String line) {
        int a = line.indexOf('<');
        int b = line.indexOf('>', a + 1);
        return a >= 0 && b > a ? line.substring(a + 1, b) : "";
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }

    private static String readData(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = readLine(in)) != null) {
            if (line.equals(".")) {
                return sb.toString();
            }
            sb.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
