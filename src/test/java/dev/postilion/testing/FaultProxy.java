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
 * toxiproxy: added latency per chunk, delivery one byte at a time (slicer), cutting the
 * connection after N client bytes (limit_data), or a reset (RST) after N client bytes.
 * One connection; every thread stops when the proxy is closed.
 */
public final class FaultProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private volatile long latencyMillis;
    private volatile boolean slicer;
    private volatile long cutAfter = -1;
    private volatile boolean reset;
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
                while ((n = in.read(buf)) > 0) {
                    if (latencyMillis > 0 && closed.await(latencyMillis, TimeUnit.MILLISECONDS)) {
                        return;
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

    @Override
    public void close() throws IOException {
        closed.countDown();
        listener.close();
    }
}
