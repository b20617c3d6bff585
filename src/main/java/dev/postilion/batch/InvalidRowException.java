package dev.postilion.batch;

/**
 * Thrown by a batch's message builder for a row that cannot make a message (a bad address, a
 * missing value): the row is reported with its number and skipped, and the batch goes on.
 */
public final class InvalidRowException extends RuntimeException {

    private final String where;

    /** {@code message} says what is wrong with the row, without its number. */
    public InvalidRowException(String message) {
        this(null, message, null);
    }

    /**
     * A row problem found at {@code where} (a script line such as {@code bulk.groovy:6}), which
     * then replaces the batch's origin in the problem line.
     */
    public InvalidRowException(String where, String message, Throwable cause) {
        super(message, cause);
        this.where = where;
    }

    /** Where the problem was found, or null. */
    public String where() {
        return where;
    }
}
