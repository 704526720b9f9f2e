package dev.millrace.storage.stream;

import dev.millrace.engine.Clock;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.engine.types.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.millrace.storage.stream.StreamLogsContract.assertEntry;
import static dev.millrace.storage.stream.StreamLogsContract.fields;
import static dev.millrace.storage.stream.StreamLogsContract.id;
import static dev.millrace.storage.stream.StreamLogsContract.sizes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The stream log excerpt: version 2 (varints) as written now, version 1 (fixed width) as logs written
 * before hold it, both read, in one log too; malformed version-2 excerpts are refused, not misread.
 */
class EntryFormatTest {
    @TempDir
    Path dir;

    private static byte[][] elements(String... parts) {
        return Arrays.stream(parts).map(p -> p.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /** A version-1 excerpt, as the format wrote it before version 2. */
    static byte[] version1(long number, StreamId id, long bytesBefore, byte[][] fieldsAndValues) {
        byte[] out = new byte[Math.toIntExact(EntryFormat.V1_HEADER_BYTES + StreamEntry.size(fieldsAndValues))];
        Bytes.putLong(out, 0, number);
        id.encode(out, 8);
        Bytes.putLong(out, 24, bytesBefore);
        Bytes.putInt(out, 32, fieldsAndValues.length);
        int pos = EntryFormat.V1_HEADER_BYTES;
        for (byte[] element : fieldsAndValues) {
            Bytes.putInt(out, pos, element.length);
            System.arraycopy(element, 0, out, pos + 4, element.length);
            pos += 4 + element.length;
        }
        return out;
    }

    private static byte[] version2(long number, StreamId id, long bytesBefore, byte[][] fieldsAndValues) {
        EntryFormat format = new EntryFormat();
        byte[] out = format.encode(number, id, bytesBefore, fieldsAndValues, StreamEntry.size(fieldsAndValues));
        return Arrays.copyOf(out, format.encodedLength());
    }

    @Test
    void anXaddOfOneShortFieldTakes23BytesWhereVersion1Took46() {
        byte[][] fv = elements("f", "v");
        StreamId id = new StreamId(1_764_201_600_000L, 0); // a millisecond time of 2025: a 6-byte varint
        byte[] v2 = version2(123_456_789, id, 10_000_000_000L, fv);
        assertEquals(23, v2.length); // marker, number 4, ms 6, seq 1, bytes before 5, size 1, count 1, 2 + 2
        assertEquals(46, version1(123_456_789, id, 10_000_000_000L, fv).length);
        assertEquals(EntryFormat.VERSION_2, v2[0]);
    }

    @Test
    void bothVersionsDecodeToTheSameHeaderAndEntry() {
        byte[][] fv = elements("field", "value", "", "x".repeat(300));
        for (StreamId id : new StreamId[]{new StreamId(0, 1), new StreamId(-1, -1), new StreamId(Long.MAX_VALUE, 7)}) {
            for (byte[] excerpt : new byte[][]{version1(77, id, 1L << 40, fv), version2(77, id, 1L << 40, fv)}) {
                EntryFormat.Header header = EntryFormat.header(excerpt, excerpt.length);
                assertEquals(new EntryFormat.Header(77, id, 1L << 40, StreamEntry.size(fv)), header);
                assertEquals(77, EntryFormat.number(excerpt));
                StreamEntry entry = EntryFormat.entry(excerpt);
                assertEquals(id, entry.id());
                assertEquals(fv.length, entry.fieldsAndValues().length);
                for (int i = 0; i < fv.length; i++) {
                    assertArrayEquals(fv[i], entry.fieldsAndValues()[i]);
                }
                // a header read sees only the first MAX_HEADER_BYTES of an excerpt
                byte[] head = Arrays.copyOf(excerpt, Math.min(excerpt.length, EntryFormat.MAX_HEADER_BYTES));
                assertEquals(header, EntryFormat.header(head, excerpt.length));
            }
        }
    }

    @Test
    void aMalformedVersion2ExcerptIsRefused() {
        byte[] good = version2(5, new StreamId(9, 9), 100, elements("f", "v"));
        // cut anywhere: a varint or an element runs past the end
        for (int length = 1; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThrows(EntryFormat.BadExcerpt.class, () -> EntryFormat.entry(cut), "cut at " + length);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(EntryFormat.BadExcerpt.class, () -> EntryFormat.entry(trailing));
        byte[] endless = {EntryFormat.VERSION_2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
        assertThrows(EntryFormat.BadExcerpt.class, () -> EntryFormat.header(endless, endless.length), "an 11-byte varint");
        byte[] hugeCount = version2(5, new StreamId(9, 9), 100, elements());
        hugeCount[hugeCount.length - 1] = 0x7f; // 127 elements in no bytes
        assertThrows(EntryFormat.BadExcerpt.class, () -> EntryFormat.entry(hugeCount));
    }

    /**
     * A log written by a server before version 2: its entries read, seek and count their bytes as
     * before, and the entries appended now (version 2) follow them in the same cycle file.
     */
    @Test
    void aLogOfVersion1ExcerptsKeepsWorkingAndGrowsInVersion2() {
        Path logDir = dir.resolve(String.format("%016x", 1));
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(logDir)
                .rollCycle(ChronicleStreamLogs.Settings.DEFAULT_ROLL_CYCLE).build();
             ExcerptAppender appender = queue.createAppender()) {
            for (long n = 1; n <= 50; n++) {
                byte[] excerpt = version1(n, id(n), sizes(1, n), fields(n));
                try (DocumentContext dc = appender.writingDocument()) {
                    dc.wire().bytes().write(excerpt);
                }
            }
        }
        for (int open = 0; open < 2; open++) {
            try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(Clock.SYSTEM))) {
                StreamLog log = logs.open(1);
                long last = 50 + 50L * open;
                assertEquals(last, log.lastNumber());
                assertEquals(sizes(1, last + 1), log.bytesBefore(last + 1), "bytes after the last entry, from its header");
                for (long n = last + 1; n <= last + 50; n++) {
                    log.append(n, id(n), fields(n));
                }
                for (long n = 1; n <= last + 50; n++) {
                    assertEntry(log, n);
                    assertEquals(sizes(1, n), log.bytesBefore(n), "bytes before " + n);
                }
                assertEquals(37, log.seek(id(37), 1, last + 50), "a seek across the versions");
                assertEquals(last + 20, log.seek(id(last + 20), 1, last + 50));
            }
        }
    }
}
