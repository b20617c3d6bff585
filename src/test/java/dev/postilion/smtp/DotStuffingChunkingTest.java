package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SMG-05: the bulk write path gives the same wire bytes as byte-by-byte writes, however the data is cut. */
class DotStuffingChunkingTest {

    private static final byte[] ALPHABET = {'a', 'b', '.', '.', '\r', '\n', '\r', '\n', 0, (byte) 0xff, ' '};

    private static byte[] wire(byte[] in, Random cuts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream s = new DotStuffingOutputStream(out);
        int i = 0;
        while (i < in.length) {
            if (cuts == null) {
                s.write(in[i++]);
                continue;
            }
            int n = Math.min(in.length - i, 1 + cuts.nextInt(12));
            s.write(in, i, n);
            i += n;
        }
        s.finish();
        assertThat(s.bytesOut()).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void bulkWritesEqualByteWritesForRandomContentAndCuts() throws IOException {
        Random random = new Random(20_251_129L);
        for (int round = 0; round < 5_000; round++) {
            byte[] in = new byte[random.nextInt(60)];
            for (int i = 0; i < in.length; i++) {
                in[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            byte[] expected = wire(in, null);
            assertThat(wire(in, random)).as("round %d", round).isEqualTo(expected);
            String w = new String(expected, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(w.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
            boolean onlyNul = true;
            for (byte b : in) {
                onlyNul &= b == 0;
            }
            if (!onlyNul) {
                // (NUL is dropped in DATA, so a message of NULs alone is empty: just ".")
                assertThat(w).endsWith("\r\n.\r\n");
                assertThat(w.indexOf("\r\n.\r\n")).isEqualTo(w.length() - 5);
            }
        }
    }
}
