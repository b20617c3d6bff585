package dev.postilion.message;

import jakarta.activation.FileTypeMap;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParseException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** MIME types: checking a user's override, and guessing one from a file name. */
final class ContentTypes {

    static final String OCTET_STREAM = "application/octet-stream";

    /** Common types first, so the guess is the same on every machine. */
    private static final Map<String, String> KNOWN = Map.ofEntries(
            Map.entry("pdf", "application/pdf"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/vnd.microsoft.icon"),
            Map.entry("txt", "text/plain"),
            Map.entry("log", "text/plain"),
            Map.entry("csv", "text/csv"),
            Map.entry("html", "text/html"),
            Map.entry("htm", "text/html"),
            Map.entry("ics", "text/calendar"),
            Map.entry("json", "application/json"),
            Map.entry("xml", "application/xml"),
            Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"),
            Map.entry("doc", "application/msword"),
            Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            Map.entry("xls", "application/vnd.ms-excel"),
            Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            Map.entry("odt", "application/vnd.oasis.opendocument.text"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("mp4", "video/mp4"));

    private ContentTypes() {
    }

    /**
     * Checks a user-given type such as {@code text/csv; charset=UTF-8}: no control characters,
     * ASCII, and {@code type/subtype} syntax.
     */
    static String check(String field, String type) {
        FieldRules.refuseControls(field, "content type", type);
        String trimmed = type.trim();
        if (!FieldRules.isAscii(trimmed)) {
            throw new MessageException(field + ": content type " + FieldRules.shown(type) + " must be ASCII");
        }
        try {
            ContentType parsed = new ContentType(trimmed);
            if (parsed.getPrimaryType().isEmpty() || parsed.getSubType() == null || parsed.getSubType().isEmpty()) {
                throw new ParseException("no subtype");
            }
            if (parsed.match("multipart/*") || parsed.match("message/*")) {
                // RFC 2046 5.2.1: message/* may not be base64-encoded, so a file of that type
                // would go out unencoded, long lines and all
                throw new MessageException(field + ": content type " + FieldRules.shown(type)
                        + " cannot be used for a file; use application/octet-stream");
            }
        } catch (ParseException e) {
            throw new MessageException(field + ": content type " + FieldRules.shown(type)
                    + " is not of the form type/subtype");
        }
        return trimmed;
    }

    /**
     * The type for a file name: the table above, then the platform's guess
     * ({@link Files#probeContentType}), then the activation framework's, then
     * {@code application/octet-stream}.
     */
    static String forFile(Path path, String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        if (dot >= 0) {
            String known = KNOWN.get(lower.substring(dot + 1));
            if (known != null) {
                return known;
            }
        }
        String probed = null;
        try {
            probed = Files.probeContentType(Path.of(fileName.isEmpty() ? "x" : fileName).getFileName());
        } catch (Exception e) {
            // an unusable name for the platform: fall through to the activation guess
        }
        if (probed == null || probed.isBlank()) {
            probed = FileTypeMap.getDefaultFileTypeMap().getContentType(fileName);
        }
        if (probed == null || probed.isBlank() || !FieldRules.isAscii(probed)) {
            return OCTET_STREAM;
        }
        try {
            return check("file " + FieldRules.shown(String.valueOf(path)), probed);
        } catch (MessageException e) {
            return OCTET_STREAM;
        }
    }
}
