package dev.millrace.engine.notify;

import java.util.Arrays;

/**
 * What a command's writes announce for each key they touch: the events of a key the write left a
 * value under ({@link #stored}) and of a key it removed ({@link #deleted}), each in Redis's order. A
 * key that did not exist before a store is also announced as {@link KeyEvent#NEW} first. For RENAME
 * and MOVE the source is "deleted" and the target "stored" (rename_from, then rename_to).
 *
 * <p>Most commands announce the same for every key and are described in {@code events.table}; a
 * handler whose events depend on its arguments or differ per key states them through
 * {@code Call.announce} before the writes they describe. Immutable.
 */
public final class Announcement {
    private static final KeyEvent[] NOTHING = new KeyEvent[0];

    /** A write that announces nothing (XACK, XREADGROUP without a new consumer, ...). */
    public static final Announcement NONE = new Announcement(NOTHING, NOTHING);

    private final KeyEvent[] stored;
    private final KeyEvent[] deleted;

    private Announcement(KeyEvent[] stored, KeyEvent[] deleted) {
        this.stored = stored;
        this.deleted = deleted;
    }

    /** Stores announce {@code stored}, removals {@code deleted}. */
    public static Announcement of(KeyEvent[] stored, KeyEvent[] deleted) {
        return new Announcement(stored.clone(), deleted.clone());
    }

    /**
     * A change to a key's value that may leave it empty (LPOP, SREM, HDEL ...): the event, then
     * {@code del} when the key went away.
     */
    public static Announcement change(KeyEvent event) {
        return new Announcement(new KeyEvent[]{event}, new KeyEvent[]{event, KeyEvent.DEL});
    }

    /**
     * A write that replaces a key's value (the *STORE commands, SET with a TTL, EXPIRE): its events,
     * or only {@code del} when it removed the key instead.
     */
    public static Announcement replace(KeyEvent... events) {
        return new Announcement(events.clone(), new KeyEvent[]{KeyEvent.DEL});
    }

    /** A write that only ever leaves a value under a key (LPUSH, SET ... EX) and never removes it: its events. */
    public static Announcement stores(KeyEvent... events) {
        return new Announcement(events.clone(), NOTHING);
    }

    KeyEvent[] stored() { return stored; }
    KeyEvent[] deleted() { return deleted; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Announcement a && Arrays.equals(stored, a.stored) && Arrays.equals(deleted, a.deleted);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(stored) + Arrays.hashCode(deleted);
    }

    @Override
    public String toString() {
        return "stored " + Arrays.toString(stored) + ", deleted " + Arrays.toString(deleted);
    }
}
