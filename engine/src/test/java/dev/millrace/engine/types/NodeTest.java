package dev.millrace.engine.types;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node changed in place, with room to spare in its buffer, against a list model: after every
 * insert, replacement and removal its page bytes ({@link Node#bytes()}, trimmed) read back as the
 * same entries, and the node's own view agrees.
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
