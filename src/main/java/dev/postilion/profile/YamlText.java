package dev.postilion.profile;

import org.yaml.snakeyaml.nodes.Tag;

import java.util.Locale;

/**
 * The text of a profiles file, kept to word YAML errors: a tab in the indentation, a line indented
 * out of the block structure, or a password or token that YAML reads as syntax (one that starts
 * with {@code *}, {@code !} or {@code @} ...), each shown with its line, where every secret value
 * reads {@code ********}. An error near a secret quotes nothing else from the file.
 */
final class YamlText {

    private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile(
            "^\\s*(?:-\\s+)?[\"']?(?i:password|token)[\"']?\\s*:(?=\\s|$)");

    private final String[] lines;

    YamlText(String text) {
        this.lines = text.split("\n", -1);
    }

    /** True when the 1-based line, or the one above it, mentions a password or token. */
    boolean nearSecret(int line) {
        return mentionsSecret(line) || mentionsSecret(line - 1);
    }

    private boolean mentionsSecret(int line) {
        if (line < 1 || line > lines.length) {
            return false;
        }
        String text = lines[line - 1].toLowerCase(Locale.ROOT);
        return text.contains("password") || text.contains("token");
    }

    /**
     * True when the 1-based line holds a secret: a {@code password:} or {@code token:} key with its
     * value, or a line indented under such a key (the value written on the lines below it).
     */
    boolean holdsSecret(int line) {
        if (line < 1 || line > lines.length) {
            return false;
        }
        if (isSecretKey(line)) {
            return true;
        }
        int indent = indent(line);
        for (int k = line - 1; k >= 1; k--) {
            if (!blank(k) && indent(k) < indent) {
                return isSecretKey(k);
            }
        }
        return false;
    }

    private boolean isSecretKey(int line) {
        return SECRET_KEY.matcher(lines[line - 1]).find();
    }

    /**
     * The tab in the indentation of a line, up to {@code line}: the line it is on, or -1. YAML
     * indents with spaces only.
     */
    int tabIndented(int line) {
        for (int k = Math.min(line, lines.length); k >= 1; k--) {
            if (k < line && blank(k)) {
                continue;  // a tab on an empty line or before a comment harms nothing
            }
            String text = lines[k - 1];
            int i = 0;
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                if (text.charAt(i) == '\t') {
                    return k;
                }
                i++;
            }
            if (k < line) {
                return -1;  // only the line itself, or the first line with content above it
            }
        }
        return -1;
    }

    /**
     * True when the value of the secret key on {@code line} is one YAML reads as syntax, not as
     * text: it starts with an indicator ({@code @ % * & ! | > { [ ` ' "}, {@code - }, {@code ? }) or
     * holds {@code ": "} or {@code " #"}. Quoting it is the fix.
     */
    boolean secretNeedsQuotes(int line) {
        if (line < 1 || line > lines.length || !isSecretKey(line)) {
            return false;
        }
        java.util.regex.Matcher m = SECRET_KEY.matcher(lines[line - 1]);
        m.find();
        String value = lines[line - 1].substring(m.end()).strip();
        if (value.isEmpty()) {
            return false;
        }
        char first = value.charAt(0);
        return "@%*&!|>{[`'\"".indexOf(first) >= 0 || value.startsWith("- ") || value.startsWith("? ")
                || value.contains(": ") || value.endsWith(":") || value.contains(" #");
    }

    /**
     * Why {@code line} breaks the block structure, when its indentation is the cause: deeper than
     * the line above, which already has its value, or in line with no key above it; else null.
     */
    String indentation(int line) {
        if (line < 1 || line > lines.length || blank(line)) {
            return null;
        }
        int above = lineAbove(line);
        if (above < 1) {
            return null;
        }
        int indent = indent(line);
        String previous = lines[above - 1].strip();
        boolean opensBlock = previous.endsWith(":") || previous.endsWith("|") || previous.endsWith(">")
                || previous.equals("-") || previous.endsWith("|-") || previous.endsWith(">-");
        if (indent > contentIndent(above) && !opensBlock) {
            return "line " + line + " is indented deeper than line " + above + " above it, whose value is"
                    + " already given; indent it as far as the key it belongs with";
        }
        if (indent < indent(above)) {
            java.util.Set<Integer> levels = new java.util.HashSet<>();
            int least = Integer.MAX_VALUE;
            for (int k = above; k >= 1; k--) {
                if (!blank(k) && indent(k) < least) {
                    least = indent(k);
                    levels.add(least);
                    levels.add(contentIndent(k));
                }
            }
            if (!levels.contains(indent)) {
                return "line " + line + " is in line with no key above it; indent it as far as the key it"
                        + " belongs with";
            }
        }
        return null;
    }

    /**
     * The line as it is shown under an error: numbered, tabs made visible, a secret's value (or a
     * line under a secret key) replaced by {@code ********}, long lines cut.
     */
    String show(int line) {
        if (line < 1 || line > lines.length) {
            return "";
        }
        String text = lines[line - 1].replace("\r", "");
        if (isSecretKey(line)) {
            java.util.regex.Matcher m = SECRET_KEY.matcher(text);
            m.find();
            text = text.substring(0, m.end()) + (text.substring(m.end()).isBlank() ? "" : " ********");
        } else if (holdsSecret(line)) {
            text = text.substring(0, indent(line)) + "********";
        }
        text = text.replace("\t", "<tab>");
        if (text.length() > 120) {
            text = text.substring(0, 117) + "...";
        }
        return "\n    " + line + " | " + text;
    }

    /** The nearest line above {@code line} that is neither blank nor a comment, or -1. */
    int lineAbove(int line) {
        int above = Math.min(line, lines.length + 1) - 1;
        while (above >= 1 && blank(above)) {
            above--;
        }
        return above >= 1 ? above : -1;
    }

    private boolean blank(int line) {
        String text = lines[line - 1].strip();
        return text.isEmpty() || text.startsWith("#");
    }

    private int indent(int line) {
        String text = lines[line - 1];
        int i = 0;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Where a line's content starts: after its indentation and any {@code - } of a list item. */
    private int contentIndent(int line) {
        String text = lines[line - 1];
        int i = indent(line);
        while (i < text.length() && text.charAt(i) == '-' && i + 1 < text.length() && text.charAt(i + 1) == ' ') {
            i++;
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
        }
        return i;
    }

    /** A tag as users write it: {@code !!javax.script.ScriptEngineManager}, {@code !local}. */
    static String tagName(Tag tag) {
        String value = tag.getValue();
        return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
    }

    /** The tag named by SnakeYAML's "Global tag is not allowed: ..." problem text. */
    static String tagName(String uri) {
        return tagName(new Tag(uri));
    }
}
