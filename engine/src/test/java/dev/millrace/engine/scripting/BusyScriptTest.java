package dev.millrace.engine.scripting;

import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.millrace.engine.testing.EngineHarness.asMap;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A script past busy-reply-threshold serves other clients from its hook ({@link Scripting#whileBusy}),
 * between two Lua instructions, as Redis's processEventsWhileBlocked does: their commands pass the
 * usual gates, then only allow_busy ones run (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS, HELLO,
 * MULTI, SHUTDOWN NOSAVE, ...) and the rest get BUSY. The transport serves sockets the same way
 * (protocol's BusyScriptIT); here another client's commands are issued from the hook directly. The
 * harness's clock stands still unless a test moves it.
 */
class BusyScriptTest {
    private static final String LOOP = "while true do end";
    private static final String SPIN_LIBRARY = "#!lua name=lib\nredis.register_function('spin', function() while true do end end)";

    private final EngineHarness h = new EngineHarness();
    private final Session other = h.engine.connect(Connection.NONE);
    private final ReplyCapture otherReplies = new ReplyCapture(2);
    /** The other client's replies to the commands of {@link #onceBusy}. */
    private final List<Object> busyReplies = new ArrayList<>();

    BusyScriptTest() {
        h.config.set("busy-reply-threshold", "0", true);
    }

    /**
     * At the script's first busy hook, runs {@code steps} in order: a {@code List<String>} is a command
     * of the other client (its reply goes to {@link #busyReplies}), a {@code Runnable} runs as it is.
     */
    private void onceBusy(Object... steps) {
        h.engine.scripting().whileBusy(() -> {
            h.engine.scripting().whileBusy(() -> { });
            for (Object step : steps) {
                if (step instanceof Runnable action) {
                    action.run();
                    continue;
                }
                List<?> command = (List<?>) step;
                byte[][] argv = new byte[command.size()][];
                for (int i = 0; i < argv.length; i++) {
                    argv[i] = ((String) command.get(i)).getBytes(StandardCharsets.ISO_8859_1);
                }
                h.engine.executeWhileBusy(other, argv, otherReplies);
                busyReplies.add(otherReplies.last());
            }
        });
    }

    private static String killed(String script, int line) {
        return "ERR Script killed by user with SCRIPT KILL... script: " + Scripting.sha1hex(script.getBytes())
                + ", on @user_script:" + line + ".";
    }

    @Test
    void aLoopingScriptIsKilledByAnotherClient() {
        String script = "local i = 0\nwhile true do i = i + 1 end";
        onceBusy(List.of("FUNCTION", "KILL"), List.of("SCRIPT", "KILL"));
        assertEquals(err(killed(script, 2)), h.run("EVAL", script, "0"));
        assertEquals(List.of(err(Errors.BUSY_EVAL), "OK"), busyReplies, "FUNCTION KILL does not stop an EVAL; SCRIPT KILL does");
        assertFalse(h.engine.scripting().running());
        assertEquals(err("NOTBUSY No scripts in execution right now."), h.run("SCRIPT", "KILL"));
        assertEquals(2L, h.run("EVAL", "return 2", "0"), "the interpreter runs scripts again");
    }

    @Test
    void aScriptCatchingTheKillWithPcallStillStops() {
        String script = "while true do pcall(function() while true do end end) end";
        onceBusy(List.of("SCRIPT", "KILL"));
        assertEquals(err(killed(script, 1)), h.run("EVAL", script, "0"));
    }

    @Test
    void aScriptThatWroteCannotBeKilled() {
        String script = "redis.call('set', 'k', 'v') local i = 0 while i < 3e6 do i = i + 1 end return i";
        onceBusy(List.of("SCRIPT", "KILL"), List.of("FUNCTION", "KILL"));
        assertEquals(3_000_000L, h.run("EVAL", script, "0"));
        ReplyCapture.Err unkillable = err("UNKILLABLE Sorry the script already executed write commands against the dataset."
                + " You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
        assertEquals(List.of(unkillable, unkillable), busyReplies);
        assertEquals(List.of("0:SET k v"), h.effects());
    }

    @Test
    void aKillRequestedBeforeTheFirstWriteStopsTheWrite() {
        String script = "local i = 0 while i < 2e6 do i = i + 1 end redis.call('set', 'k', 'v') return 1";
        onceBusy(List.of("SCRIPT", "KILL"));
        assertEquals(err(killed(script, 1)), h.run("EVAL", script, "0"));
        assertEquals(0L, h.run("EXISTS", "k"));
        assertEquals(List.of(), h.effects());
    }

    @Test
    void otherCommandsPassTheUsualGatesThenGetBusyUnlessAllowed() {
        onceBusy(
                List.of("GET", "k"), List.of("SET", "k", "v"), List.of("FOO"), List.of("GET"),
                List.of("FUNCTION", "STATS"), List.of("SHUTDOWN"), List.of("SHUTDOWN", "SAVE"), List.of("SHUTDOWN", "ABORT"),
                List.of("HELLO", "3"), List.of("SCRIPT", "KILL"));
        h.run("EVAL", LOOP, "0");
        ReplyCapture.Err busy = err(Errors.BUSY_EVAL);
        assertEquals(List.of(busy, busy, err("ERR unknown command 'FOO', with args beginning with: "),
                err("ERR wrong number of arguments for 'get' command"), busy, busy, busy,
                err("ERR No shutdown in progress.")), busyReplies.subList(0, 8));
        Map<Object, Object> hello = asMap(busyReplies.get(8));
        assertEquals(3L, hello.get("proto"));
        assertEquals(3, other.protocol(), "HELLO switched the client's protocol while the script ran");
        assertEquals(0L, h.run("EXISTS", "k"), "the refused SET did not run");
    }

    @Test
    void aCommandRefusedInsideMultiAbortsTheTransactionAndExecIsRefusedToo() {
        onceBusy(List.of("MULTI"), List.of("GET", "k"), List.of("WATCH", "k"),
                List.of("HELLO"), List.of("EXEC"), List.of("SCRIPT", "KILL"));
        h.run("EVAL", LOOP, "0");
        assertEquals(List.of("OK", err(Errors.BUSY_EVAL), err("ERR WATCH inside MULTI is not allowed"), "QUEUED",
                err("EXECABORT Transaction discarded because of: " + Errors.BUSY_EVAL), "OK"), busyReplies);
        assertNull(other.transaction(), "EXEC's refusal ended the transaction");
    }

    @Test
    void aSubscribedResp2ClientIsRefusedByItsOwnGateFirst() {
        h.engine.execute(other, new byte[][] {"SUBSCRIBE".getBytes(), "ch".getBytes()}, otherReplies);
        onceBusy(List.of("GET", "k"), List.of("PING"), List.of("SCRIPT", "KILL"), (Runnable) () -> h.engine.scripting().kill(false));
        h.run("EVAL", LOOP, "0");
        assertEquals(List.of(err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
                + " are allowed in this context"), err(Errors.BUSY_EVAL), err("ERR Can't execute 'script|kill': only (P|S)SUBSCRIBE"
                + " / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")), busyReplies);
    }

    @Test
    void aBusyFunctionIsReportedByFunctionStatsAndOnlyFunctionKillStopsIt() {
        h.run("FUNCTION", "LOAD", SPIN_LIBRARY);
        onceBusy(List.of("GET", "k"), List.of("SCRIPT", "KILL"), (Runnable) () -> h.advance(1234),
                List.of("FUNCTION", "STATS"), List.of("FUNCTION", "KILL"));
        assertEquals(err("ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2."),
                h.run("FCALL", "spin", "0"));
        assertEquals(List.of(err(Errors.BUSY_FUNCTION), err(Errors.BUSY_FUNCTION)), busyReplies.subList(0, 2));
        Map<Object, Object> running = asMap(asMap(busyReplies.get(2)).get("running_script"));
        assertEquals("spin", running.get("name"));
        assertEquals(List.of("FCALL", "spin", "0"), running.get("command"));
        assertEquals(1234L, running.get("duration_ms"));
        assertEquals("OK", busyReplies.get(3));
        assertNull(asMap(h.run("FUNCTION", "STATS")).get("running_script"), "nothing runs any more");
    }

    @Test
    void shutdownNosaveExitsAtOnceAndNothingElseStopsTheServer() {
        AtomicInteger exits = new AtomicInteger();
        h.engine.onExitNow(exits::incrementAndGet);
        onceBusy(List.of("SHUTDOWN", "NOW"), (Runnable) () -> assertEquals(0, exits.get()),
                List.of("SHUTDOWN", "NOSAVE"), List.of("SCRIPT", "KILL"));
        h.run("EVAL", LOOP, "0");
        assertEquals(1, exits.get(), "SHUTDOWN NOSAVE ended the process (here: the hook the test set)");
        assertEquals(List.of(err(Errors.BUSY_EVAL), "OK"), List.of(busyReplies.get(0), busyReplies.get(2)));
    }

    @Test
    void nothingIsServedBeforeTheThresholdAndAtMostEveryFewMillisecondsAfter() {
        AtomicInteger serves = new AtomicInteger();
        h.engine.scripting().whileBusy(serves::incrementAndGet);
        h.config.set("busy-reply-threshold", "100", true);
        String script = "local i = 0 while i < 2e6 do i = i + 1 end return i";
        assertEquals(2_000_000L, h.run("EVAL", script, "0"));
        assertEquals(0, serves.get(), "the clock stands still: the script never ran 100 ms");
        h.config.set("busy-reply-threshold", "0", true);
        assertEquals(2_000_000L, h.run("EVAL", script, "0"));
        assertEquals(1, serves.get(), "dozens of hooks, one serve: the clock never moved the interval on");
    }
}
