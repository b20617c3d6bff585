package dev.postilion.io;

/**
 * What to say when the Java heap ran out (exit 70): its size, and how to give Java more. The text
 * is built when the class loads, early in a run, since building text after the heap is full may
 * itself fail.
 */
public final class OutOfMemory {

    /** {@code out of memory: the Java heap (256 MiB) is full; give Java more with ...}. */
    public static final String MESSAGE = "out of memory: the Java heap ("
            + InputFile.size(Runtime.getRuntime().maxMemory()) + ") is full; give Java more with"
            + " POSTILION_JAVA_OPTS=-Xmx1g (or more)";

    private OutOfMemory() {
    }
}
