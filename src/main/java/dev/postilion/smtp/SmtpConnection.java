package dev.postilion.smtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One TCP (and possibly TLS) connection to a server: bounded reads with a timeout per reply,
 * writes that time out too (a watchdog closes a socket whose write stalls, since blocking Java
 * sockets have none), and the STARTTLS upgrade. It knows bytes and lines, not SMTP verbs.
 */
final class SmtpConnection implements Closeable {

    /** The socket send buffer (the kernel doubles it for its own bookkeeping). */
    private static final int SEND_BUFFER = 128 * 1024;

    private final String host;
    private final int port;
    private final Timeouts timeouts;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private ReplyReader reader;
    private DeadlineInputStream deadline;
    private volatile boolean writeTimedOut;
    private boolean tls;

    private SmtpConnection(String host, int port, Timeouts timeouts) {
        this.host = host;
        this.port = port;
        this.timeouts = timeouts;
    }

    /**
     * Opens a TCP connection to one of {@code host}'s addresses within {@code limit}. The host name
     * is kept for TLS (SNI and the certificate check use the name, never the address).
     */
    static SmtpConnection open(String host, int port, InetAddress address, Timeouts timeouts, Duration limit)
            throws IOException {
        SmtpConnection c = new SmtpConnection(host, port, timeouts);
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            // A fixed send buffer (Linux lets it grow to 4 MB otherwise): what the kernel holds is
            // what a slow uplink has yet to carry, so it must drain well within the data-block and
            // end-of-data timers (RFC 5321 4.5.3.2) even at 1 KB/s, or a healthy transfer times out.
            s.setSendBufferSize(SEND_BUFFER);
            s.connect(new InetSocketAddress(address, port), (int) Math.max(1, limit.toMillis()));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        c.attach(s);
        return c;
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.deadline = new DeadlineInputStream(s.getInputStream());
        this.in = new BufferedInputStream(deadline, 16 * 1024);
        this.out = new BufferedOutputStream(new WatchedOutputStream(s.getOutputStream()), 64 * 1024);
        this.reader = new ReplyReader(in);
    }

