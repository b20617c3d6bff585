package dev.postilion.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postilion.batch.Row;
import dev.postilion.batch.RowReader;
import dev.postilion.batch.RowSource;
import dev.postilion.message.MessageException;
import dev.postilion.message.MessageSpec;
import dev.postilion.message.MimeAssembler;
import dev.postilion.message.OutgoingMessage;
import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileException;
import dev.postilion.profile.ProfileFile;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.CommandWriter;
import dev.postilion.smtp.DotStuffingOutputStream;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.ReplyReader;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpStage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz targets for everything that reads hostile input (reply parser, profiles file, JSON Lines rows) or must never
 * let it through (command and header validators, the DATA stream). Under {@code mvn verify} they replay
 * the committed inputs in src/test/resources/dev/postilion/fuzz/ParserFuzzTestInputs; with
 * {@code JAZZER_FUZZ=1} (scripts/fuzz) they fuzz.
 */
class ParserFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void replyReaderEitherParsesOrRefusesCleanly(byte[] input) throws IOException {
        ReplyReader reader = new ReplyReader(new ByteArrayInputStream(input));
        for (int i = 0; i < 1000; i++) {
            Reply r;
            try {
                r = reader.read();
            } catch (EOFException | ReplyReader.MalformedReplyException | ReplyReader.TlsRecordException expected) {
                return;  // a TLS record where a reply should begin is refused by name (issue 13.10)
            }
            assertThat(r.code()).isBetween(200, 599);
            assertThat(r.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(ReplyReader.MAX_LINES);
            for (String line : r.lines()) {
                assertThat(line).startsWith(String.valueOf(r.code())).doesNotContain("\r", "\n", "\0");
            }
        }
    }

    @FuzzTest(maxDuration = "15s")
    void commandWriterNeverPutsALineBreakOnTheWire(FuzzedDataProvider data) {
        String line = data.consumeRemainingAsString();
        byte[] wire;
        try {
            wire = CommandWriter.encode("RCPT TO:<" + line + ">", data.consumeBoolean(), SmtpStage.RCPT);
        } catch (SmtpException refused) {
            assertThat(refused.kind()).isEqualTo(SmtpException.Kind.INPUT);
            return;
        }
        for (int i = 0; i < wire.length - 2; i++) {
            assertThat(wire[i]).isNotIn((byte) '\r', (byte) '\n', (byte) 0);
        }
        assertThat(wire[wire.length - 2]).isEqualTo((byte) '\r');
        assertThat(wire[wire.length - 1]).isEqualTo((byte) '\n');
    }

    @FuzzTest(maxDuration = "15s")
    void dataStreamCarriesOnlyCrlfAndOneTerminator(byte[] message) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        DotStuffingOutputStream out = new DotStuffingOutputStream(wire);
        out.write(message);
        out.finish();
        byte[] w = wire.toByteArray();
        String text = new String(w, StandardCharsets.ISO_8859_1);
        boolean empty = true;
        for (byte b : message) {
            // NUL is dropped in DATA, so a message of NULs alone is as empty as no message.
            empty &= b == 0;
        }
        if (empty) {
            assertThat(text).isEqualTo(".\r\n");
            return;
        }
        assertThat(text).endsWith("\r\n.\r\n");
        for (int i = 0; i < w.length; i++) {
            if (w[i] == '\r') {
                assertThat(i + 1 < w.length && w[i + 1] == '\n').as("bare CR at %d", i).isTrue();
            }
            if (w[i] == '\n') {
                assertThat(i > 0 && w[i - 1] == '\r').as("bare LF at %d", i).isTrue();
            }
        }
        // Exactly one end-of-data: no line other than the last is a lone dot.
        String body = text.substring(0, text.length() - 3);
        assertThat(("\r\n" + body).contains("\r\n.\r\n")).isFalse();
    }

    @FuzzTest(maxDuration = "15s")
    void headerValuesNeverInjectAHeader(FuzzedDataProvider data) throws IOException {
        String value = data.consumeString(200);
        String name = "X-" + data.consumeAsciiString(20);
        MessageSpec spec = new MessageSpec().from("a@example.com").to("b@example.com").text("body");
        try {
            spec.subject(value);
            spec.header(name, value);
        } catch (MessageException refused) {
            return;
        }
        OutgoingMessage m;
        try {
            m = new MimeAssembler().assemble(spec);
        } catch (MessageException refused) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        String headers = out.toString(StandardCharsets.UTF_8).split("\r\n\r\n", 2)[0];
        for (String line : headers.split("\r\n")) {
            boolean folded = line.startsWith(" ") || line.startsWith("\t");
            assertThat(folded || line.matches("(Date|From|To|Message-ID|Subject|MIME-Version|Content-Type"
                    + "|Content-Transfer-Encoding|" + java.util.regex.Pattern.quote(name) + "): .*"))
                    .as("unexpected header line %s", line).isTrue();
        }
    }

    @TempDir
    static Path jsonLinesDir;

    /**
     * A JSON Lines source (Jackson underneath, Postilion's wording of its complaints on top) reads every
     * line as a row or as an invalid row that names the line and column; nothing else escapes.
     */
    @FuzzTest(maxDuration = "15s")
    void jsonLinesRowsAreReadOrRefusedByLineAndColumn(FuzzedDataProvider data) throws IOException {
        Path file = jsonLinesDir.resolve("rows.jsonl");
        Files.writeString(file, data.consumeRemainingAsString());
        try (RowReader rows = RowSource.jsonLines(file).open()) {
            for (Row row = rows.next(); row != null; row = rows.next()) {
                if (row.problem() != null) {
                    assertThat(row.problem()).matches("(?s)line \\d+ is (not a JSON object: (column \\d+: expected .+, found .+"
                            + "|nested deeper than 32 levels|key \".*\" appears twice)|longer than \\d+ characters)"
                            + "|(CR|LF|NUL) in '.*' \\(line breaks are refused in batch data\\)");
                }
            }
        }
    }

    @TempDir
    static Path profilesDir;

    /**
     * FUZ-04: whatever the profiles file holds, loading it and resolving every profile either works
     * or is a {@link ProfileException} (exit 78, or 66) with a message; never a StackOverflowError,
     * an OutOfMemoryError or any other exception (YML-01 to YML-05 are committed inputs). Secrets
     * are never revealed here, so no command in the input ever runs.
     */
    @FuzzTest(maxDuration = "15s")
    void profileLoaderOnlyEverRefusesWithAConfigError(byte[] yaml) throws IOException {
        Path file = profilesDir.resolve("profiles.yaml");
        Files.write(file, yaml);
        // Owner-only, like a real profiles file: a literal secret is then allowed, not refused.
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try {
            ProfileFile profiles = new ProfileLoader(Map.of("HOME", profilesDir.toString())).load(file);
            for (String name : profiles.names()) {
                Profile p;
                try {
                    p = profiles.get(name);
                } catch (ProfileException refused) {
                    assertRefusedCleanly(refused);
                    continue;
                }
                assertThat(p.host()).isNotBlank();
                assertThat(p.port()).isBetween(1, 65535);
                assertThat(String.valueOf(p.password()) + p.token()).doesNotContain("\r", "\n");
            }
        } catch (ProfileException refused) {
            assertRefusedCleanly(refused);
        }
    }

    private static void assertRefusedCleanly(ProfileException refused) {
        assertThat(refused.kind()).isIn(ProfileException.Kind.CONFIG, ProfileException.Kind.NOINPUT);
        assertThat(refused.getMessage()).isNotBlank();
    }
}
