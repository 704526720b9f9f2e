package dev.millrace.storage.aof;

import dev.millrace.engine.effect.Effect;
import net.openhft.chronicle.bytes.Bytes;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static dev.millrace.engine.types.Bytes.putVarint;
import static dev.millrace.engine.types.Bytes.varintLength;

/**
 * The byte layout of AOF excerpts (docs/storage-format.md, "AOF"). Little-endian, as Chronicle
 * Bytes writes. A record is one excerpt, or several fragments when its body exceeds
 * {@link #FRAGMENT_BODY_BYTES} (Chronicle Queue refuses an excerpt above a quarter of its block size):
 * <pre>
 *   every excerpt   byte magic 'M', byte format version (2; 1 is still read), byte kind
 *   WHOLE / FIRST   long unix-ms timestamp, int effect count, long body length, body bytes...
 *   MIDDLE / LAST   body bytes...
 *   WHOLE / LAST    ... int CRC32C of the whole body
 *   VOID            long index of an earlier record that is torn or corrupt and must be skipped
 *   body, v2        per effect: varint db, varint argument count, then per argument varint
 *                   length and bytes (varints unsigned LEB128)
 *   body, v1        per effect: int db, then its argv as a RESP array of bulk strings
 *                   (*N\r\n then $len\r\n bytes \r\n for each argument)
 * </pre>
 * Version 2 spends one byte where version 1 spent four to seven per number (an XADD's record went
 * from 61 to 29 bytes): fewer fresh log pages per write. Stateless.
 */
final class AofFormat {
    static final byte MAGIC = 'M';
    static final byte FORMAT_VERSION = 2;
    /** The RESP-bodied format of logs written before version 2: still read. */
    static final byte FORMAT_VERSION_RESP = 1;
    static final byte WHOLE = 0;
    static final byte FIRST = 1;
    static final byte MIDDLE = 2;
    static final byte LAST = 3;
    static final byte VOID = 4;
    /** Excerpt prefix: magic, version, kind. */
    static final int PREFIX = 3;
    /** After the prefix of a WHOLE or FIRST excerpt: timestamp, effect count, body length. */
    static final int RECORD_HEADER = 8 + 4 + 8;
    static final int TRAILER = 4;
    /** Body bytes per excerpt: well under the excerpt limit (a quarter of {@link ChronicleEffectLog#BLOCK_SIZE}). */
    static final int FRAGMENT_BODY_BYTES = ChronicleEffectLog.BLOCK_SIZE / 8;

    private AofFormat() {
    }

    /** A record that fails validation: the reader decides whether that is a torn tail or fatal. */
    static final class CorruptRecord extends Exception {
        CorruptRecord(String message) {
            super(message, null, false, false);
        }
    }

    static long bodyLength(List<Effect> effects) {
        long n = 0;
        for (Effect e : effects) {
            n += varintLength(e.db()) + varintLength(e.argv().length);
            for (byte[] arg : e.argv()) {
                n += varintLength(arg.length) + (long) arg.length;
            }
        }
        return n;
    }

    /** Streams a record body into excerpts; {@link RecordWriter} owns the fragmenting. */
    interface BodySink {
        void write(byte[] b, int off, int len);

        default void write(byte[] b) {
            write(b, 0, b.length);
        }
    }

    static void writeBody(List<Effect> effects, BodySink out) {
        byte[] scratch = new byte[5];
        for (Effect e : effects) {
            out.write(scratch, 0, putVarint(scratch, 0, e.db()));
            out.write(scratch, 0, putVarint(scratch, 0, e.argv().length));
            for (byte[] arg : e.argv()) {
                out.write(scratch, 0, putVarint(scratch, 0, arg.length));
                out.write(arg);
            }
        }
    }

    /** Whether excerpts of this format version can be read. */
    static boolean readable(byte version) {
        return version == FORMAT_VERSION || version == FORMAT_VERSION_RESP;
    }

