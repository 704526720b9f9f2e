package dev.millrace.engine.types;

/**
 * The byte layout of a {@link PagedTree} page (docs/storage-format.md, "Collection pages"):
 * <pre>
 *   leaf    byte 0, int entry count, then per entry: varint key length, key, varint value length, value
 *   inner   byte 1, int child count, then per child: long page, long entries below it,
 *           varint separator length, separator
 * </pre>
 * Integers big-endian, varints unsigned LEB128. Stateless.
 */
final class NodeCodec {
    static final byte[] EMPTY = new byte[0];
    static final int HEADER_BYTES = 1 + 4;
    private static final byte LEAF = 0;
    private static final byte INNER = 1;

    private NodeCodec() {
    }

    static int leafEntryBytes(byte[] key, byte[] value) {
        return Bytes.varintLength(key.length) + key.length + Bytes.varintLength(value.length) + value.length;
    }

    static int innerEntryBytes(byte[] separator) {
        return 16 + Bytes.varintLength(separator.length) + separator.length;
    }

    static byte[] encode(Node node) {
        byte[] out = new byte[node.bytes];
        out[0] = node.leaf ? LEAF : INNER;
        Bytes.putInt(out, 1, node.n);
        int pos = HEADER_BYTES;
        for (int i = 0; i < node.n; i++) {
            if (node.leaf) {
                pos = putBytes(out, pos, node.keys[i]);
                pos = putBytes(out, pos, node.values[i]);
            } else {
                Bytes.putLong(out, pos, node.child[i]);
                Bytes.putLong(out, pos + 8, node.count[i]);
                pos = putBytes(out, pos + 16, node.sep[i]);
            }
        }
        if (pos != out.length) {
            throw new IllegalStateException("node size bookkeeping is off: " + pos + " != " + out.length);
        }
        return out;
    }

    static Node decode(byte[] page) {
        boolean leaf = page[0] == LEAF;
        int n = Bytes.getInt(page, 1);
        Node node = leaf ? Node.leaf(n + 1) : Node.inner(n + 1);
        int[] pos = {HEADER_BYTES};
        for (int i = 0; i < n; i++) {
            if (leaf) {
                byte[] key = getBytes(page, pos);
                node.insertEntry(i, key, getBytes(page, pos));
            } else {
                long child = Bytes.getLong(page, pos[0]);
                long count = Bytes.getLong(page, pos[0] + 8);
                pos[0] += 16;
                node.insertChild(i, child, count, getBytes(page, pos));
            }
        }
        return node;
    }

    private static int putBytes(byte[] out, int pos, byte[] bytes) {
        pos = Bytes.putVarint(out, pos, bytes.length);
        System.arraycopy(bytes, 0, out, pos, bytes.length);
        return pos + bytes.length;
    }

    private static byte[] getBytes(byte[] page, int[] pos) {
        int at = pos[0];
        int len = 0;
        int shift = 0;
        while (true) {
            int b = page[at++] & 0xff;
            len |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        if (len == 0) {
            pos[0] = at;
            return EMPTY;
        }
        byte[] bytes = java.util.Arrays.copyOfRange(page, at, at + len);
        pos[0] = at + len;
        return bytes;
    }
}
