package dev.postilion.batch;

/**
 * Thrown by a batch's message builder for a row that cannot make a message (a bad address, a
 * missing value): the row is reported with its number and skipped, and the batch goes on.
 */
public final class InvalidRowException extends RuntimeException {

    /** {@code message} says what is wrong with the row, without its number. */
    public InvalidRowException(String message) {
        super(message);
    }

    public InvalidRowException(String message, Throwable cause) {
        super(message, cause);
    }
}
