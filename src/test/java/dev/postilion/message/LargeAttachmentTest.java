package dev.postilion.message;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The large-message check: a 200 MB attachment goes through a JVM limited to a 64 MB
 * heap. Slow (a few seconds, a child JVM) but still run by CI.
 */
@Tag("slow")
class LargeAttachmentTest {

    @TempDir
    Path dir;

    @Test
    void twoHundredMegabyteAttachmentNeedsNoLargeHeap() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(javaBin, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                LargeAttachmentProbe.class.getName(), dir.toString(), "200"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("probe.log").toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        String log = Files.readString(dir.resolve("probe.log"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isZero();
        // base64 of 200 MB is about 270 MB; size and bytes written agree
        assertThat(log).containsPattern("size=(\\d{9}) written=\\1 maxHeapMb=\\d{2}\\b");
        assertThat(new File(dir.toFile(), "big.bin")).doesNotExist();
    }
}
