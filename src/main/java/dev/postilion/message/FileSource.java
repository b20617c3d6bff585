package dev.postilion.message;

import jakarta.activation.DataSource;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A file as a Jakarta Activation data source, opened afresh each time the message is
 * written. Read failures become {@link MessageException}s naming the file, so they are never
 * mistaken for a failure of the stream being written to.
 */
final class FileSource implements DataSource {

    private final Path path;
    private final String contentType;
    private final String name;
    private final String label;

    FileSource(Path path, String contentType, String name, String label) {
        this.path = path;
        this.contentType = contentType;
        this.name = name;
        this.label = label;
    }

    @Override
    public InputStream getInputStream() {
        try {
            return new Guarded(Files.newInputStream(path));
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private MessageException failure(IOException e) {
        if (e instanceof NoSuchFileException) {
            return new MessageException(MessageException.Kind.MISSING_INPUT, label + ": no such file", e);
        }
        return new MessageException(MessageException.Kind.LOCAL_IO, label + ": cannot be read: " + e, e);
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        throw new IOException(label + ": read only");
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    @Override
    public String getName() {
        return name;
    }

    /** Turns read failures into MessageExceptions. */
    private final class Guarded extends FilterInputStream {

        Guarded(InputStream in) {
            super(in);
        }

        @Override
        public int read() {
            try {
                return in.read();
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw failure(e);
            }
        }
    }
}
