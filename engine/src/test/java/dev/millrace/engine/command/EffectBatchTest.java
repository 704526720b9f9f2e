package dev.millrace.engine.command;

import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The effects of one event-loop batch go to the log as one record, in execution order. */
class EffectBatchTest {
    private final EngineHarness h = new EngineHarness();

    private void execute(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        h.engine.execute(h.session, argv, ReplyWriter.DISCARD);
    }

    @Test
    void aBatchIsOneRecordAppendedBeforeItsRepliesLeave() {
        execute("SET", "a", "1");
        execute("GET", "a");
        execute("INCR", "a");
        assertEquals(0, h.logged.size(), "nothing is appended before afterBatch");
        h.engine.afterBatch();
        assertEquals(1, h.logged.size());
        assertEquals(List.of("0:SET a 1", "0:INCR a"), h.effects());
        h.engine.afterBatch();
        assertEquals(1, h.logged.size(), "an empty batch appends nothing");
    }

    @Test
    void shutdownAppendsTheCurrentBatchFirst() {
        execute("SET", "a", "1");
        h.engine.shutdown();
        assertEquals(List.of("0:SET a 1"), h.effects());
    }

    @Test
    void cronAppendsWhatActiveExpiryDeleted() {
        h.run("SET", "k", "v", "PX", "10");
        h.logged.clear();
        h.advance(11);
        h.engine.cron();
        assertEquals(List.of("0:DEL k"), h.effects());
    }
}
