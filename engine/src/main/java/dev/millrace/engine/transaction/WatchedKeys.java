package dev.millrace.engine.transaction;

import dev.millrace.engine.Clock;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.keyspace.KeyChanges;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys clients WATCH, and which clients' next EXEC must fail because one of them changed (Redis
 * 7.0.15's multi.c: CLIENT_DIRTY_CAS). The keyspace tells it of every change through {@link KeyChanges};
 * a watch is broken by
 * <ul>
 *   <li>any write that leaves a value under the key or removes it, whoever makes it (another client,
 *       the watcher itself, a transaction, a served blocked client) and including expiry;</li>
 *   <li>FLUSHDB / FLUSHALL of a database where the key exists, SWAPDB when the key exists in either
 *       database;</li>
 *   <li>the key expiring between WATCH and EXEC even if nothing deleted it yet ({@link #broken}).</li>
 * </ul>
 * A key that was already logically expired (but not yet deleted) when watched is a special case, as in
 * Redis: its deletion (lazy or active expiry, a flush) changes nothing a client could see, so it does
 * not break the watch; a new value does.
 *
 * <p>Once broken, a client's watches are dropped at once (the EXEC fails whatever happens next); the
 * broken mark stays until EXEC, DISCARD, UNWATCH or RESET ({@link #unwatchAll}). Costs: WATCH O(k) for
 * k keys the client already watches (Redis scans the same list); a key change O(1) while nobody watches
 * it, else O(watchers of that key); a flush or swap O(watched keys). Execution thread only.
 */
public final class WatchedKeys implements KeyChanges {
    private final KeyStore store;
    private final Clock clock;
    private final Map<WatchedKey, List<Watch>> byKey = new HashMap<>();
    private final Map<Long, Watcher> bySession = new HashMap<>();

    public WatchedKeys(KeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** One client's watches and whether one of them was broken. */
    private static final class Watcher {
        final List<Watch> watches = new ArrayList<>();
        boolean broken;
    }

    /** A key one client watches. */
    private static final class Watch {
        final Watcher watcher;
        final WatchedKey key;
        /** The key was logically expired but still stored when watched (Redis's {@code wk->expired}). */
        boolean expiredWhenWatched;

        Watch(Watcher watcher, WatchedKey key, boolean expiredWhenWatched) {
            this.watcher = watcher;
            this.key = key;
            this.expiredWhenWatched = expiredWhenWatched;
        }
    }

    private record WatchedKey(int db, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof WatchedKey other && db == other.db && Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode() {
            return 31 * db + Arrays.hashCode(key);
        }
    }

    /** WATCH: {@code session} watches {@code key} of {@code db} (again: no change). */
    public void watch(Session session, int db, byte[] key, long nowMillis) {
        Watcher watcher = bySession.computeIfAbsent(session.id(), id -> new Watcher());
        if (watcher.broken) {
            return; // the next EXEC fails anyway: more watches would change nothing
        }
        WatchedKey watched = new WatchedKey(db, key);
        for (Watch w : watcher.watches) {
            if (w.key.equals(watched)) {
                return;
            }
        }
        byte[] record = store.get(db, key);
        Watch watch = new Watch(watcher, watched, record != null && Record.isExpiredAt(record, nowMillis));
        watcher.watches.add(watch);
        byKey.computeIfAbsent(watched, k -> new ArrayList<>(2)).add(watch);
    }

    /**
     * Whether {@code session}'s EXEC must fail: a watched key changed, or expired since it was watched
     * (Redis's isWatchedKeyExpired: the key may still be stored, only logically gone).
     */
    public boolean broken(Session session, long nowMillis) {
        Watcher watcher = bySession.get(session.id());
        if (watcher == null) {
            return false;
        }
        if (watcher.broken) {
            return true;
        }
        for (Watch w : watcher.watches) {
            if (!w.expiredWhenWatched && isExpired(store.get(w.key.db(), w.key.key()), nowMillis)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a key change broke one of {@code session}'s watches (Redis's CLIENT_DIRTY_CAS, CLIENT LIST's
     * {@code d} flag); unlike {@link #broken}, an expiry nothing deleted yet does not count.
     */
    public boolean touched(Session session) {
        Watcher watcher = bySession.get(session.id());
        return watcher != null && watcher.broken;
    }

    /** How many keys {@code session} watches (0 after a watch was broken). */
    public int watching(Session session) {
        Watcher watcher = bySession.get(session.id());
        return watcher == null ? 0 : watcher.watches.size();
    }

    /** EXEC, DISCARD, UNWATCH, RESET and disconnection: forgets the watches and the broken mark. */
    public void unwatchAll(Session session) {
        Watcher watcher = bySession.remove(session.id());
        if (watcher != null) {
            dropWatches(watcher);
        }
    }

    private void dropWatches(Watcher watcher) {
        for (Watch w : watcher.watches) {
            List<Watch> watchers = byKey.get(w.key);
            watchers.remove(w);
            if (watchers.isEmpty()) {
                byKey.remove(w.key);
            }
        }
        watcher.watches.clear();
    }

    private void breakWatch(Watcher watcher) {
        watcher.broken = true;
        dropWatches(watcher);
    }

    private static boolean isExpired(byte[] record, long nowMillis) {
        return record != null && Record.isExpiredAt(record, nowMillis);
    }

    // ---- KeyChanges: the keyspace reports writes

    @Override
    public void changed(int db, byte[] key) {
        if (byKey.isEmpty()) {
            return;
        }
        List<Watch> watches = byKey.get(new WatchedKey(db, key));
        if (watches == null) {
            return;
        }
        boolean gone = store.get(db, key) == null;
        for (Watch w : List.copyOf(watches)) { // breaking a watch edits the list
            if (w.expiredWhenWatched && gone) {
                w.expiredWhenWatched = false; // an expired key was deleted: nothing a client could see changed
            } else {
                breakWatch(w.watcher);
            }
        }
    }

    /** Called before the database is emptied (see {@link KeyChanges#flushed}): it still holds its keys. */
    @Override
    public void flushed(int db) {
        List<Watch> toBreak = new ArrayList<>();
        for (Map.Entry<WatchedKey, List<Watch>> e : byKey.entrySet()) {
            WatchedKey key = e.getKey();
            if (key.db() != db || store.get(db, key.key()) == null) {
                continue;
            }
            for (Watch w : e.getValue()) {
                if (w.expiredWhenWatched) {
                    w.expiredWhenWatched = false; // it goes, and it was already logically gone
                } else {
                    toBreak.add(w);
                }
            }
        }
        toBreak.forEach(w -> breakWatch(w.watcher));
    }

    /**
     * Called after the swap: a key watched in one database now holds what the other held. A watch breaks
     * when either database held the key, except where the swap changes nothing a client could see
     * (Redis's touchAllWatchedKeysInDb with {@code replaced_with}): an expired key replaced by nothing or
     * by another expired value, or a missing key replaced by an expired one (which is then watched as
     * expired).
     */
    @Override
    public void swapped(int db1, int db2) {
        if (db1 == db2 || byKey.isEmpty()) {
            return;
        }
        long now = clock.currentTimeMillis();
        List<Watch> toBreak = new ArrayList<>();
        for (Map.Entry<WatchedKey, List<Watch>> e : byKey.entrySet()) {
            WatchedKey key = e.getKey();
            if (key.db() != db1 && key.db() != db2) {
                continue;
            }
            int other = key.db() == db1 ? db2 : db1;
            boolean existedBefore = store.get(other, key.key()) != null; // this database's old content is there now
            byte[] replacement = store.get(key.db(), key.key());
            if (!existedBefore && replacement == null) {
                continue;
            }
            for (Watch w : e.getValue()) {
                if (w.expiredWhenWatched) {
                    if (replacement == null) {
                        w.expiredWhenWatched = false; // an expired key went away
                        continue;
                    }
                    if (isExpired(replacement, now)) {
                        continue; // an expired key stays expired
                    }
                } else if (!existedBefore && isExpired(replacement, now)) {
                    w.expiredWhenWatched = true; // a missing key became an expired one
                    continue;
                }
                toBreak.add(w);
            }
        }
        toBreak.forEach(w -> breakWatch(w.watcher));
    }
}
