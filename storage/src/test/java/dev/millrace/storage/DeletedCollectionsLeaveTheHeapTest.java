package dev.millrace.storage;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.types.NodeCache;
import dev.millrace.storage.keyspace.ChronicleKeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.millrace.storage.EngineOnStorage.engineOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoded nodes of a deleted collection leave the heap as the Chronicle store deletes its pages,
 * whether the key went by DEL or with its database (FLUSHALL), instead of staying in the node cache
 * until its budget (512 MB by default) evicts them; and a server without further commands finishes
 * those deferred deletions in its idle cron ticks.
 */
class DeletedCollectionsLeaveTheHeapTest {
    @TempDir
    Path dir;

    private static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }

    private ChronicleStorage storage;
    private Engine engine;
    private ChronicleKeyStore store;

    @BeforeEach
    void open() {
        storage = EngineOnStorage.open(dir);
        engine = engineOn(storage);
        store = (ChronicleKeyStore) storage.keyStore();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DEL", "FLUSHALL"})
    void theNodesOfADeletedListGoWithItsPages(String deletion) {
        NodeCache cache = fillAndDelete(deletion);
        store.finishHousekeeping();

        assertEquals(0, cache.cachedBytes(), "no node of the deleted list is left in the cache");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DEL", "FLUSHALL"})
    void anIdleServerFinishesTheDeletionsWithoutFurtherCommands(String deletion) {
        NodeCache cache = fillAndDelete(deletion);
        assertTrue(store.housekeepingPending(), "the deletion is deferred, as a DEL or FLUSHALL of a large value is");

        int ticks = 0;
        while (store.housekeepingPending() && ticks < 1000) {
            engine.cron(); // the first tick after the write is not idle; the next ones are
            ticks++;
        }
        assertFalse(store.housekeepingPending(), "done by idle ticks alone, in " + ticks);
        assertEquals(0, cache.cachedBytes(), "and the list's nodes left the heap with its pages");
    }

    /** A plain key and a list of 50,000 elements (its nodes cached), then the list deleted by {@code deletion}. */
    private NodeCache fillAndDelete(String deletion) {
        Session session = engine.connect(Connection.NONE);
        engine.execute(session, argv("SET", "plain", "value"), ReplyWriter.DISCARD);
        for (int batch = 0; batch < 100; batch++) {
            String[] push = new String[2 + 500];
            push[0] = "RPUSH";
            push[1] = "list";
            for (int i = 0; i < 500; i++) {
                push[2 + i] = "element:" + batch + ":" + i;
            }
            engine.execute(session, argv(push), ReplyWriter.DISCARD);
            engine.afterBatch();
        }
        NodeCache cache = storage.keyStore().nodeCache();
        long held = cache.cachedBytes();
        assertTrue(held > 1_000_000, "50,000 elements of about 15 bytes are cached as nodes: " + held);

        engine.execute(session, deletion.equals("DEL") ? argv("DEL", "list") : argv("FLUSHALL"), ReplyWriter.DISCARD);
        engine.afterBatch();
        return cache;
    }
}
