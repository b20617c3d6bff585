package dev.postilion.batch;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.postilion.io.InputFile;

/**
 * Opening source files ({@link InputFile#open}: no folders or devices; a pipe is read too): strict
 * UTF-8, the byte order mark dropped, a missing file named. The one home of how every file source
 * words a file it cannot open or read: what went wrong, where, and how to fix it.
 */
final class SourceFiles {

    private SourceFiles() {
    }

    /** An open file: the counting stream under a strict UTF-8 reader positioned after any BOM. */
    record Opened(CountingInput counter, Reader reader, long size) {

        /** How much of the file has been read, 0 to 1, or -1 for a pipe, whose size is unknown. */
        double consumed() {
            return counter.share(size);
        }
    }

    static Opened open(Path file) throws IOException {
        CountingInput counter;
        long size;
        try {
            size = Files.isRegularFile(file) ? Files.size(file) : -1;
            counter = new CountingInput(InputFile.open(file));
        } catch (InputFile.Refused e) {
            if (e.reason() == InputFile.Reason.MISSING) {
                throw SourceException.missing("batch source " + file + " does not exist");
            }
            throw new SourceException("batch source " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SourceException("cannot read batch source " + file + ": " + e.getMessage(), e);
        }
        Reader reader = new InputStreamReader(counter, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        java.io.PushbackReader pushback = new java.io.PushbackReader(new java.io.BufferedReader(reader, 64 * 1024));
        int first;
        try {
            first = pushback.read();
        } catch (IOException e) {
            pushback.close();
            throw readFailure(file, null, e);
        }
        if (first >= 0 && first != '\uFEFF') {
            pushback.unread(first);
        }
        return new Opened(counter, pushback, size);
    }

    /**
     * The message for a read failure, plain about encodings; {@code where} is the place in the file
     * ("line 3", "after row 2"), or null for the file as a whole.
     */
    static SourceException readFailure(Path file, String where, IOException e) {
        if (e instanceof CharacterCodingException) {
            return new SourceException(file + (where == null ? "" : " " + where) + ": not valid UTF-8;"
                    + " save the file as UTF-8 (\"CSV UTF-8\" in spreadsheets)", e);
        }
        return new SourceException("cannot read " + file + (where == null ? "" : " " + where) + ": "
                + e.getMessage(), e);
    }

    /** A problem with a source file's content: the file first, then what is wrong there. */
    static SourceException problem(Path file, String what, Throwable cause) {
        return new SourceException(file + ": " + what, cause);
    }
}
