package dev.millrace.engine.stream;

import java.util.List;

/**
 * The number of nodes of a Redis radix tree ({@code rax}) holding a set of 16-byte stream IDs: what
 * XINFO STREAM reports as radix-tree-nodes for the tree of a stream's listpack nodes. In a rax every
 * key here is a leaf (all keys have one length); a node that continues in one way only is compressed
 * into one node up to the next branch or leaf; a branch has one child node per next byte. So the root
 * counts 1, a compressed run 1 more, a branch 1 plus its children. Stateless.
 */
public final class RadixTreeShape {
    private RadixTreeShape() {
    }

    /** The node count for {@code sortedKeys} (ascending, distinct). O(k * 16). */
    public static long nodes(List<StreamId> sortedKeys) {
        byte[][] keys = new byte[sortedKeys.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = PendingEntry.key(sortedKeys.get(i));
        }
        return count(keys, 0, keys.length, 0);
    }

    /** The nodes of the subtree at {@code depth} holding keys [from, to), all sharing that prefix. */
    private static long count(byte[][] keys, int from, int to, int depth) {
        if (to - from == 0) {
            return 1; // an empty tree is its root
        }
        if (depth == StreamId.BYTES) {
            return 1; // a leaf
        }
        if (to - from == 1) {
            return 2; // compressed up to the leaf
        }
        int common = commonPrefix(keys[from], keys[to - 1], depth);
        if (common > depth) {
            return 1 + count(keys, from, to, common); // a compressed run to the branch
        }
        long nodes = 1;
        int start = from;
        for (int i = from + 1; i <= to; i++) {
            if (i == to || keys[i][depth] != keys[start][depth]) {
                nodes += count(keys, start, i, depth + 1);
                start = i;
            }
        }
        return nodes;
    }

    private static int commonPrefix(byte[] a, byte[] b, int from) {
        int i = from;
        while (i < StreamId.BYTES && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
