package dev.millrace.engine.stream;

import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.types.Bytes;
import dev.millrace.engine.types.PagedTree;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One stream: its entries in a {@link StreamLog}, its state in the key's record. The record is a
 * paged collection (docs/storage-format.md, "Streams"); its payload:
 *
 * <pre>
 *   ObjectPages header (16)   the object id names the stream's log too
 *   byte   layout version (1)
 *   16     last ID            the top ID: XADD must go above it (XSETID may raise it)
 *   16     max deleted ID     the largest ID ever removed by XDEL (XINFO's max-deleted-entry-id)
 *   long   entries added      Redis's counter (XSETID may set it)
 *   long   first number       entries numbered below are trimmed
 *   long   last number        the number of the last entry added to the log
 *   20     tombstones root    PagedTree of entry numbers removed by XDEL (>= first number), or page -1
 *   20     groups root        PagedTree of consumer groups by name, or page -1 ({@link ConsumerGroups})
 *   17     retention          the stream's own {@link Retention} policy: max age (ms), max bytes,
 *                             undelivered rule; or all -1 for the server's defaults
 *   byte   entries form       0: in the stream's log; 1: in the keyspace ({@link InlineEntries})
 *   20     entries root       PagedTree of the entries in the keyspace, or page -1 (none, or in the log)
 * </pre>
 *
 * (Layout 3, written before entries could stay in the keyspace, ends after the retention policy;
 * its entries are in the log.) A stream starts with its entries in the keyspace while the server's
 * {@link InlineLimit} allows it, and moves them to its log, for good, when an append would pass the
 * limit: small streams cost no log of their own, large ones get everything a log gives (far larger
 * than memory, retention deleting whole files).
 *
 * <p>The length is derived: entries from the first to the last number, less the tombstones, so a
 * replay that starts from an older snapshot converges on the same length whatever it finds.
 * Trimming moves the first number and drops the tombstones below it; the log is told it may
 * release the files below. An ID is found by binary search over entry numbers (IDs grow with
 * numbers): O(log n) log reads.
 *
 * <p>Execution thread only.
 */
public final class Stream {
    private static final byte LAYOUT = 4;
    /** Entries always in the log; no entries fields. */
    private static final byte LAYOUT_LOGGED = 3;
    private static final int VERSION_AT = ObjectPages.SIZE;
    private static final int LAST_ID_AT = VERSION_AT + 1;
    private static final int MAX_DELETED_AT = LAST_ID_AT + StreamId.BYTES;
    private static final int ENTRIES_ADDED_AT = MAX_DELETED_AT + StreamId.BYTES;
    private static final int FIRST_NUMBER_AT = ENTRIES_ADDED_AT + 8;
    private static final int LAST_NUMBER_AT = FIRST_NUMBER_AT + 8;
    private static final int TOMBSTONES_AT = LAST_NUMBER_AT + 8;
    private static final int GROUPS_AT = TOMBSTONES_AT + PagedTree.Root.SIZE;
    private static final int RETENTION_AT = GROUPS_AT + PagedTree.Root.SIZE;
    private static final int ENTRIES_FORM_AT = RETENTION_AT + Retention.BYTES;
    private static final int ENTRIES_ROOT_AT = ENTRIES_FORM_AT + 1;
    public static final int PAYLOAD_BYTES = ENTRIES_ROOT_AT + PagedTree.Root.SIZE;
    private static final byte IN_LOG = 0;
    private static final byte INLINE = 1;
    private static final PagedTree.Root NO_TREE = new PagedTree.Root(-1, 0, 0);
    private static final byte[] EMPTY = new byte[0];

    private final ObjectPages pages;
    private final StreamLogs logs;
    /** The stream's own log: a handle that opens or makes nothing until it is used. */
    private final StreamLog log;
    /** The entries while they are in the keyspace; null once they are in {@link #log}. */
    private InlineEntries inline;
    private StreamId lastId;
    private StreamId maxDeletedId;
    private long entriesAdded;
    private long firstNumber;
    private long lastNumber;
    /** Numbers removed by XDEL, at or above {@link #firstNumber}; null until the first XDEL. */
    private PagedTree tombstones;
    private ConsumerGroups groups;
    /** The stream's own retention policy, or null for the server's defaults. */
    private Retention retention;

    private Stream(ObjectPages pages, StreamLogs logs) {
        this.pages = pages;
        this.logs = logs;
        this.log = logs.open(pages.objectId());
    }

    /**
     * A new, empty stream: its entries in the keyspace when {@code limit} allows (or no log may be
     * written: {@link StreamLogs#writable}), else in a new log (the logs are then told which stream
     * comes next, to make its log ahead).
     */
    public static Stream create(KeyStore store, boolean loading, InlineLimit limit) {
        ObjectPages pages = ObjectPages.createStream(store);
        Stream stream = new Stream(pages, store.streamLogs());
        if (limit.inline() || !stream.logs.writable(pages.objectId())) {
            stream.inline = new InlineEntries(pages, null);
        } else {
            stream.logs.expect(pages.objectId() + 1);
        }
        stream.lastId = StreamId.MIN;
        stream.maxDeletedId = StreamId.MIN;
        stream.firstNumber = 1;
        stream.lastNumber = 0;
        stream.groups = new ConsumerGroups(pages, null);
        stream.dropUnacknowledged(loading);
        return stream;
    }

    /**
     * The stream whose record payload is {@code payload}.
     *
     * @param loading whether the AOF is being replayed (the log may then be ahead of the record)
     */
    public static Stream decode(KeyStore store, byte[] payload, boolean loading) {
        byte layout = payload[VERSION_AT];
        if (layout != LAYOUT && layout != LAYOUT_LOGGED) {
            throw new IllegalStateException("unknown stream record layout " + layout);
        }
        ObjectPages pages = ObjectPages.decode(store, payload, 0);
        Stream stream = new Stream(pages, store.streamLogs());
        stream.lastId = StreamId.decode(payload, LAST_ID_AT);
        stream.maxDeletedId = StreamId.decode(payload, MAX_DELETED_AT);
        stream.entriesAdded = Bytes.getLong(payload, ENTRIES_ADDED_AT);
        stream.firstNumber = Bytes.getLong(payload, FIRST_NUMBER_AT);
        stream.lastNumber = Bytes.getLong(payload, LAST_NUMBER_AT);
        PagedTree.Root root = PagedTree.Root.decode(payload, TOMBSTONES_AT);
        stream.tombstones = root.page() < 0 ? null : new PagedTree(pages, root);
        PagedTree.Root groupsRoot = PagedTree.Root.decode(payload, GROUPS_AT);
        stream.groups = new ConsumerGroups(pages, groupsRoot.page() < 0 ? null : new PagedTree(pages, groupsRoot));
        stream.retention = Retention.decode(payload, RETENTION_AT);
        if (layout == LAYOUT && payload[ENTRIES_FORM_AT] == INLINE) {
            PagedTree.Root entries = PagedTree.Root.decode(payload, ENTRIES_ROOT_AT);
            stream.inline = new InlineEntries(pages, entries.page() < 0 ? null : entries);
        }
        stream.dropUnacknowledged(loading);
        return stream;
    }

    /**
     * Outside recovery the record is the truth: entries the log holds beyond it were appended by
     * commands whose AOF record never became durable (a crash), so nobody was told of them. During
     * replay the log is legitimately ahead. (A snapshot build's read-only logs ignore truncation.)
     */
    private void dropUnacknowledged(boolean loading) {
        if (inline == null && !loading && log.lastNumber() > lastNumber) {
            log.truncateAfter(lastNumber);
        }
    }

    /** The record payload for the stream's current state. */
    /** Writes the stream's state, {@link #PAYLOAD_BYTES} bytes, into {@code out} at {@code at}: its record's payload. */
    public void encodeInto(byte[] out, int at) {
        pages.encode(out, at);
        out[at + VERSION_AT] = LAYOUT;
        lastId.encode(out, at + LAST_ID_AT);
        maxDeletedId.encode(out, at + MAX_DELETED_AT);
        Bytes.putLong(out, at + ENTRIES_ADDED_AT, entriesAdded);
        Bytes.putLong(out, at + FIRST_NUMBER_AT, firstNumber);
        Bytes.putLong(out, at + LAST_NUMBER_AT, lastNumber);
        (tombstones == null ? NO_TREE : tombstones.root()).encode(out, at + TOMBSTONES_AT);
        groups.flush();
        PagedTree.Root groupsRoot = groups.root();
        (groupsRoot == null ? NO_TREE : groupsRoot).encode(out, at + GROUPS_AT);
        Retention.encode(retention, out, at + RETENTION_AT);
        out[at + ENTRIES_FORM_AT] = inline == null ? IN_LOG : INLINE;
        PagedTree.Root entries = inline == null ? null : inline.root();
        (entries == null ? NO_TREE : entries).encode(out, at + ENTRIES_ROOT_AT);
    }

    /** Whether the entries are in the keyspace (not yet in the stream's log). */
    public boolean entriesInline() {
        return inline != null;
    }

    /** Where the entries are now. */
    private StreamLog entries() {
        return inline != null ? inline : log;
    }

    public ObjectPages pages() {
        return pages;
    }

    public StreamId lastId() {
        return lastId;
    }

    public StreamId maxDeletedId() {
        return maxDeletedId;
    }

    public long entriesAdded() {
        return entriesAdded;
    }

    /** The stream's own retention policy, or null when the server's defaults apply. */
    public Retention retention() {
        return retention;
    }

    public void setRetention(Retention retention) {
        this.retention = retention;
    }

    /** The stream's consumer groups (kept on the stream's pages, saved with its record). */
    public ConsumerGroups groups() {
        return groups;
    }

    /** The number of entries (XLEN). O(1). */
    public long length() {
        long first = first();
        return Math.max(0, lastNumber - first + 1) - (tombstones == null ? 0 : tombstones.size());
    }

    /**
     * The first number still readable: entries below the log's first were deleted with their files
     * (possible only when recovery started from a snapshot older than a trim), so they count as trimmed.
     * Entries in the keyspace are trimmed with the record, so they never start above it: no lookup.
     */
    private long first() {
        if (inline == null && firstNumber < log.firstNumber() && lastNumber >= log.firstNumber()) {
            trimTo(log.firstNumber());
        }
        return firstNumber;
    }

    // ---- adding

    /**
     * The ID {@code *} gives at {@code nowMillis}, or null when the stream's top is the largest ID
     * (Redis's "exhausted" error comes before this).
     */
    public StreamId autoId(long nowMillis) {
        if (Long.compareUnsigned(nowMillis, lastId.ms()) > 0) {
            return new StreamId(nowMillis, 0);
        }
        return lastId.next();
    }

    /**
     * The ID {@code <ms>-*} gives: the next sequence under the top's millisecond, or 0 above it; null
     * when that is not above the top.
     */
    public StreamId autoSeqId(long ms) {
        int c = Long.compareUnsigned(ms, lastId.ms());
        if (c > 0) {
            return new StreamId(ms, 0);
        }
        if (c < 0 || lastId.seq() == -1) {
            return null;
        }
        return new StreamId(ms, lastId.seq() + 1);
    }

    /**
     * Appends an entry; the caller has checked {@code id} is above {@link #lastId}. When the entries
     * are in the keyspace and this one would take them past {@code limit}, they move to the stream's
     * log first (if it may be written: {@link StreamLogs#writable}): O(entries held), once in a
     * stream's life.
     */
    public void add(StreamId id, byte[][] fieldsAndValues, InlineLimit limit) {
        long number = lastNumber + 1;
        if (inline != null) {
            // What the entries in the keyspace would hold with this one.
            long count = inline.count() + 1;
            long bytes = inline.bytes() + StreamEntry.size(fieldsAndValues);
            if (!limit.holds(count, bytes) && logs.writable(pages.objectId())) {
                moveEntriesToLog();
            } else if (limit.nearlyReached(count, bytes)) {
                logs.prepare(pages.objectId()); // the move then finds its log made
            }
        }
        if (inline != null) {
            inline.append(number, id, fieldsAndValues);
        } else {
            appendToLog(number, id, fieldsAndValues);
        }
        lastNumber++;
        lastId = id;
        entriesAdded++;
    }

    private void appendToLog(long number, StreamId id, byte[][] fieldsAndValues) {
        if (number <= log.lastNumber() && number >= log.firstNumber() && !log.id(number).equals(id)) {
            // The log holds another entry under this number: one appended by a command whose AOF
            // record was lost in a crash. This entry replaces it and whatever followed it.
            log.truncateAfter(number - 1);
        }
        log.append(number, id, fieldsAndValues);
    }

    /**
     * Moves the entries from the keyspace to the stream's log, which this makes (its first use). The
     * log exists already when a crash followed an earlier move and the keyspace went back to a
     * snapshot from before it: appends are idempotent, so it keeps the entries it has in common with
     * the stream and drops the others, as an append after a crash does.
     */
    private void moveEntriesToLog() {
        InlineEntries moving = inline;
        long first = moving.firstNumber();
        if (moving.count() > 0 && log.lastNumber() >= log.firstNumber() && log.lastNumber() < first - 1) {
            // Only entries below the stream's first, all trimmed: a log of another server's limit.
            log.truncateAfter(log.firstNumber() - 1);
        }
        for (long number = first; number <= moving.lastNumber(); number++) {
            StreamEntry entry = moving.read(number);
            appendToLog(number, entry.id(), entry.fieldsAndValues());
        }
        if (moving.count() > 0 && log.firstNumber() < first) {
            log.releaseBelow(first); // what the older log holds below: trimmed while in the keyspace
        }
        moving.free();
        inline = null;
    }

    // ---- reading

    /** The first entry number whose ID is at least {@code id}; past the last when none is. */
    public long seek(StreamId id) {
        long first = first();
        return first > lastNumber ? first : entries().seek(id, first, lastNumber);
    }

    /** Entries with IDs from {@code start} up to {@code end}, in ID order. */
    public Iterator<StreamEntry> range(StreamId start, StreamId end) {
        return new Walk(seek(start), end, true);
    }

    /** Entries with IDs from {@code end} down to {@code start}, in reverse ID order. */
    public Iterator<StreamEntry> reverseRange(StreamId end, StreamId start) {
        StreamId after = end.next();
        long from = after == null ? lastNumber : seek(after) - 1;
        return new Walk(from, start, false);
    }

    /** The first entry, or null when the stream is empty. */
    public StreamEntry firstEntry() {
        Iterator<StreamEntry> it = range(StreamId.MIN, StreamId.MAX);
        return it.hasNext() ? it.next() : null;
    }

    /**
     * The ID of the last entry, or null when the stream is empty (Redis's last valid ID). Read through
     * {@link StreamLog#id}, which a log may answer without a read for its last entry: consumers ask at
     * every XREAD and XREADGROUP.
     */
    public StreamId lastEntryId() {
        long first = first();
        for (long number = lastNumber; number >= first; number--) {
            if (!isTombstone(number)) {
                return entries().id(number);
            }
        }
        return null;
    }

    /** The last entry, or null when the stream is empty. */
    public StreamEntry lastEntry() {
        Iterator<StreamEntry> it = reverseRange(StreamId.MAX, StreamId.MIN);
        return it.hasNext() ? it.next() : null;
    }

    /**
     * The ID of the first entry, or 0-0 when the stream is empty: what Redis records as the stream's
     * {@code first_id} (XINFO's recorded-first-entry-id), kept up to date by XADD, XDEL and trimming.
     * O(log n), plus the tombstones a trim left at the start.
     */
    public StreamId firstId() {
        long number = first();
        while (number <= lastNumber && isTombstone(number)) {
            number++;
        }
        return number <= lastNumber ? entries().id(number) : StreamId.MIN;
    }

    /** The entry with ID {@code id}, or null when there is none (never added, deleted or trimmed). O(log n). */
    public StreamEntry entry(StreamId id) {
        long number = seek(id);
        if (number > lastNumber || isTombstone(number)) {
            return null;
        }
        StreamEntry entry = entries().read(number);
        return entry.id().equals(id) ? entry : null;
    }

    /** Whether an entry with ID {@code id} is in the stream (Redis's streamEntryExists). O(log n). */
    public boolean contains(StreamId id) {
        long number = seek(id);
        return number <= lastNumber && !isTombstone(number) && entries().id(number).equals(id);
    }

    /**
     * The first IDs of the nodes of {@code nodeEntries} entry numbers that still hold an entry, in
     * order: the keys of Redis's radix tree of listpacks (a listpack keeps its master ID, the ID of its
     * first entry, while any of its entries is left). A node whose first entry's log record is gone (its
     * file released after a trim) is keyed by its first readable entry. O(nodes log n).
     */
    public java.util.List<StreamId> nodeKeys(long nodeEntries) {
        long node = Math.max(1, nodeEntries);
        java.util.List<StreamId> keys = new java.util.ArrayList<>();
        long start = first();
        for (long nodeStart = (start - 1) / node * node + 1; nodeStart <= lastNumber; nodeStart += node) {
            long from = Math.max(nodeStart, start);
            long to = Math.min(lastNumber, nodeStart + node - 1);
            if (live(from, to) > 0) {
                keys.add(entries().id(Math.max(nodeStart, entries().firstNumber())));
            }
        }
        return keys;
    }

    /**
     * The number of nodes {@link #nodeKeys} would list, without reading the log or checking for wholly
     * deleted nodes: O(1), for streams too large to list.
     */
    public long nodeCountEstimate(long nodeEntries) {
        long node = Math.max(1, nodeEntries);
        long start = first();
        return start > lastNumber ? 0 : (lastNumber - 1) / node - (start - 1) / node + 1;
    }

    private boolean isTombstone(long number) {
        return tombstones != null && tombstones.get(key(number)) != null;
    }

    private static byte[] key(long number) {
        byte[] key = new byte[8];
        Bytes.putLong(key, 0, number);
        return key;
    }

    /**
     * Walks entry numbers up (or down) from {@code from}, stepping over tombstones in step with the
     * tombstone tree, and stops at the first entry past {@code bound} (above it going up, below it
     * going down).
     */
    private final class Walk implements Iterator<StreamEntry> {
        private final boolean up;
        private final StreamId bound;
        private final Iterator<PagedTree.Entry> deleted;
        private long number;
        private long nextDeleted;
        private StreamEntry next;
        /**
         * Whether {@link #next} holds the entry to hand out next: entries are read when asked for, so a
         * walk stopped by a COUNT reads no entry past it (the log then reads on from there next time
         * without moving its tailer).
         */
        private boolean fetched;

        Walk(long from, StreamId bound, boolean up) {
            this.up = up;
            this.bound = bound;
            this.number = from;
            if (tombstones == null || from < 0) {
                this.deleted = null;
            } else if (up) {
                this.deleted = tombstones.iterator(tombstones.rank(key(from)));
            } else {
                this.deleted = tombstones.descendingIterator(tombstones.rank(key(from + 1)) - 1);
            }
            advanceDeleted();
        }

        private void advanceDeleted() {
            nextDeleted = deleted != null && deleted.hasNext() ? Bytes.getLong(deleted.next().key(), 0) : -1;
        }

        private void fetch() {
            next = null;
            long first = first();
            while (up ? number <= lastNumber : number >= first) {
                long n = up ? number++ : number--;
                if (n == nextDeleted) {
                    advanceDeleted();
                    continue;
                }
                StreamEntry entry = entries().read(n);
                if (up ? entry.id().isAfter(bound) : entry.id().isBefore(bound)) {
                    number = up ? Long.MAX_VALUE : Long.MIN_VALUE;
                    return;
                }
                next = entry;
                return;
            }
        }

        @Override
        public boolean hasNext() {
            if (!fetched) {
                fetch();
                fetched = true;
            }
            return next != null;
        }

        @Override
        public StreamEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            fetched = false;
            return next;
        }
    }

    // ---- removing

    /** XDEL of one ID: whether an entry was removed. O(log n). */
    public boolean delete(StreamId id) {
        long number = seek(id);
        if (number > lastNumber || !entries().id(number).equals(id) || isTombstone(number)) {
            return false;
        }
        if (tombstones == null) {
            tombstones = PagedTree.create(pages);
        }
        tombstones.put(key(number), EMPTY);
        if (id.isAfter(maxDeletedId)) {
            maxDeletedId = id;
        }
        if (number == firstNumber) {
            // A queue consumed from its head: move the start instead of keeping tombstones.
            long first = firstNumber + 1;
            while (first <= lastNumber && isTombstone(first)) {
                first++;
            }
            trimTo(first);
        }
        return true;
    }

    /** How an XTRIM or an XADD's trimming option trims. */
    public record Trim(boolean byMaxLen, long maxLen, StreamId minId, boolean approximate, long limit) {
    }

    /**
     * Trims as Redis's {@code streamTrim} does, over nodes of {@code nodeEntries} entry numbers
     * (Redis's listpack nodes of {@code stream-node-max-entries}): whole nodes go first; an
     * approximate trim stops at the first node it cannot remove whole, or when removing the next
     * node would pass {@code limit} entries (0: no limit); an exact one then removes single entries.
     *
     * <p>Nodes holding only deleted entries are passed over without being dropped unless the trim
     * removes some entry after them: a trim that removes nothing changes nothing (its caller then
     * saves and logs nothing, as Redis propagates nothing).
     *
     * @return the number of entries removed
     */
    public long trim(Trim trim, long nodeEntries) {
        long node = Math.max(1, nodeEntries);
        long removed = 0;
        long length = length();
        long from = first(); // the trim point so far
        while (from <= lastNumber) {
            if (trim.byMaxLen() && length <= trim.maxLen()) {
                break;
            }
            long nodeEnd = Math.min(lastNumber, ((from - 1) / node + 1) * node);
            long live = live(from, nodeEnd);
            if (trim.limit() > 0 && removed + live > trim.limit()) {
                break;
            }
            // Redis frees a node whose entries were all deleted, so such a node never stops a trim.
            boolean wholeNode = live == 0 || (trim.byMaxLen()
                    ? length - live >= trim.maxLen()
                    : entries().id(nodeEnd).isBefore(trim.minId()));
            if (wholeNode) {
                from = nodeEnd + 1;
                length -= live;
                removed += live;
                continue;
            }
            if (!trim.approximate()) {
                long target = trim.byMaxLen() ? nthLive(from, length - trim.maxLen()) : seek(trim.minId());
                if (target > from) { // a MINID may fall inside a deleted node already passed
                    removed += live(from, target - 1);
                    from = target;
                }
            }
            break;
        }
        if (removed > 0) {
            trimTo(from);
        }
        return removed;
    }

    /**
     * Trims every entry numbered below {@code number} (retention). O(log n + tombstones removed).
     *
     * @return the number of entries removed
     */
    public long trimBelow(long number) {
        long target = Math.min(number, lastNumber + 1);
        long first = first();
        long removed = target <= first ? 0 : live(first, target - 1);
        if (removed > 0) { // only deleted entries below: nothing to save, as trim
            trimTo(target);
        }
        return removed;
    }

    /** The number of the first entry not trimmed (entries from it to {@link #lastNumber()} may be live). */
    public long firstNumber() {
        return first();
    }

    /** The number of the last entry added. */
    public long lastNumber() {
        return lastNumber;
    }

    /** The log bytes ({@link StreamEntry#size}) of the entries from {@code number} to the last, tombstones included. */
    public long bytesFrom(long number) {
        return entries().bytesBefore(lastNumber + 1) - entries().bytesBefore(number);
    }

    /** Entries from {@code from} to {@code to} (inclusive) that are not tombstones. */
    private long live(long from, long to) {
        long count = to - from + 1;
        if (tombstones != null) {
            count -= tombstones.rank(key(to + 1)) - tombstones.rank(key(from));
        }
        return count;
    }

    /** The number just after the {@code k}-th live entry from number {@code from} on (k >= 1). */
    private long nthLive(long from, long k) {
        long candidate = from + k - 1;
        if (tombstones != null) {
            Iterator<PagedTree.Entry> it = tombstones.iterator(tombstones.rank(key(from)));
            while (it.hasNext() && Bytes.getLong(it.next().key(), 0) <= candidate) {
                candidate++;
            }
        }
        return candidate + 1;
    }

    /** Moves the start to {@code number}, dropping the tombstones below it. */
    private void trimTo(long number) {
        if (number <= firstNumber) {
            return;
        }
        firstNumber = number;
        if (tombstones != null) {
            long below = tombstones.rank(key(number));
            if (below > 0) {
                tombstones.removeRange(0, below);
            }
        }
        entries().releaseBelow(number);
    }

    /**
     * COPY: writes this stream's entries, under the same numbers, into another log. O(n). (Entries in
     * the keyspace are on the stream's pages, which COPY copies with them.)
     */
    public void copyEntriesTo(StreamLog target) {
        for (long number = first(); number <= lastNumber; number++) {
            StreamEntry entry = entries().read(number);
            target.append(number, entry.id(), entry.fieldsAndValues());
        }
    }

    // ---- XSETID

    public void setLastId(StreamId id) {
        this.lastId = id;
    }

    public void setEntriesAdded(long entriesAdded) {
        this.entriesAdded = entriesAdded;
    }

    public void setMaxDeletedId(StreamId id) {
        this.maxDeletedId = id;
    }
}