    /**
     * Wraps the connection in TLS, verifying as configured, with the handshake bounded by
     * {@code limit}; returns lines for the transcript (protocol, cipher, peer certificates).
     */
    List<String> startTls(TlsSettings settings, Duration limit) throws IOException {
        SSLSocket ssl = (SSLSocket) settings.socketFactory().createSocket(socket, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        if (!settings.insecure()) {
            // Host name check against the name we connected to (RFC 2595 2.4; no DNS-derived names).
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout((int) Math.max(1, limit.toMillis()));
        ArmedWrite armed = arm(limit);
        try {
            ssl.startHandshake();
        } finally {
            armed.disarm();
        }
        attach(ssl);
        tls = true;
        return describe(ssl.getSession());
    }

    private List<String> describe(SSLSession session) {
        List<String> lines = new ArrayList<>();
        lines.add("TLS started with protocol " + session.getProtocol() + ", cipher " + session.getCipherSuite());
        try {
            Certificate[] peer = session.getPeerCertificates();
            for (int i = 0; i < peer.length && i < 3; i++) {
                if (peer[i] instanceof X509Certificate x) {
                    lines.add("TLS peer[" + i + "] subject=[" + x.getSubjectX500Principal().getName() + "]");
                    lines.add("          issuer=[" + x.getIssuerX500Principal().getName() + "] notAfter=["
                            + x.getNotAfter().toInstant() + "]");
                    if (i == 0) {
                        lines.add("          subjectAltName=[" + altNames(x) + "]");
                    }
                }
            }
        } catch (IOException e) {
            lines.add("TLS peer sent no certificate");
        }
        return lines;
    }

    private static String altNames(X509Certificate x) {
        try {
            if (x.getSubjectAlternativeNames() == null) {
                return "";
            }
            List<String> names = new ArrayList<>();
            for (List<?> san : x.getSubjectAlternativeNames()) {
                names.add(String.valueOf(san.get(1)));
            }
            return String.join(", ", names);
        } catch (java.security.cert.CertificateParsingException e) {
            return "unreadable";
        }
    }

    /**
     * Reads a reply within {@code timeout}: the whole reply, not each read, so a server that drips
     * one octet at a time cannot stretch a reply past its limit.
     */
    Reply read(Duration timeout) throws IOException {
        deadline.until(System.nanoTime() + Math.max(1, timeout.toNanos()));
        try {
            return reader.read();
        } finally {
            deadline.clear();
        }
    }

    /** Octets the server sent that nobody has read yet (STARTTLS injection check). */
    int buffered() throws IOException {
        return in.available();
    }

    /** Buffers bytes for the next flush. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    /** The buffered stream message data goes through (its writes are watched too). */
    OutputStream output() {
        return out;
    }

    void flush() throws IOException {
        out.flush();
    }

    boolean tls() {
        return tls;
    }

    boolean writeTimedOut() {
        return writeTimedOut;
    }

    boolean isOpen() {
        return socket != null && !socket.isClosed();
    }

    String server() {
        return host + ":" + port;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    boolean loopback() {
        return socket != null && socket.getInetAddress() != null && socket.getInetAddress().isLoopbackAddress();
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // Closing is best effort: the conversation is over either way.
        }
    }

    /** Writes the watchdog is watching right now (for a test: they must not pile up). */
    static int armedWrites() {
        return Watchdog.WRITING.size();
    }

    private ArmedWrite arm(Duration limit) {
        Watchdog.arm(this, System.nanoTime() + Math.max(1, limit.toNanos()));
        return () -> Watchdog.WRITING.remove(this);
    }

    private void stalled() {
        writeTimedOut = true;
        close();
    }

    /**
     * One daemon thread for every connection: each write notes its deadline in a map (no timer
     * to schedule and cancel, no thread to wake: a bulk send writes thousands of times a second),
     * and the watchdog looks at the map every {@link #TICK} while anything is being written,
     * closing the socket of a write past its deadline. It sleeps while nothing is written.
     */
    private static final class Watchdog {
        static final ConcurrentHashMap<SmtpConnection, Long> WRITING = new ConcurrentHashMap<>();
        static final long TICK = TimeUnit.MILLISECONDS.toNanos(25);
        private static volatile boolean idle;
        private static final Thread THREAD = start();

        private static Thread start() {
            Thread t = new Thread(Watchdog::watch, "postilion-write-watchdog");
            t.setDaemon(true);
            t.start();
            return t;
        }

        static void arm(SmtpConnection c, long deadline) {
            WRITING.put(c, deadline);
            if (idle) {
                LockSupport.unpark(THREAD);
            }
        }

        private static void watch() {
            while (true) {
                if (WRITING.isEmpty()) {
                    idle = true;
                    // Checked again after saying so: a write that began in between unparks us.
                    if (WRITING.isEmpty()) {
                        LockSupport.park();
                    }
                    idle = false;
                    continue;
                }
                LockSupport.parkNanos(TICK);
                long now = System.nanoTime();
                for (Map.Entry<SmtpConnection, Long> e : WRITING.entrySet()) {
                    if (now - e.getValue() > 0 && WRITING.remove(e.getKey(), e.getValue())) {
                        e.getKey().stalled();
                    }
                }
            }
        }
    }

    /** A write to the socket failed: the connection, not the content, is at fault. */
    static final class ConnectionLostException extends IOException {
        ConnectionLostException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Sets the socket's read timeout to what is left of the reply's deadline before every read. */
    private final class DeadlineInputStream extends FilterInputStream {
        private boolean armed;
        private long deadlineNanos;

        DeadlineInputStream(InputStream in) {
            super(in);
        }

        void until(long nanoTime) {
            deadlineNanos = nanoTime;
            armed = true;
        }

        void clear() {
            armed = false;
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }

        private void arm() throws IOException {
            if (armed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("reply not complete within its time limit");
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    private interface ArmedWrite {
        void disarm();
    }

    /** Every write to the socket runs under the watchdog, so a server that stops reading cannot hang us. */
    private final class WatchedOutputStream extends FilterOutputStream {
        WatchedOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ArmedWrite armed = arm(timeouts.dataBlock());
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (writeTimedOut) {
                    throw new ConnectionLostException("write timed out after "
                            + Timeouts.describe(timeouts.dataBlock()) + ": the server stopped reading", e);
                }
                throw new ConnectionLostException("connection lost while sending: " + e.getMessage(), e);
            } finally {
                armed.disarm();
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
