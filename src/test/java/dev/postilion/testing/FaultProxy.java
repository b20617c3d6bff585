package dev.postilion.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between a client and a server, with network faults in the style of
 * toxiproxy: added latency per chunk, delivery one byte at a time (slicer), a bandwidth limit on
 * what the client sends (bandwidth), cutting the connection after N client bytes (limit_data), or
 * a reset (RST) after N client bytes.
 * One connection; every thread stops when the proxy is closed.
 */
public final class FaultProxy implements AutoCloseable {

    private static final int SMALL_BUFFER = 8 * 1024;

    private final ServerSocket listener;
    private final int targetPort;
    private volatile long latencyMillis;
    private volatile boolean slicer;
    private volatile long cutAfter = -1;
    private volatile boolean reset;
    private volatile long bytesPerSecond;
    private final AtomicLong upstream = new AtomicLong();
    private final CountDownLatch closed = new CountDownLatch(1);

    private FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** A proxy in front of {@code 127.0.0.1:targetPort}. */
    public static FaultProxy to(int targetPort) throws IOException {
        return new FaultProxy(targetPort);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Delay every chunk in both directions by this much. */
    public FaultProxy latency(long millis) {
        latencyMillis = millis;
        return this;
    }

    /** Deliver server-to-client data one byte per write. */
    public FaultProxy slicer() {
        slicer = true;
        return this;
    }

    /**
     * Forward what the client sends at no more than this many bytes per second, through a small
     * receive buffer, so the client's writes block as they would on a slow uplink.
     */
    public FaultProxy bandwidth(long bytesPerSecond) throws IOException {
        this.bytesPerSecond = bytesPerSecond;
        // Accepted sockets take their buffer (and so the window they advertise) from the listener.
        listener.setReceiveBufferSize(SMALL_BUFFER);
        return this;
    }

    /** Close both sides once the client has sent this many bytes. */
    public FaultProxy cutAfter(long clientBytes) {
        cutAfter = clientBytes;
        return this;
    }

    /** Like {@link #cutAfter} but with a TCP reset. */
    public FaultProxy resetAfter(long clientBytes) {
        cutAfter = clientBytes;
        reset = true;
        return this;
    }

    /** Client bytes forwarded so far. */
    public long upstreamBytes() {
        return upstream.get();
    }

    private void accept() {
        try (Socket client = listener.accept();
             Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            if (bytesPerSecond > 0) {
                client.setReceiveBufferSize(SMALL_BUFFER);
            }
            Thread up = pump(client, server, true);
            Thread down = pump(server, client, false);
            up.join();
            down.join();
        } catch (IOException | InterruptedException e) {
            // The proxy was closed or a side went away: the test asserts on the client.
        }
    }

    private Thread pump(Socket from, Socket to, boolean clientToServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                long started = System.nanoTime();
                long forwarded = 0;
                while ((n = in.read(buf, 0, readSize(clientToServer, buf.length))) > 0) {
                    if (latencyMillis > 0 && closed.await(latencyMillis, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    if (clientToServer && bytesPerSecond > 0) {
                        // Pace: these bytes may leave only when the limit allows everything so far.
                        forwarded += n;
                        long due = started + forwarded * 1_000_000_000L / bytesPerSecond;
                        long wait = due - System.nanoTime();
                        if (wait > 0 && closed.await(wait, TimeUnit.NANOSECONDS)) {
                            return;
                        }
                    }
                    if (clientToServer && cutAfter >= 0 && upstream.get() + n >= cutAfter) {
                        int allowed = (int) Math.max(0, cutAfter - upstream.get());
                        out.write(buf, 0, allowed);
                        upstream.addAndGet(allowed);
                        if (reset) {
                            from.setSoLinger(true, 0);
                        }
                        from.close();
                        to.close();
                        return;
                    }
                    if (!clientToServer && slicer) {
                        for (int i = 0; i < n; i++) {
                            out.write(buf[i]);
                            out.flush();
                        }
                    } else {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                    if (clientToServer) {
                        upstream.addAndGet(n);
                    }
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                // One side closed: the other pump ends as well.
            }
        }, "fault-proxy-" + (clientToServer ? "up" : "down"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** With a bandwidth limit, reads of at most a twentieth of a second's worth, so the pace is even. */
    private int readSize(boolean clientToServer, int max) {
        long limit = bytesPerSecond;
        return clientToServer && limit > 0 ? (int) Math.max(1, Math.min(max, limit / 20)) : max;
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        listener.close();
    }
}
