package dev.millrace.engine.types;

import dev.millrace.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The set a SUNION, SDIFF or SINTER builds before replying or storing it, in memory, following the
 * encoding rules of Redis's temporary result set: it starts as an intset and becomes a hashtable for
 * good once a member is not an integer or it holds more than {@code maxIntsetEntries} members. That
 * decides what Redis shows: an intset replies its members in ascending numeric order and is stored
 * as an intset, a hashtable in no particular order.
 *
 * <p>Adding and removing are O(1) in the hashtable form and O(n) (n at most the intset limit) in the
 * intset form. Not thread-safe.
 */
public final class SetResult {
    private final long maxIntsetEntries;
    /** The intset form: {@code intCount} sorted distinct values; null once a hashtable. */
    private long[] ints = new long[8];
    private int intCount;
    private Set<ByteBuffer> members;

    /** @param maxIntsetEntries set-max-intset-entries, capped as Redis caps it (see {@link SetValue#intsetLimit}) */
    public SetResult(long maxIntsetEntries) {
        this.maxIntsetEntries = maxIntsetEntries;
    }

    public boolean isIntSet() {
        return members == null;
    }

    public long size() {
        return members == null ? intCount : members.size();
    }

    /** @return whether the member was new */
    public boolean add(byte[] member) {
        if (members != null) {
            return members.add(ByteBuffer.wrap(member));
        }
        Long value = Numbers.parseLong(member);
        if (value == null) {
            toHashtable();
            return members.add(ByteBuffer.wrap(member));
        }
        int at = Arrays.binarySearch(ints, 0, intCount, value);
        if (at >= 0) {
            return false;
        }
        at = -at - 1;
        if (intCount == ints.length) {
            ints = Arrays.copyOf(ints, intCount * 2);
        }
        System.arraycopy(ints, at, ints, at + 1, intCount - at);
        ints[at] = value;
        intCount++;
        if (intCount > maxIntsetEntries) {
            toHashtable();
        }
        return true;
    }

    /** @return whether the member was there */
    public boolean remove(byte[] member) {
        if (members != null) {
            return members.remove(ByteBuffer.wrap(member));
        }
        Long value = Numbers.parseLong(member);
        int at = value == null ? -1 : Arrays.binarySearch(ints, 0, intCount, value);
        if (at < 0) {
            return false;
        }
        System.arraycopy(ints, at + 1, ints, at, intCount - at - 1);
        intCount--;
        return true;
    }

    /** Visits every member: ascending numeric order for an intset, no particular order for a hashtable. */
    public void forEach(Consumer<byte[]> visitor) {
        if (members == null) {
            for (int i = 0; i < intCount; i++) {
                visitor.accept(Numbers.format(ints[i]));
            }
        } else {
            for (ByteBuffer member : members) {
                visitor.accept(member.array());
            }
        }
    }

    /** The intset form's encoding; only while {@link #isIntSet()}. */
    public byte[] toIntSet() {
        if (members != null) {
            throw new IllegalStateException("a hashtable result has no intset form");
        }
        return IntSet.of(ints, intCount);
    }

    private void toHashtable() {
        members = new HashSet<>(Math.max(16, intCount * 2));
        for (int i = 0; i < intCount; i++) {
            members.add(ByteBuffer.wrap(Numbers.format(ints[i])));
        }
        ints = null;
        intCount = 0;
    }
}
