package dev.postilion.batch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A journal file on a disk that runs out of space: the first {@code room} bytes written reach the
 * real file; every write after that goes to {@code /dev/full}, so the failure is the kernel's own
 * ENOSPC ("No space left on device"), and a line that straddles the limit is torn, as on a real
 * full disk. Everything else (reads, locks, force, truncate) is the real file's.
 */
final class FullDisk extends FileChannel {

    private final FileChannel file;
    private final FileChannel full;
    private long room;

    private FullDisk(FileChannel file, FileChannel full, long room) {
        this.file = file;
        this.full = full;
        this.room = room;
    }

    /** An opener whose file holds {@code room} more bytes than it has when opened, then is full. */
    static Journal.Opener after(long room) {
        return path -> {
            FileChannel file = Journal.Opener.FILE.open(path);
            return new FullDisk(file, FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE), room);
        };
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        if (room <= 0) {
            return full.write(src);
        }
        int n = (int) Math.min(room, src.remaining());
        ByteBuffer part = src.slice();
        part.limit(n);
        int written = file.write(part);
        src.position(src.position() + written);
        room -= written;
        return written;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        throw new UnsupportedOperationException("the journal only appends");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return file.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return file.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        file.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        file.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("the journal only appends");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new UnsupportedOperationException("the journal is not mapped");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        try {
            full.close();
        } finally {
            file.close();
        }
    }
}
