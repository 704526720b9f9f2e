package dev.millrace.storage.stream;

import java.util.Arrays;

/**
 * Where a stream log's entries are: runs of consecutive entry numbers stored at consecutive Chronicle
 * indexes, in number order (which is also index order). A run never spans two cycle files (indexes
 * are not contiguous across cycles) nor a voided range, so a log has about one run per cycle file
 * plus one per truncation. Not thread-safe.
 *
 * <p>Lookups are binary searches: O(log runs).
 */
final class Runs {
    private long[] firstNumbers = new long[4];
    private long[] firstIndexes = new long[4];
    private long[] counts = new long[4];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The first entry's number; the runs must not be empty. */
    long firstNumber() {
        return firstNumbers[0];
    }

    /** The last entry's number; the runs must not be empty. */
    long lastNumber() {
        return firstNumbers[size - 1] + counts[size - 1] - 1;
    }

    /** The last entry's index; the runs must not be empty. */
    long lastIndex() {
        return firstIndexes[size - 1] + counts[size - 1] - 1;
    }

    long firstIndexOfRun(int run) {
        return firstIndexes[run];
    }

    long lastNumberOfRun(int run) {
        return firstNumbers[run] + counts[run] - 1;
    }

    /** The Chronicle index of entry {@code number}, or -1 when no run holds it. */
    long indexOf(long number) {
        int run = runOf(number);
        return run < 0 ? -1 : firstIndexes[run] + (number - firstNumbers[run]);
    }

    long firstNumberOfRun(int run) {
        return firstNumbers[run];
    }

    /** The run holding {@code number}, or -1. */
    int runOf(long number) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (firstNumbers[mid] <= number) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // hi: the last run starting at or below number.
        return hi >= 0 && number - firstNumbers[hi] < counts[hi] ? hi : -1;
    }

    /** Records entry {@code number} at {@code index} (see the other {@code add}). */
    void add(long number, long index) {
        add(number, index, 1);
    }

    /**
     * Records {@code count} entries from {@code firstNumber} at consecutive indexes from
     * {@code firstIndex}: the last run grows when they follow it in both numbers and indexes, else a
     * run starts. Numbers and indexes must be above those recorded.
     */
    void add(long firstNumber, long firstIndex, long count) {
        if (size > 0) {
            int last = size - 1;
            if (firstNumber == firstNumbers[last] + counts[last] && firstIndex == firstIndexes[last] + counts[last]) {
                counts[last] += count;
                return;
            }
        }
        if (size == firstNumbers.length) {
            firstNumbers = Arrays.copyOf(firstNumbers, size * 2);
            firstIndexes = Arrays.copyOf(firstIndexes, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
        }
        firstNumbers[size] = firstNumber;
        firstIndexes[size] = firstIndex;
        counts[size] = count;
        size++;
    }

    /** Forgets the entries above {@code number}. */
    void truncateAfter(long number) {
        while (size > 0 && firstNumbers[size - 1] > number) {
            size--;
        }
        if (size > 0 && lastNumber() > number) {
            counts[size - 1] = number - firstNumbers[size - 1] + 1;
        }
    }

    /** Forgets the runs from {@code run} on. */
    void truncateRuns(int run) {
        size = Math.min(size, run);
    }
}
