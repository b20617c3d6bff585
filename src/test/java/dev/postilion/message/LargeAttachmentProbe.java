package dev.postilion.message;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM with a small heap by {@link LargeAttachmentTest}: builds a message with a
 * large sparse attachment, counts its size, writes it to a counting sink, prints the numbers.
 */
public final class LargeAttachmentProbe {

    private LargeAttachmentProbe() {
    }

    /** Arguments: a directory and the attachment size in MB. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]) * 1024 * 1024;
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(bytes);
        }
        OutgoingMessage m = new MimeAssembler().assemble(new MessageSpec()
                .from("a@example.com").to("b@example.org").subject("big").text("see attached").attach(big));
        long size = m.size();
        long[] written = {0};
        m.writeTo(new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written[0] += len;
            }
        });
        Files.delete(big);
        System.out.println("size=" + size + " written=" + written[0] + " maxHeapMb="
                + Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
}
