package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.server.CaptureServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs the user names are never read without bound: devices and folders are refused, pipes and
 * whole reads stop at their caps, a FIFO nobody writes to does not hang a run, and running out of
 * memory anyway ends with a message and exit 70, never the JVM's 1.
 */
@Timeout(60)
class InputLimitsTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private ChildRun child;

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.process.destroyForcibly();
        }
    }

    private static final String[] SEND = {"send", "--server", "127.0.0.1:9", "--tls", "none", "--from",
            "a@x.test", "--to", "b@y.test"};

    private Cli.Outcome send(String... more) {
        String[] args = java.util.Arrays.copyOf(SEND, SEND.length + more.length);
        System.arraycopy(more, 0, args, SEND.length, more.length);
        return cli.run(args);
    }

    @Test
    void scriptFromDevZeroIsRefused() {
        Cli.Outcome o = cli.run("run", "/dev/zero");
        assertThat(o.code()).isEqualTo(66);
        assertThat(o.err()).isEqualTo("script /dev/zero is a device, not a file (devices such as /dev/zero are"
                + " refused; only /dev/stdin is read)\n");
        Cli.Outcome folder = cli.run("run", dir.toString());
        assertThat(folder.code()).isEqualTo(66);
        assertThat(folder.err()).isEqualTo("script " + dir + " is a folder, not a file\n");
    }

    @Test
    void oversizedScriptIsRefusedNamingTheLimit() throws IOException {
        Path script = sparse("huge.groovy", 17 << 20);
        Cli.Outcome o = cli.run("run", script.toString());
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).isEqualTo("script " + script + " is larger than the 16 MiB limit for scripts\n");
    }

    @Test
    void bodyFromDevZeroIsRefusedNotHung() {
        Cli.Outcome body = send("--body=@/dev/zero");
        assertThat(body.code()).isEqualTo(66);
        assertThat(body.err()).isEqualTo("postilion send: --body @/dev/zero: /dev/zero is a device, not a file"
                + " (devices such as /dev/zero are refused; only /dev/stdin is read)\n");
        Cli.Outcome html = send("--html=@/dev/urandom");
        assertThat(html.code()).isEqualTo(66);
        assertThat(html.err()).startsWith("postilion send: --html @/dev/urandom: /dev/urandom is a device");
    }

    @Test
    void oversizedBodyFileIsRefusedNamingTheLimit() throws IOException {
        Path body = sparse("body.txt", 33 << 20);
        Cli.Outcome o = send("--body=@" + body);
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).isEqualTo("postilion send: --body @" + body + ": " + body
                + " is larger than the 32 MiB limit for --body, --html and standard input\n");
    }

    @Test
    void oversizedStandardInputIsCutWithMessage() {
        cli.stdin = "x".repeat((32 << 20) + 1);
        Cli.Outcome o = send("--data", "-");
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).isEqualTo("postilion send: standard input is larger than the 32 MiB limit for --body,"
                + " --html and standard input\n");
    }

    @Test
    void passwordFileMayBeAPipe() throws Exception {
        Path fifo = fifo("password.fifo");
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write("s3cret-from-a-pipe\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        try (CaptureServer s = CaptureServer.start(CaptureServer.Settings.local(dir.resolve("outbox"))
                .withUser("guyt", "s3cret-from-a-pipe"), null)) {
            Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + s.port(), "--tls", "none", "--auth", "login",
                    "--user", "guyt", "--password-file", fifo.toString(), "--quit-after", "auth");
            assertThat(o.code()).as(o.err()).isZero();
        }
        writer.join();
    }

    @Test
    void profilesFromAPipeAreRead() throws Exception {
        Path fifo = fifo("profiles.fifo");
        try (CaptureServer s = CaptureServer.start(CaptureServer.Settings.local(dir.resolve("outbox")), null)) {
            Thread writer = new Thread(() -> {
                try (OutputStream out = Files.newOutputStream(fifo)) {
                    out.write(("profiles:\n  work:\n    host: 127.0.0.1\n    port: " + s.port() + "\n    tls: none\n"
                            + "    from: a@x.test\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            Cli.Outcome o = cli.run("send", "--profiles", fifo.toString(), "--profile", "work", "--to", "b@y.test");
            assertThat(o.code()).as(o.err()).isZero();
            assertThat(s.messages()).isEqualTo(1);
            writer.join();
        }
    }

    @Test
    void profilesFifoWithoutWriterDoesNotHang() throws Exception {
        Path fifo = fifo("profiles.yaml");
        long start = System.nanoTime();
        Cli.Outcome o = cli.run("send", "--profiles", fifo.toString(), "--profile", "work", "--to", "b@y.test");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
        assertThat(o.code()).isEqualTo(78);
        assertThat(o.err()).contains(fifo + " is a named pipe that no program opened for writing within 10 s");
    }

    @Test
    void outOfMemoryExitsWithSysexitsCode() {
        InputStream exhausted = new InputStream() {
            @Override
            public int read() {
                throw new OutOfMemoryError("Java heap space");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), exhausted, Map.of("HOME", "/nonexistent-home"),
                prompt -> null);
        int code = Main.run(SEND_DATA_FROM_STDIN, io);
        assertThat(code).isEqualTo(70);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("postilion: out of memory: the Java heap (")
                .contains(") is full; give Java more with POSTILION_JAVA_OPTS=-Xmx1g (or more)")
                .doesNotContain("OutOfMemoryError", "\tat ");
    }

    private static final String[] SEND_DATA_FROM_STDIN = {"send", "--server", "127.0.0.1:9", "--tls", "none",
            "--from", "a@x.test", "--to", "b@y.test", "--data", "-"};

    @Test
    void outOfMemoryInAScriptExitsWithSysexitsCode() throws Exception {
        Path script = dir.resolve("hog.groovy");
        Files.writeString(script, "def keep = []\nwhile (true) { keep << new byte[16 << 20] }\n");
        child = ChildRun.start(dir, Map.of(), "run", script.toString());
        assertThat(child.process.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as(child.err()).isEqualTo(70);
        assertThat(child.err()).contains("hog.groovy:2: out of memory: the Java heap (",
                "POSTILION_JAVA_OPTS=-Xmx1g").doesNotContain("\tat ");
    }

    @Test
    void outOfMemoryOnAnotherThreadExitsWithSysexitsCode() throws Exception {
        Path script = dir.resolve("threadhog.groovy");
        Files.writeString(script, "Thread.start { def keep = []; while (true) { keep << new byte[16 << 20] } }.join()\n"
                + "println 'went on as if nothing happened'\n");
        child = ChildRun.start(dir, Map.of(), "run", script.toString());
        assertThat(child.process.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as(child.err()).isEqualTo(70);
        assertThat(child.err()).startsWith("postilion: out of memory: the Java heap (").doesNotContain("\tat ");
        assertThat(child.out()).doesNotContain("went on");
    }

    @Test
    void unclosedCsvQuoteIsDataError() throws Exception {
        Path csv = dir.resolve("people.csv");
        Files.writeString(csv, "email,name\nann@example.com,Ann\nbob@example.com,\"Bob\n");
        try (RandomAccessFile f = new RandomAccessFile(csv.toFile(), "rw")) {
            f.setLength(300L << 20);
        }
        Path script = dir.resolve("bulk.groovy");
        Files.writeString(script, """
                connect '127.0.0.1', port: 25
                ehlo 'client.test'
                batch(csv('people.csv')) { row ->
                    send { from 'sender@example.com'; to row.email; subject 'Hi'; text 'hello' }
                }
                quit
                """);
        child = ChildRun.start(dir, Map.of(), "run", "--dry-run", script.toString());
        assertThat(child.process.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as(child.err()).isEqualTo(65);
        assertThat(child.err()).contains("people.csv: broken CSV quoting at line 3: a quote opened in the record"
                + " there never closes (the record passed the 1 MiB limit for one CSV record)");
    }

    private Path sparse(String name, long size) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    private Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return fifo;
    }
}
