package dev.millrace.engine.notify;

import java.nio.charset.StandardCharsets;

/**
 * The notifier (Redis's notifyKeyspaceEvent): the keyspace's write path tells it what happened to a
 * key, and it publishes the events the current command {@linkplain #announce announces} for that,
 * when their class is configured, on {@code __keyspace@<db>__:<key>} (message: the event) and
 * {@code __keyevent@<db>__:<event>} (message: the key).
 *
 * <p>Cost: with {@code notify-keyspace-events} empty (the default) or naming no channel kind (K, E)
 * or no event class, {@link #active()} is false and the keyspace calls nothing else here. Execution
 * thread only.
 */
public final class KeyspaceEvents {
    private static final byte[] KEYSPACE_PREFIX = "__keyspace@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYEVENT_PREFIX = "__keyevent@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = "__:".getBytes(StandardCharsets.US_ASCII);

    private int classes;
    private boolean active;
    private Publisher publisher = Publisher.NONE;
    private Announcement current = Announcement.NONE;

    /** Publishes through {@code publisher} from now on (the engine's pub/sub). */
    public void publishTo(Publisher publisher) {
        this.publisher = publisher;
    }

    /** Applies a configured value of {@code notify-keyspace-events} (already validated). */
    public void configure(String letters) {
        classes = EventClasses.parse(letters);
        int channels = EventClasses.KEYSPACE | EventClasses.KEYEVENT;
        active = (classes & channels) != 0 && (classes & ~channels) != 0;
    }

    /** Whether any event can be published: the keyspace's one check before it calls anything else. */
    public boolean active() {
        return active;
    }

    /** Whether a store must find out if the key is new (class n is on). Only asked while {@link #active()}. */
    public boolean wantsNew() {
        return (classes & EventClasses.NEW) != 0;
    }

    /**
     * What the writes from now on announce: the dispatcher sets each command's table entry before its
     * handler runs; a handler overrides it where its events depend on arguments or differ per key.
     *
     * @return the announcement it replaces (restored after a nested command, inside EXEC or a script)
     */
    public Announcement announce(Announcement announcement) {
        Announcement previous = current;
        current = announcement;
        return previous;
    }

    /** A write left a value under {@code key}; {@code created} if it did not exist before. */
    public void stored(int db, byte[] key, boolean created) {
        if (created) {
            notify(KeyEvent.NEW, db, key);
        }
        for (KeyEvent event : current.stored()) {
            notify(event, db, key);
        }
    }

    /** A write removed {@code key}. */
    public void deleted(int db, byte[] key) {
        for (KeyEvent event : current.deleted()) {
            notify(event, db, key);
        }
    }

    /**
     * A key moved to another name or database (RENAME, MOVE): the target is added (Redis's dbAdd, so
     * {@code new}), then the source's and the target's events.
     */
    public void renamed(int fromDb, byte[] from, int toDb, byte[] to) {
        notify(KeyEvent.NEW, toDb, to);
        deleted(fromDb, from);
        stored(toDb, to, false);
    }

    /** A key was removed because its time to live passed, lazily or by the active expiry cycle. */
    public void expired(int db, byte[] key) {
        notify(KeyEvent.EXPIRED, db, key);
    }

    /** A read command looked a key up and did not find it. */
    public void missed(int db, byte[] key) {
        notify(KeyEvent.KEYMISS, db, key);
    }

    /** A key was removed to free memory (maxmemory); no eviction exists yet to call it. */
    public void evicted(int db, byte[] key) {
        notify(KeyEvent.EVICTED, db, key);
    }

    /** Publishes one event if its class is configured, as Redis's notifyKeyspaceEvent. */
    public void notify(KeyEvent event, int db, byte[] key) {
        if ((classes & event.eventClass()) == 0) {
            return;
        }
        byte[] dbDigits = Integer.toString(db).getBytes(StandardCharsets.US_ASCII);
        if ((classes & EventClasses.KEYSPACE) != 0) {
            publisher.publish(concat(KEYSPACE_PREFIX, dbDigits, SEPARATOR, key), event.bytes());
        }
        if ((classes & EventClasses.KEYEVENT) != 0) {
            publisher.publish(concat(KEYEVENT_PREFIX, dbDigits, SEPARATOR, event.bytes()), key);
        }
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c, byte[] d) {
        byte[] out = new byte[a.length + b.length + c.length + d.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        System.arraycopy(d, 0, out, a.length + b.length + c.length, d.length);
        return out;
    }
}