    /**
     * Reads a body of the given format version back into effects; the body's CRC has been checked
     * already.
     */
    static List<Effect> readBody(BodyCursor in, int effectCount, byte version) throws CorruptRecord {
        boolean resp = version == FORMAT_VERSION_RESP;
        List<Effect> effects = new ArrayList<>(effectCount);
        for (int i = 0; i < effectCount; i++) {
            int db = resp ? (in.next() & 0xff) | (in.next() & 0xff) << 8 | (in.next() & 0xff) << 16 | (in.next() & 0xff) << 24
                    : readVarint(in);
            int argc = resp ? readHeader(in, '*') : readLength(in);
            byte[][] argv = new byte[argc][];
            for (int a = 0; a < argc; a++) {
                argv[a] = new byte[resp ? readHeader(in, '$') : readLength(in)];
                in.read(argv[a]);
                if (resp) {
                    expect(in, '\r');
                    expect(in, '\n');
                }
            }
            effects.add(new Effect(db, argv));
        }
        if (in.remaining() != 0) {
            throw new CorruptRecord(in.remaining() + " bytes after the last effect");
        }
        return effects;
    }

    private static int readVarint(BodyCursor in) throws CorruptRecord {
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in.next();
            n |= (b & 0x7f) << shift;
            if (b >= 0) {
                if (n < 0) {
                    break;
                }
                return n;
            }
        }
        throw new CorruptRecord("bad varint");
    }

    /** A varint count or length, which cannot exceed what is left of the body. */
    private static int readLength(BodyCursor in) throws CorruptRecord {
        int n = readVarint(in);
        if (n > in.remaining()) {
            throw new CorruptRecord("bad length " + n);
        }
        return n;
    }

    private static int readHeader(BodyCursor in, char type) throws CorruptRecord {
        expect(in, type);
        long n = 0;
        int digits = 0;
        byte c;
        while ((c = in.next()) != '\r') {
            if (c < '0' || c > '9' || ++digits > 10) {
                throw new CorruptRecord("bad RESP length");
            }
            n = n * 10 + (c - '0');
        }
        expect(in, '\n');
        if (digits == 0 || n > Integer.MAX_VALUE || n > in.remaining()) {
            throw new CorruptRecord("bad RESP length " + n);
        }
        return (int) n;
    }

    private static void expect(BodyCursor in, char c) throws CorruptRecord {
        if (in.next() != c) {
            throw new CorruptRecord("expected '" + c + "'");
        }
    }

    /** A record body held as the fragments it was read in, consumed in order. */
    static final class BodyCursor {
        private final List<byte[]> parts;
        private int part;
        private int pos;
        private long remaining;

        BodyCursor(List<byte[]> parts) {
            this.parts = parts;
            for (byte[] p : parts) {
                remaining += p.length;
            }
        }

        long remaining() {
            return remaining;
        }

        long crc32c() {
            CRC32C crc = new CRC32C();
            for (byte[] p : parts) {
                crc.update(p);
            }
            return crc.getValue();
        }

        byte next() throws CorruptRecord {
            if (remaining == 0) {
                throw new CorruptRecord("body ends early");
            }
            while (pos == parts.get(part).length) {
                part++;
                pos = 0;
            }
            remaining--;
            return parts.get(part)[pos++];
        }

        void read(byte[] into) throws CorruptRecord {
            if (into.length > remaining) {
                throw new CorruptRecord("body ends early");
            }
            int done = 0;
            while (done < into.length) {
                byte[] p = parts.get(part);
                int n = Math.min(p.length - pos, into.length - done);
                System.arraycopy(p, pos, into, done, n);
                pos += n;
                done += n;
                if (pos == p.length && done < into.length) {
                    part++;
                    pos = 0;
                }
            }
            remaining -= into.length;
        }
    }

    static void writePrefix(Bytes<?> out, byte kind) {
        out.writeByte(MAGIC).writeByte(FORMAT_VERSION).writeByte(kind);
    }
}
