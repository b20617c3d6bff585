package dev.postilion.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one reader of user-named inputs: what it refuses, how long it waits for a pipe, where it stops. */
@Timeout(30)
class InputFileTest {

    private static final InputFile.Cap SMALL = new InputFile.Cap("tests", 1024);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/dev/zero", "/dev/urandom", "/dev/null"})
    void devicesAreRefusedWithoutReadingThem(String device) {
        assertThatThrownBy(() -> InputFile.readAll(Path.of(device), SMALL))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.NOT_A_FILE))
                .hasMessage(device + " is a device, not a file (devices such as /dev/zero are refused; only"
                        + " /dev/stdin is read)");
        assertThatThrownBy(() -> InputFile.open(Path.of(device))).isInstanceOf(InputFile.Refused.class);
    }

    @Test
    void foldersAreRefused() {
        assertThatThrownBy(() -> InputFile.readText(dir, SMALL))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.NOT_A_FILE))
                .hasMessage(dir + " is a folder, not a file");
    }

    @Test
    void standardInputIsAcceptedWhateverItIs() throws IOException {
        InputFile.check(Path.of("/dev/stdin"));
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.txt");
        assertThatThrownBy(() -> InputFile.readAll(missing, SMALL))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.MISSING))
                .hasMessage(missing + " does not exist");
    }

    @Test
    void aLargeRegularFileIsRefusedBeforeAnythingIsRead() throws IOException {
        Path big = dir.resolve("big.txt");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        assertThatThrownBy(() -> InputFile.readAll(big, new InputFile.Cap("scripts", 16 << 20)))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.TOO_LARGE))
                .hasMessage(big + " is larger than the 16 MiB limit for scripts");
    }

    @Test
    void aFileAtItsCapIsRead() throws IOException {
        Path exact = dir.resolve("exact.txt");
        Files.write(exact, new byte[1024]);
        assertThat(InputFile.readAll(exact, SMALL)).hasSize(1024);
    }

    @Test
    void oversizedPipeIsCutWithMessage() throws Exception {
        Path fifo = fifo("big.fifo");
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[4096];
            Arrays.fill(chunk, (byte) 'x');
            try (OutputStream out = Files.newOutputStream(fifo)) {
                for (int i = 0; i < 100_000; i++) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // The reader stopped at its cap and closed the pipe: "Broken pipe", as intended.
            }
        });
        writer.start();
        assertThatThrownBy(() -> InputFile.readAll(fifo, SMALL))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.TOO_LARGE))
                .hasMessage(fifo + " is larger than the 1 KiB limit for tests");
        writer.join();
        assertThat(written.get()).isLessThan(100_000L * 4096);
    }

    @Test
    void aPipeWithinItsCapIsReadWhole() throws Exception {
        Path fifo = fifo("secret.fifo");
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write("s3cret\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        assertThat(InputFile.readText(fifo, SMALL)).isEqualTo("s3cret\n");
        writer.join();
    }

    @Test
    void aPipeWithoutWriterIsGivenUpAfterTheWait() throws Exception {
        Path fifo = fifo("lonely.fifo");
        long start = System.nanoTime();
        assertThatThrownBy(() -> InputFile.readAll(fifo, SMALL, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.NO_WRITER))
                .hasMessage(fifo + " is a named pipe that no program opened for writing within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void streamedInputOverItsCapIsCutWithMessage() throws IOException {
        byte[] input = new byte[1025];
        assertThatThrownBy(() -> InputFile.readAll(new java.io.ByteArrayInputStream(input), "standard input", SMALL))
                .hasMessage("standard input is larger than the 1 KiB limit for tests");
        assertThat(InputFile.readAll(new java.io.ByteArrayInputStream(new byte[3]), "standard input", SMALL)
                .length).isEqualTo(3);
    }

    @Test
    void textMustBeUtf8() throws IOException {
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xe9});
        assertThatThrownBy(() -> InputFile.readText(latin1, SMALL))
                .isInstanceOfSatisfying(InputFile.Refused.class,
                        e -> assertThat(e.reason()).isEqualTo(InputFile.Reason.NOT_UTF8))
                .hasMessage(latin1 + " is not UTF-8 text (save it as UTF-8)");
        Files.write(latin1, "\uFEFFcafé".getBytes(StandardCharsets.UTF_8));
        assertThat(InputFile.readText(latin1, SMALL)).isEqualTo("café");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            16777216 | 16 MiB
            65536    | 64 KiB
            1572864  | 1.5 MiB
            100      | 100 bytes
            """)
    void capsAreShownAsPeopleWriteThem(long bytes, String shown) {
        assertThat(InputFile.size(bytes)).isEqualTo(shown);
    }

    private Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return fifo;
    }
}
