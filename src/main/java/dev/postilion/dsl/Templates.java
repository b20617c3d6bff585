package dev.postilion.dsl;

import dev.postilion.io.InputFile;
import dev.postilion.message.FieldRules;
import dev.postilion.message.MessageException;
import groovy.lang.Binding;
import groovy.lang.GroovyRuntimeException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import groovy.text.SimpleTemplateEngine;
import groovy.text.Template;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.syntax.SyntaxException;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-recipient text from Groovy templates ({@link SimpleTemplateEngine}): {@code ${name}},
 * {@code $name}, {@code <%= expr %>} and {@code <% code %>}, with the row's fields as
 * variables.
 *
 * <p>The template file is trusted operator input, like the script: its {@code <% %>} blocks
 * run as code. The data is not: a row value is inserted as text and never evaluated, so a
 * value {@code ${System.exit(1)}} comes out literally. {@link #renderHtml} also HTML-escapes
 * every string value. A variable the template uses but the row lacks is an error naming the
 * template, its line and the variable. Compiled templates are cached per file (and
 * recompiled when the file changes), so a batch compiles each template once.
 *
 * <p>Template lines come from {@link #lineMap}, which follows SimpleTemplateEngine's translation.
 * Groovy's StreamingTemplateEngine reports lines itself, but miscounts them after a line break
 * inside {@code <% %>}, {@code <%= %>} or <code>${ }</code> (each is counted twice) and names a
 * compile error by its generated code ({@code Unexpected input: 'catch'}, a line late), so it was
 * not taken (issue 15, item 7).
 */
public final class Templates {

    /** The most a template file may hold (it is read whole and compiled). */
    static final InputFile.Cap CAP = new InputFile.Cap("templates", 16 << 20);

    private static final SimpleTemplateEngine ENGINE = new SimpleTemplateEngine(Templates.class.getClassLoader());
    private static final Map<Path, Compiled> CACHE = new ConcurrentHashMap<>();
    private static final AtomicInteger COMPILATIONS = new AtomicInteger();
    private static final Pattern COMPILER_ERROR =
            Pattern.compile("SimpleTemplateScript\\d+\\.groovy: (\\d+): (.*?)(?: @ line \\d+, column \\d+\\.)?$",
                    Pattern.MULTILINE);

    private Templates() {
    }

    /**
     * Renders a text template with the given variables.
     *
     * @throws MessageException naming the template and line: a missing variable, a compile or
     *                          runtime error (65); a missing template file (66)
     */
    public static String render(Path template, Map<String, ?> vars) {
        return run(template, vars == null ? Map.of() : vars);
    }

    /**
     * Renders an HTML template: like {@link #render}, but every string value (also inside
     * maps and lists) is HTML-escaped first, so row data cannot inject markup.
     */
    public static String renderHtml(Path template, Map<String, ?> vars) {
        Map<String, Object> escaped = new LinkedHashMap<>();
        if (vars != null) {
            vars.forEach((k, v) -> escaped.put(k, escapedValue(v, 0)));
        }
        return run(template, escaped);
    }

    /** Escapes {@code & < > " '} for HTML text and attribute values. */
    public static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Object escapedValue(Object v, int depth) {
        if (v instanceof CharSequence s) {
            return escapeHtml(s.toString());
        }
        if (depth > 8) {
            return v;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(k, escapedValue(x, depth + 1)));
            return copy;
        }
        if (v instanceof Collection<?> c) {
            List<Object> copy = new ArrayList<>(c.size());
            for (Object x : c) {
                copy.add(escapedValue(x, depth + 1));
            }
            return copy;
        }
        return v;
    }

    /**
     * The cause of the {@link MessageException} for a variable the template uses and its variables
     * lack: which variable, where ({@code template welcome.txt line 3: }), and the names that were
     * given, so a batch can tell a column missing from the whole source (a script error) from a
     * value missing in one row (an invalid row).
     */
    public static final class MissingVariable extends RuntimeException {
        private final String variable;
        private final String where;
        private final transient java.util.Set<String> given;

        MissingVariable(String variable, String where, Collection<String> given) {
            super(where + "missing variable '" + variable + "'", null, false, false);
            this.variable = variable;
            this.where = where;
            this.given = java.util.Set.copyOf(given.stream().filter(java.util.Objects::nonNull).toList());
        }

        /** The variable's name. */
        public String variable() {
            return variable;
        }

        /** The template and line, as the start of a message: {@code template welcome.txt line 3: }. */
        public String where() {
            return where;
        }

        /** The names of the variables the template was given. */
        public java.util.Set<String> given() {
            return given;
        }
    }

    // ---- running ---------------------------------------------------------------------------

    /** A compiled template, the file state it came from, and its script-to-template line map. */
    private record Compiled(FileTime modified, long size, Template template, int[] lineMap) {
    }

    private static String run(Path template, Map<String, ?> vars) {
        Compiled compiled = compiled(template);
        // a fresh map: the engine binds "out" into it, and the caller's map may be read-only
        Map<String, Object> binding = new LinkedHashMap<>(vars);
        try {
            return compiled.template().make(binding).toString();
        } catch (MissingPropertyException e) {
            int line = templateLine(e, compiled.lineMap());
            Class<?> type = e.getType();
            if (type == null || Binding.class.isAssignableFrom(type) || Script.class.isAssignableFrom(type)) {
                throw new MessageException(where(template, line) + "missing variable '" + e.getProperty()
                        + "'" + known(vars),
                        new MissingVariable(e.getProperty(), where(template, line), vars.keySet()));
            }
            throw new MessageException(where(template, line) + "no property '" + e.getProperty() + "' on "
                    + type.getSimpleName(), e);
        } catch (MessageException e) {
            throw e;
        } catch (RuntimeException e) {
            int line = templateLine(e, compiled.lineMap());
            throw new MessageException(MessageException.Kind.BAD_DATA,
                    where(template, line) + "template error: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    private static String known(Map<String, ?> vars) {
        if (vars.isEmpty()) {
            return " (no variables given)";
        }
        List<String> names = new ArrayList<>(vars.keySet());
        if (names.size() > 20) {
            names = names.subList(0, 20);
            names.add("...");
        }
        return " (variables: " + String.join(", ", names) + ")";
    }

    private static String where(Path template, int line) {
        return "template " + FieldRules.shown(String.valueOf(template)) + (line > 0 ? " line " + line : "") + ": ";
    }

    /** The template line of the innermost template frame in the stack, or 0. */
    private static int templateLine(Throwable e, int[] lineMap) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                String file = frame.getFileName();
                if (file != null && file.startsWith("SimpleTemplateScript") && frame.getLineNumber() > 0) {
                    return toTemplateLine(frame.getLineNumber(), lineMap);
                }
            }
        }
        return 0;
    }

    private static int toTemplateLine(int scriptLine, int[] lineMap) {
        if (scriptLine < lineMap.length) {
            return lineMap[scriptLine];
        }
        return lineMap[lineMap.length - 1];
    }

    // ---- compiling -------------------------------------------------------------------------

    /** How many templates were compiled so far (the cache is working when this stays low). */
    static int compilations() {
        return COMPILATIONS.get();
    }

    private static Compiled compiled(Path template) {
        if (template == null) {
            throw new MessageException("template: no file given (null)");
        }
        Path key = template.toAbsolutePath().normalize();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(key, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new MessageException(MessageException.Kind.MISSING_INPUT, where(template, 0) + "no such file", e);
        } catch (IOException e) {
            throw new MessageException(MessageException.Kind.LOCAL_IO, where(template, 0) + "cannot be read: " + e, e);
        }
        Compiled cached = CACHE.get(key);
        if (cached != null && cached.modified().equals(attributes.lastModifiedTime())
                && cached.size() == attributes.size()) {
            return cached;
        }
        String source;
        try {
            source = InputFile.readText(key, CAP);
        } catch (InputFile.Refused e) {
            throw switch (e.reason()) {
                case NOT_UTF8 -> new MessageException(where(template, 0) + "is not UTF-8 text", e);
                case TOO_LARGE -> new MessageException(where(template, 0) + "is larger than the " + CAP.shown()
                        + " limit for " + CAP.kind(), e);
                case MISSING -> new MessageException(MessageException.Kind.MISSING_INPUT, where(template, 0)
                        + "no such file", e);
                case NOT_A_FILE, NO_WRITER -> new MessageException(MessageException.Kind.MISSING_INPUT,
                        where(template, 0) + e.getMessage(), e);
                case UNREADABLE -> new MessageException(MessageException.Kind.LOCAL_IO, where(template, 0)
                        + e.getMessage(), e);
            };
        }
        String prepared = oneStatementPerLine(source);
        int[] lineMap = lineMap(prepared);
        Template compiledTemplate;
        try {
            synchronized (ENGINE) {
                compiledTemplate = ENGINE.createTemplate(new StringReader(prepared));
            }
        } catch (GroovyRuntimeException e) {
            throw compileError(template, e, lineMap);
        } catch (IOException e) {
            throw new MessageException(where(template, 0) + "cannot be compiled: " + e.getMessage(), e);
        }
        COMPILATIONS.incrementAndGet();
        Compiled fresh = new Compiled(attributes.lastModifiedTime(), attributes.size(), compiledTemplate, lineMap);
        CACHE.put(key, fresh);
        return fresh;
    }

    private static MessageException compileError(Path template, GroovyRuntimeException e, int[] lineMap) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MultipleCompilationErrorsException multiple
                    && multiple.getErrorCollector().getSyntaxError(0) != null) {
                SyntaxException s = multiple.getErrorCollector().getSyntaxError(0);
                return new MessageException(where(template, toTemplateLine(s.getLine(), lineMap))
                        + "does not compile: " + s.getOriginalMessage(), e);
            }
        }
        // the engine wraps the compiler's error into its message only: read the first one back
        String text = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = COMPILER_ERROR.matcher(text);
        if (m.find()) {
            return new MessageException(where(template, toTemplateLine(Integer.parseInt(m.group(1)), lineMap))
                    + "does not compile: " + m.group(2).trim(), e);
        }
        return new MessageException(where(template, 0) + "does not compile: "
                + text.lines().findFirst().orElse(e.getClass().getSimpleName()), e);
    }

    /**
     * The template with an empty {@code <%%>} after each line end of its text, which changes
     * nothing in the output but makes the engine start a new statement for each line, so a
     * runtime error's stack frame gives the template line (a multi-line text run would
     * otherwise be one statement, reported at its first line).
     */
    static String oneStatementPerLine(String source) {
        StringBuilder out = new StringBuilder(source.length() + source.length() / 16);
        int i = 0;
        int n = source.length();
        while (i < n) {
            int end = regionEnd(source, i);
            if (end > i) {
                out.append(source, i, end);
                i = end;
                continue;
            }
            out.append(source.charAt(i));
            if (isLineEnd(source, i)) {
                out.append("<%%>");
            }
            i++;
        }
        return out.toString();
    }

    /**
     * When a code region ({@code <% %>}, {@code <%= %>} or {@code ${ }}) starts at {@code i},
     * the index just after it, as the engine finds it; otherwise {@code i}.
     */
    private static int regionEnd(String s, int i) {
        int n = s.length();
        if (s.startsWith("<%", i)) {
            int close = s.indexOf("%>", i + 2);
            return close < 0 ? n : close + 2;
        }
        if (s.startsWith("${", i)) {
            int close = s.indexOf('}', i + 2);
            return close < 0 ? n : close + 1;
        }
        return i;
    }

    /**
     * For each line of the script SimpleTemplateEngine generates, the template line it came
     * from. This follows the engine's translation: a newline in text or in a {@code <% %>}
     * block is kept, newlines inside {@code ${}} and {@code <%= %>} are dropped, and each
     * {@code <% %>} block adds one line after itself.
     */
    static int[] lineMap(String source) {
        List<Integer> map = new ArrayList<>();
        map.add(1); // index 0 unused: script lines count from 1
        map.add(1);
        int templateLine = 1;
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '<' && i + 1 < n && source.charAt(i + 1) == '%') {
                boolean expression = i + 2 < n && source.charAt(i + 2) == '=';
                int j = i + (expression ? 3 : 2);
                while (j < n && !(source.charAt(j) == '%' && j + 1 < n && source.charAt(j + 1) == '>')) {
                    if (isLineEnd(source, j)) {
                        templateLine++;
                        if (!expression) {
                            map.add(templateLine);
                        }
                    }
                    j++;
                }
                if (!expression) {
                    map.add(templateLine); // the engine's ";\nout.print(" after a section
                }
                i = Math.min(n, j + 2);
                continue;
            }
            if (c == '$' && i + 1 < n && source.charAt(i + 1) == '{') {
                int j = i + 2;
                while (j < n && source.charAt(j) != '}') {
                    if (isLineEnd(source, j)) {
                        templateLine++;
                    }
                    j++;
                }
                i = Math.min(n, j + 1);
                continue;
            }
            if (isLineEnd(source, i)) {
                templateLine++;
                map.add(templateLine);
            }
            i++;
        }
        int[] result = new int[map.size()];
        for (int k = 0; k < result.length; k++) {
            result[k] = map.get(k);
        }
        return result;
    }

    /** True at a line end: LF, or a CR not followed by LF (a CRLF counts at its LF). */
    private static boolean isLineEnd(String s, int i) {
        char c = s.charAt(i);
        return c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'));
    }
}
