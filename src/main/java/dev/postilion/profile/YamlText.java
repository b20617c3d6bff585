package dev.postilion.profile;

import org.yaml.snakeyaml.nodes.Tag;

import java.util.Locale;

/**
 * The text of a profiles file, kept to word YAML errors: an error on or just below a {@code
 * password:} or {@code token:} line is worded without quoting anything from the file, since a
 * literal secret that starts with {@code *}, {@code !} or {@code &} is also YAML syntax.
 */
final class YamlText {

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
