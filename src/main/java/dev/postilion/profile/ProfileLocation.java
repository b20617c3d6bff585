package dev.postilion.profile;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where something was written in a profiles file: the file as it was named and a 1-based line.
 * Its text form is {@code file:line}, the prefix of every profile error.
 */
public record ProfileLocation(Path file, int line) {

    /** Checks that the file is given and the line is 1 or more. */
    public ProfileLocation {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line must be 1 or more: " + line);
        }
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
