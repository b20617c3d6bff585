package dev.postilion.message;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file attached to a message. It is read from disk while the message is written, never
 * held in memory.
 *
 * @param path        the file
 * @param contentType the MIME type, or null to take it from the file name
 * @param name        the file name the recipient sees, or null for the file's own name
 */
public record Attachment(Path path, String contentType, String name) {

    /** Checks the type and the name (no line breaks or control characters). */
    public Attachment {
        Objects.requireNonNull(path, "path");
        String field = "attach " + FieldRules.shown(String.valueOf(path));
        if (contentType != null) {
            contentType = ContentTypes.check(field, contentType);
        }
        if (name != null) {
            FieldRules.refuseControls(field, "name", name);
            if (name.isBlank()) {
                throw new MessageException(field + ": name is empty");
            }
        }
    }

    /** The file name the recipient sees. */
    public String fileName() {
        return name != null ? name : String.valueOf(path.getFileName());
    }
}
