package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FUZ-05: the reply parser against a shared corpus with the decisions of Postfix's and msmtp's
 * parsers beside ours ({@code reply-corpus.txt}). Ours must be what the corpus says, and every
 * entry where ours differs from either of theirs must say why.
 */
class ReplyCorpusTest {

    /** One corpus line. */
    record Entry(String row, String name, byte[] wire, String ours, String postfix, String msmtp, String note) {
        @Override
        public String toString() {
            return row + " " + name;
        }
    }

    static List<Entry> corpus() throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = ReplyCorpusTest.class.getResourceAsStream("reply-corpus.txt")) {
            assertThat(in).as("reply-corpus.txt").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\\|", -1);
                assertThat(f).as(line).hasSize(7);
                entries.add(new Entry(f[0].trim(), f[1].trim(), wire(f[2].trim()), f[3].trim(), f[4].trim(),
                        f[5].trim(), f[6].trim()));
            }
        }
        return entries;
    }

    private static final Pattern REPEAT = Pattern.compile("\\{(.*?)\\*(\\d+)}");

    /** Decodes the corpus's wire notation: \r \n \t \0 \e \xHH and {TEXT*N}. */
    static byte[] wire(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(expanded, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(expanded);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String s = expanded.toString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case 'e' -> out.write(0x1b);
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + text);
            }
        }
        return out.toByteArray();
    }

    /** What ReplyReader decides about the whole stream: the first reply's code, or reject. */
    static String decide(byte[] wire) throws IOException {
        try {
            return "accept " + new ReplyReader(new ByteArrayInputStream(wire)).read().code();
        } catch (ReplyReader.MalformedReplyException | EOFException e) {
            return "reject";
        }
    }

    /** "accept 250 flagged" and "accept 250" are the same decision. */
    private static String decision(String s) {
        return s.replace(" flagged", "");
    }

    static Stream<Entry> entries() throws IOException {
        return corpus().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    @DisplayName("FUZ-05: our decision is the corpus's; a difference from Postfix or msmtp is explained")
    void ourDecisionIsTheCorpussAndDifferencesAreExplained(Entry e) throws IOException {
        assertThat(decide(e.wire())).as("ours").isEqualTo(e.ours());
        boolean differs = !decision(e.ours()).equals(decision(e.postfix())) || !e.ours().equals(e.msmtp());
        if (differs) {
            assertThat(e.note()).as("why ours differs from Postfix (%s) or msmtp (%s)", e.postfix(), e.msmtp())
                    .isNotBlank();
        }
        assertThat(List.of(e.ours(), e.postfix(), e.msmtp()))
                .allMatch(d -> d.matches("reject|accept \\d{1,3}( flagged)?"));
    }

    @Test
    @DisplayName("FUZ-05: the corpus covers RPL-04 to RPL-12")
    void theCorpusCoversTheMalformedReplyRows() throws IOException {
        assertThat(corpus()).extracting(Entry::row).contains("RPL-04", "RPL-05", "RPL-06", "RPL-07", "RPL-08",
                "RPL-09", "RPL-11", "RPL-12");
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(30);
    }
}
