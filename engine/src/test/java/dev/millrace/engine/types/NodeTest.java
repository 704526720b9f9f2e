package dev.millrace.engine.types;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node changed in place, with room to spare in its buffer, against a list model: after every
 * insert, replacement and removal its page bytes ({@link Node#bytes()}, trimmed) read back as the
 * same entries, and the node's own view agrees. Its searches (by the 4-byte key prefixes, then the
 * key bytes) agree with a binary search of a sorted list, whatever the keys' spread.
 */
class NodeTest {

    @Test
    void inPlaceSplicesKeepThePageBytesExact() {
        Random r = new Random(42);
        Node node = Node.emptyLeaf();
        List<byte[]> model = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            int op = r.nextInt(10);
            if (op < 5 || model.isEmpty()) {
                int at = endBiasedPosition(r, model.size());
                byte[] v = value(r);
                model.add(at, v);
                node.insertEntry(at, Node.EMPTY, v);
            } else if (op < 7) {
                int at = r.nextInt(model.size());
                byte[] v = value(r);
                model.set(at, v);
                node.setValue(at, v);
            } else {
                int from = r.nextBoolean() ? (r.nextBoolean() ? 0 : model.size() - 1) : r.nextInt(model.size());
                int to = from + 1 + r.nextInt(Math.min(3, model.size() - from));
                model.subList(from, to).clear();
                node.removeEntries(from, to);
            }
            assertSame(model, node);
            Node reread = Node.of(node.bytes().clone());
            assertEquals(node.size(), node.bytes().length);
            assertSame(model, reread);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashes", "skewed", "shared-prefix", "short"})
    void searchesAgreeWithASortedList(String spread) {
        Random r = new Random(spread.hashCode());
        for (int round = 0; round < 300; round++) {
            TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
            int size = 1 + r.nextInt(r.nextBoolean() ? 12 : 300);
            while (keys.size() < size) {
                keys.add(key(r, spread));
            }
            List<byte[]> sorted = new ArrayList<>(keys);
            Node leaf = Node.emptyLeaf();
            Node inner = Node.emptyInner();
            for (int i = 0; i < size; i++) {
                leaf.insertEntry(i, sorted.get(i), Node.EMPTY);
                inner.insertChild(i, i, 1, i == 0 ? Node.EMPTY : sorted.get(i));
            }
            for (int probe = 0; probe < 200; probe++) {
                byte[] key = r.nextBoolean() ? sorted.get(r.nextInt(size)) : key(r, spread);
                int expected = Collections.binarySearch(sorted, key, Arrays::compareUnsigned);
                assertEquals(expected, leaf.find(key));
                // the last child whose separator is <= key; separator 0 is empty, below every key
                int lastAtOrBelow = expected >= 0 ? expected : -expected - 2;
                assertEquals(Math.max(lastAtOrBelow, 0), inner.childFor(key));
            }
        }
    }

    private static byte[] key(Random r, String spread) {
        byte[] key = switch (spread) {
            case "hashes" -> new byte[8 + r.nextInt(4)];
            case "short" -> new byte[r.nextInt(6)];
            default -> null;
        };
        if (key != null) {
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) (spread.equals("short") ? r.nextInt(3) : r.nextInt(256));
            }
            return key;
        }
        if (spread.equals("skewed")) { // most prefixes crowd near zero, a few spread to the top
            long bits = (long) (Math.pow(r.nextDouble(), 12) * Long.MAX_VALUE);
            key = new byte[8];
            Bytes.putLong(key, 0, bits);
            return key;
        }
        String name = r.nextInt(8) == 0 ? "z" + r.nextInt(50) : "user:" + r.nextInt(100_000);
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(Random r) {
        return ("v" + r.nextInt(1_000_000) + "x".repeat(r.nextInt(r.nextInt(20) == 0 ? 200 : 8)))
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertSame(List<byte[]> model, Node node) {
        assertEquals(model.size(), node.n);
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), node.value(i));
        }
    }

    /** A position to insert at in a list of {@code size}: a third at the head, a third at the tail (as pushes), a third anywhere. */
    static int endBiasedPosition(Random r, int size) {
        return switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> size;
            default -> r.nextInt(size + 1);
        };
    }
}
