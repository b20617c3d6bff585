package dev.postilion.dsl;

/**
 * Where in a script something happened: the file's name and the line.
 *
 * @param file the script's file name as the user gave it (no directory)
 * @param line 1-based line, or 0 when unknown
 */
public record ScriptLocation(String file, int line) {

    /** The line of the innermost frame of {@code file} on the current thread's stack. */
    public static ScriptLocation current(String file) {
        return of(file, new Throwable().getStackTrace());
    }

    /** The line of the innermost frame of {@code file} in a stack trace. */
    public static ScriptLocation of(String file, StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (file.equals(e.getFileName()) && e.getLineNumber() > 0) {
                return new ScriptLocation(file, e.getLineNumber());
            }
        }
        return new ScriptLocation(file, 0);
    }

    /** {@code weekly.groovy:5}, or the file alone when the line is unknown. */
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
