package dev.millrace.engine.keyspace;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class RecordTest {

    @Test
    void anEncodedRecordTakesANewExpiryAsADecodedOneDoes() {
        List<Record> records = List.of(
                new Record(ValueType.STRING, false, 17, Record.NO_EXPIRY, new byte[] {'v'}),
                new Record(ValueType.STRING, true, true, 17, 1_700_000_000_000L, new byte[0]),
                Record.collection(ValueType.ZSET, 3, Record.NO_EXPIRY, new byte[] {1, 2, 3, 4, 5}, false),
                Record.collection(ValueType.HASH, 3, 42, new byte[ObjectPages.SIZE + 40], true));
        for (Record record : records) {
            for (long expireAt : new long[] {Record.NO_EXPIRY, 0, 1_800_000_000_123L}) {
                assertArrayEquals(record.withExpiry(expireAt).encode(),
                        Record.encodedWithExpiry(record.encode(), expireAt), record + " expiring at " + expireAt);
            }
        }
    }

    @Test
    void aCollectionEncodedAroundItsPayloadIsTheRecordWithThatPayload() {
        byte[] payload = {9, 8, 7, 6, 5, 4, 3, 2, 1};
        for (Record record : List.of(
                new Record(ValueType.STRING, true, true, 17, Record.NO_EXPIRY, new byte[] {'v'}),
                Record.collection(ValueType.STREAM, 5, 1_700_000_000_000L, new byte[3], false))) {
            byte[] encoded = record.encodeCollection(payload.length);
            System.arraycopy(payload, 0, encoded, Record.payloadOffset(encoded), payload.length);
            assertArrayEquals(record.withCollection(payload, true).encode(), encoded, record.toString());
        }
    }
}
