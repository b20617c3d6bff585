package dev.postilion.interop;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Postfix policy service (SMTPD_POLICY_README, "Policy protocol description") that answers
 * {@code 451 4.7.1} to every second RCPT request it gets, and {@code DUNNO} (no opinion) to the
 * others: attributes arrive one {@code name=value} per line, ended by an empty line; the answer is
 * {@code action=...} and an empty line. Postfix keeps its connections open and sends many requests
 * on each; every smtpd process has its own.
 *
 * <p>It binds the fixed loopback address {@code scripts/mta-up} configured, since Postfix must find it.
 */
final class PolicyService implements Closeable {

  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger deferred = new AtomicInteger();

  PolicyService(InetSocketAddress address) throws IOException {
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("the policy service must listen on loopback, not " + address);
    }
    server = new ServerSocket();
    server.setReuseAddress(true);
    try {
      server.bind(address, 50);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + address + " for Postfix's policy questions (" + e.getMessage()
          + "); is another test run using it?", e);
    }
    Thread acceptor = new Thread(this::accept, "policy-service");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** RCPT requests answered so far. */
  int requests() {
    return requests.get();
  }

  /** RCPT requests answered with 451. */
  int deferred() {
    return deferred.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "policy-service-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = socket.getOutputStream();
      Map<String, String> attributes = new HashMap<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isEmpty()) {
          int eq = line.indexOf('=');
          if (eq > 0) {
            attributes.put(line.substring(0, eq), line.substring(eq + 1));
          }
          continue;
        }
        String action = "DUNNO";
        if ("RCPT".equals(attributes.get("protocol_state")) && requests.incrementAndGet() % 2 == 0) {
          deferred.incrementAndGet();
          action = "451 4.7.1 Greylisted by the test policy service, try again later";
        }
        out.write(("action=" + action + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        attributes.clear();
      }
    } catch (IOException e) {
      // Postfix closed its connection (idle), or the test ended: nothing to answer.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
