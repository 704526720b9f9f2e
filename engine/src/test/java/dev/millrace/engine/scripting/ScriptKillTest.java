package dev.millrace.engine.scripting;

import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * SCRIPT KILL as the transport will request it: from another thread while the execution thread runs
 * the script ({@link Scripting#kill} is the thread-safe entry point).
 */
class ScriptKillTest {
    private final EngineHarness h = new EngineHarness();
    private final ExecutorService executionThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executionThread.shutdownNow();
    }

    private Future<Object> evalInBackground(String script) {
        Future<Object> reply = executionThread.submit(() -> h.run("EVAL", script, "0"));
        // Polled every millisecond from the start: a script that ends within a poll interval (a busy
        // machine can pause this thread that long) would never be seen running.
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(10, TimeUnit.SECONDS)
                .until(() -> h.engine.scripting().runningSince() >= 0);
        return reply;
    }

    private static String killed(String script, int line) {
        return "ERR Script killed by user with SCRIPT KILL... script: " + Scripting.sha1hex(script.getBytes())
                + ", on @user_script:" + line + ".";
    }

    @Test
    void aLoopingScriptIsKilledFromAnotherThread() throws Exception {
        String script = "local i = 0\nwhile true do i = i + 1 end";
        Future<Object> reply = evalInBackground(script);
        assertEquals(Errors.BUSY_EVAL, h.engine.scripting().kill(true), "FUNCTION KILL does not stop an EVAL");
        assertNull(h.engine.scripting().kill(false), "SCRIPT KILL is accepted: OK");
        assertEquals(err(killed(script, 2)), reply.get(10, TimeUnit.SECONDS));
        assertEquals(-1, h.engine.scripting().runningSince());
        assertEquals(err("NOTBUSY No scripts in execution right now."), h.run("SCRIPT", "KILL"));
        assertEquals(2L, h.run("EVAL", "return 2", "0"), "the interpreter runs scripts again");
    }

    @Test
    void aScriptCatchingTheKillWithPcallStillStops() throws Exception {
        String script = "while true do pcall(function() while true do end end) end";
        Future<Object> reply = evalInBackground(script);
        assertNull(h.engine.scripting().kill(false));
        assertEquals(err(killed(script, 1)), reply.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aScriptThatWroteCannotBeKilled() throws Exception {
        String script = "redis.call('set', 'k', 'v') local i = 0 while i < 3e7 do i = i + 1 end return i";
        Future<Object> reply = evalInBackground(script);
        // FUNCTION KILL never stops an EVAL (BUSY_EVAL while it has not written), so asking it waits,
        // harmlessly, for the script's first write: seen running is not yet seen writing.
        await().pollInterval(Duration.ofMillis(1)).atMost(10, TimeUnit.SECONDS)
                .until(() -> Errors.UNKILLABLE.equals(h.engine.scripting().kill(true)));
        assertEquals("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either"
                + " wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
                h.engine.scripting().kill(false));
        assertEquals(30_000_000L, reply.get(60, TimeUnit.SECONDS));
        assertEquals(List.of("0:SET k v"), h.effects());
    }

    @Test
    void aKillRequestedBeforeTheFirstWriteStopsTheWrite() throws Exception {
        String script = "local i = 0 while i < 2e7 do i = i + 1 end redis.call('set', 'k', 'v') return 1";
        Future<Object> reply = evalInBackground(script);
        assertNull(h.engine.scripting().kill(false));
        Object result = reply.get(60, TimeUnit.SECONDS);
        assertEquals(err(killed(script, 1)), result);
        assertEquals(0L, h.run("EXISTS", "k"));
        assertEquals(List.of(), h.effects());
    }
}
