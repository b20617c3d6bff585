package dev.postilion.batch;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * An open source file whose rows are read as they stream in: its progress is the share of its bytes
 * read, its total is counted ahead ({@link RowCount}), and closing it closes the file.
 */
abstract class FileRows implements RowReader {

    private final SourceFiles.Opened opened;
    private final LongSupplier countAhead;

    FileRows(SourceFiles.Opened opened, LongSupplier countAhead) {
        this.opened = opened;
        this.countAhead = countAhead;
    }

    @Override
    public final long total() {
        return countAhead.getAsLong();
    }

    @Override
    public final double consumed() {
        return opened.consumed();
    }

    @Override
    public void close() throws IOException {
        opened.reader().close();
    }
}
