package dev.postilion.message;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An inline part (usually an image) that the HTML body shows with {@code <img src="cid:...">}.
 *
 * @param path        the file
 * @param cid         the Content-ID without angle brackets, e.g. {@code logo}
 * @param contentType the MIME type, or null to take it from the file name
 */
public record InlineImage(Path path, String cid, String contentType) {

    /** Checks the cid (printable ASCII, no spaces or angle brackets) and the type. */
    public InlineImage {
        Objects.requireNonNull(path, "path");
        String field = "inline " + FieldRules.shown(String.valueOf(path));
        FieldRules.refuseControls(field, "cid", cid);
        if (cid.length() > 2 && cid.startsWith("<") && cid.endsWith(">")) {
            cid = cid.substring(1, cid.length() - 1);
        }
        if (cid.isEmpty()) {
            throw new MessageException(field + ": cid is empty");
        }
        for (int i = 0; i < cid.length(); i++) {
            char c = cid.charAt(i);
            // RFC 2392: a Content-ID is a msg-id, so printable ASCII without specials that break it
            if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') {
                throw new MessageException(field + ": cid " + FieldRules.shown(cid)
                        + " may only contain printable ASCII without spaces, quotes or angle brackets");
            }
        }
        if (contentType != null) {
            contentType = ContentTypes.check(field, contentType);
        }
    }

    /** The file name given in the part's Content-Disposition. */
    public String fileName() {
        return String.valueOf(path.getFileName());
    }
}
