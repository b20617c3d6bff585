package dev.postilion.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture server's outbox: a message it cannot store is refused and leaves nothing behind. Its
 * stand-in mode, for --dry-run, accepts everything and keeps nothing.
 */
@Timeout(30)
class CaptureServerTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskLeavesNoPartialFileSoTheNextMessageFits() throws Exception {
        Path outbox = dir.resolve("outbox");
        Disk disk = new Disk(outbox);
        try (CaptureServer server = CaptureServer.start(CaptureServer.Settings.local(outbox), null, disk)) {
            disk.capacity = used(outbox) + 64 * 1024;
            String big = send(server.port(), 100 * 1024);
            assertThat(big).startsWith("4");
            assertThat(temporaryFiles(outbox)).isEmpty();
            String small = send(server.port(), 1024);
            assertThat(small).startsWith("250");
            assertThat(temporaryFiles(outbox)).isEmpty();
            assertThat(messages(outbox)).hasSize(1);
        }
    }

    @Test
    void aClientGoneInTheMiddleOfDataLeavesNoPartialFile() throws Exception {
        Path outbox = dir.resolve("outbox");
        try (CaptureServer server = CaptureServer.start(CaptureServer.Settings.local(outbox), null);
             Socket s = new Socket("127.0.0.1", server.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            reply(in);
            for (String command : List.of("HELO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")) {
                out.write(command + "\r\n");
                out.flush();
                reply(in);
            }
            out.write("Subject: cut short\r\n\r\n" + ("x".repeat(76) + "\r\n").repeat(1000));
            out.flush();
            // The client's half of the connection ends without the final dot; whatever the server
            // answers (or its closing the connection) comes after it has given up on the message.
            s.shutdownOutput();
            String last = reply(in);
            assertThat(last).doesNotStartWith("250");
            assertThat(temporaryFiles(outbox)).isEmpty();
            assertThat(messages(outbox)).isEmpty();
        }
    }

    /**
     * A disk of {@code capacity} octets shared by every file in the outbox: a write past what is
     * free goes to {@code /dev/full}, so the failure is the kernel's own ENOSPC, and whatever a
     * failed message leaves behind takes room from the next one, as on a real disk.
     */
    private static final class Disk implements CaptureServer.Opener {
        private final Path outbox;
        volatile long capacity = Long.MAX_VALUE;

        Disk(Path outbox) {
            this.outbox = outbox;
        }

        @Override
        public OutputStream open(Path file) throws IOException {
            OutputStream real = Files.newOutputStream(file);
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    long free = capacity - used(outbox);
                    int fits = (int) Math.max(0, Math.min(free, len));
                    real.write(b, off, fits);
                    real.flush();
                    if (fits < len) {
                        try (FileOutputStream full = new FileOutputStream("/dev/full")) {
                            full.write(b, off + fits, len - fits);
                        }
                    }
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        }
    }

    /** One message of about {@code size} octets over plain SMTP; returns the reply to the final dot. */
    private static String send(int port, int size) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            reply(in);
            for (String command : List.of("HELO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")) {
                out.write(command + "\r\n");
                out.flush();
                reply(in);
            }
            out.write("Subject: test\r\n\r\n");
            String line = "x".repeat(76) + "\r\n";
            for (int n = 0; n < size; n += line.length()) {
                out.write(line);
            }
            out.write(".\r\n");
            out.flush();
            return reply(in);
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return String.valueOf(line);
    }

    private static long used(Path outbox) {
        try (Stream<Path> files = Files.list(outbox)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> temporaryFiles(Path outbox) throws IOException {
        try (Stream<Path> files = Files.list(outbox)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static List<Path> messages(Path outbox) throws IOException {
        try (Stream<Path> files = Files.list(outbox)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".eml")).toList();
        }
    }

    @Test
    void standInAcceptsEveryCommandOffersEveryExtensionAndKeepsNothing() throws IOException {
        try (CaptureServer standIn = CaptureServer.standIn();
             Socket s = new Socket(standIn.host(), standIn.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).isEqualTo("220 dry-run.invalid ESMTP stand-in for --dry-run");
            assertThat(exchange(out, in, "EHLO me")).containsExactly("250-dry-run.invalid", "250-PIPELINING",
                    "250-8BITMIME", "250-SMTPUTF8", "250-DSN", "250-CHUNKING", "250-ENHANCEDSTATUSCODES",
                    "250-SIZE 0", "250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER");
            assertThat(exchange(out, in, "AUTH CRAM-MD5")).singleElement().asString().startsWith("334 ");
            assertThat(exchange(out, in, "ZGlnZXN0")).containsExactly("235 2.7.0 accepted by the dry-run stand-in");
            assertThat(exchange(out, in, "VRFY bob")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(exchange(out, in, "XANYTHING at all")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(exchange(out, in, "MAIL FROM:<a@example.com> SMTPUTF8")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(exchange(out, in, "RCPT TO:<not an address> NOTIFY=SUCCESS")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(exchange(out, in, "DATA")).containsExactly("354 go ahead");
            assertThat(exchange(out, in, "Subject: x\r\n\r\nbody\r\n.")).containsExactly(
                    "250 2.0.0 accepted by the dry-run stand-in (nothing was sent)");
            assertThat(exchange(out, in, "QUIT")).containsExactly("221 2.0.0 bye");
            assertThat(standIn.messages()).isEqualTo(1);
            assertThat(standIn.outbox()).isNull();
            assertThat(standIn.certificate()).isNull();
        }
    }

    private static List<String> exchange(OutputStream out, BufferedReader in, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<String> reply = new ArrayList<>();
        String l;
        do {
            l = in.readLine();
            reply.add(l);
        } while (l != null && l.length() > 3 && l.charAt(3) == '-');
        return reply;
    }
}
