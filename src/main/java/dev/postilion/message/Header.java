package dev.postilion.message;

/**
 * One custom header, as the author wrote it. The name is RFC 5322 ftext; the value has no
 * line break or control character (it is encoded and folded when the message is built).
 *
 * @param name  the field name, e.g. {@code X-Campaign}
 * @param value the unfolded value
 */
public record Header(String name, String value) {

    /** Checks the name and the value. */
    public Header {
        FieldRules.headerName(name);
        FieldRules.refuseControls("header " + FieldRules.shown(name), "value", value);
    }
}
