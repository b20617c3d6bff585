package dev.postilion.server;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The listener behind {@link CaptureServer#standIn()}: on loopback, one conversation at a time, it
 * accepts every command (every AUTH mechanism, every address and parameter, every message), offers
 * every extension the engine can use, and keeps nothing. SubEthaSMTP cannot serve this: it offers
 * no PIPELINING, DSN, CRAM-MD5 or XOAUTH2 and refuses VRFY and unknown commands.
 */
final class StandInListener implements Closeable {

    private final ServerSocket socket;
    private final Runnable onMessage;

    StandInListener(Runnable onMessage) throws IOException {
        this.onMessage = onMessage;
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(this::serve, "postilion-dry-run-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    String host() {
        return socket.getInetAddress().getHostAddress();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                converse(s);
            } catch (IOException e) {
                // A dropped client or the server closing: the next accept decides.
            }
        }
    }

    private void converse(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        say(out, "220 dry-run.invalid ESMTP stand-in for --dry-run");
        String line;
        while ((line = in.readLine()) != null) {
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO" -> say(out, "250-dry-run.invalid\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                        + "250-DSN\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 0\r\n"
                        + "250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER");
                case "AUTH" -> auth(line, in, out);
                case "DATA" -> {
                    say(out, "354 go ahead");
                    String d;
                    while ((d = in.readLine()) != null && !d.equals(".")) {
                        // discard
                    }
                    onMessage.run();
                    say(out, "250 2.0.0 accepted by the dry-run stand-in (nothing was sent)");
                }
                case "BDAT" -> {
                    String[] p = line.split(" ");
                    long n = Long.parseLong(p[1]);
                    for (long i = 0; i < n; i++) {
                        in.read();
                    }
                    if (p.length > 2 && p[2].equalsIgnoreCase("LAST")) {
                        onMessage.run();
                    }
                    say(out, "250 2.0.0 chunk accepted by the dry-run stand-in");
                }
                case "QUIT" -> {
                    say(out, "221 2.0.0 bye");
                    return;
                }
                default -> say(out, "250 2.0.0 ok (dry run)");
            }
        }
    }

    private static void auth(String line, BufferedReader in, OutputStream out) throws IOException {
        String[] p = line.split(" ");
        String mech = p.length > 1 ? p[1].toUpperCase(Locale.ROOT) : "";
        if (mech.equals("LOGIN") && p.length == 2) {
            say(out, "334 VXNlcm5hbWU6");
            in.readLine();
            say(out, "334 UGFzc3dvcmQ6");
            in.readLine();
        } else if (mech.equals("CRAM-MD5")) {
            say(out, "334 " + Base64.getEncoder().encodeToString("<1.1@dry-run.invalid>".getBytes(StandardCharsets.US_ASCII)));
            in.readLine();
        } else if (p.length == 2) {
            say(out, "334 ");
            in.readLine();
        }
        say(out, "235 2.7.0 accepted by the dry-run stand-in");
    }

    private static void say(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // A loopback listener: closing cannot meaningfully fail, and the accept loop ends either way.
        }
    }
}
