package dev.postilion.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Between the source reader, the message builders and the connections: a bounded queue of fresh
 * rows, a bounded queue of rows whose message is built, and a bounded set of rows waiting for a
 * retry, so memory holds only what is in flight. Builders take fresh rows; connections take a due
 * retry first, then a built row (while too many retries wait, they take no new rows). The queue
 * knows when everything is over: the source is read, nothing waits and nobody holds a row.
 */
final class WorkQueue {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Work> fresh = new ArrayDeque<>();
    private final ArrayDeque<Work> ready = new ArrayDeque<>();
    private final Condition built = lock.newCondition();
    private final Condition readyNotFull = lock.newCondition();
    private final int readyCapacity;
    private int building;
    private final PriorityQueue<Work> retries = new PriorityQueue<>(Comparator.comparingLong(w -> w.due));
    private final int capacity;
    private final int retryCapacity;
    private final BatchClock clock;
    private boolean inputDone;
    private volatile boolean stopped;
    private int inFlight;

    WorkQueue(int capacity, int readyCapacity, int retryCapacity, BatchClock clock) {
        this.capacity = capacity;
        this.readyCapacity = readyCapacity;
        this.retryCapacity = retryCapacity;
        this.clock = clock;
    }

    /** Adds a fresh row, waiting while the queue is full; false when the batch has stopped. */
    boolean put(Work w) throws InterruptedException {
        lock.lock();
        try {
            while (fresh.size() >= capacity && !stopped) {
                notFull.await();
            }
            if (stopped) {
                return false;
            }
            fresh.add(w);
            built.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The source is exhausted. */
    void inputDone() {
        lock.lock();
        try {
            inputDone = true;
            changed.signalAll();
            built.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out work; {@link #drain()} then returns what was left. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
            notFull.signalAll();
            built.signalAll();
            readyNotFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        return stopped;
    }

    /** A builder's next fresh row, or null when the source is done (or the batch stopped). */
    Work takeFresh() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (stopped) {
                    return null;
                }
                Work w = fresh.poll();
                if (w != null) {
                    building++;
                    if (fresh.size() <= capacity / 2) {
                        notFull.signal();
                    }
                    return w;
                }
                if (inputDone) {
                    return null;
                }
                built.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A builder hands on a row whose message is built; false when the batch has stopped. */
    boolean putReady(Work w) throws InterruptedException {
        lock.lock();
        try {
            while (ready.size() >= readyCapacity && !stopped) {
                readyNotFull.await();
            }
            if (stopped) {
                return false;
            }
            building--;
            ready.add(w);
            changed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A builder finished a row without handing it on (invalid, skipped, nothing left to send). */
    void builtNothing() {
        lock.lock();
        try {
            building--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A connection's next row, or null when the batch is over or stopped. */
    Work take() throws InterruptedException {
        return next(-1);
    }

    /**
     * A row that is ready within {@code patience} nanoseconds of real time (a builder about to
     * hand one on), or null: none came, or the batch is over.
     */
    Work poll(long patience) {
        try {
            return next(Math.max(0, patience));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next row; waits forever when {@code patience} is negative, else up to that long. */
    private Work next(long patience) throws InterruptedException {
        long until = System.nanoTime() + patience;
        lock.lock();
        try {
            while (true) {
                if (stopped) {
                    return null;
                }
                Work retry = retries.peek();
                long now = clock.nanoTime();
                if (retry != null && retry.due - now <= 0) {
                    retries.poll();
                    inFlight++;
                    return retry;
                }
                if (!ready.isEmpty() && retries.size() < retryCapacity) {
                    Work w = ready.poll();
                    inFlight++;
                    readyNotFull.signal();
                    return w;
                }
                if (fresh.isEmpty() && inputDone && building == 0 && ready.isEmpty() && retries.isEmpty()
                        && inFlight == 0) {
                    changed.signalAll();
                    return null;
                }
                if (patience >= 0) {
                    if (fresh.isEmpty() && inputDone && building == 0 && ready.isEmpty()) {
                        return null;  // no new row can come; only retries, which are not due yet
                    }
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    changed.awaitNanos(left);
                    continue;
                }
                if (retry != null) {
                    clock.await(changed, retry.due - now);
                } else {
                    changed.await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Puts a row back to be tried again at {@code due}; call before {@link #done}. */
    void retry(Work w, long due) {
        lock.lock();
        try {
            w.due = due;
            retries.add(w);
            // A waiting worker may need to wait for this retry's time instead of for fresh rows.
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A worker has finished with a row it took. */
    void done() {
        lock.lock();
        try {
            inFlight--;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** After a stop: every row still waiting, fresh or for a retry. */
    List<Work> drain() {
        lock.lock();
        try {
            List<Work> left = new ArrayList<>(fresh);
            left.addAll(ready);
            left.addAll(retries);
            fresh.clear();
            ready.clear();
            retries.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
