package dev.millrace.engine.scripting;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EvalCommandsTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void smoke() {
        assertEquals(1L, h.run("EVAL", "return 1", "0"));
        assertEquals("OK", h.run("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"));
        assertEquals("v", h.run("EVAL", "return redis.call('get', KEYS[1])", "1", "k"));
        assertEquals(List.of(1L, 2L, 3L), h.run("EVAL", "return {1,2,3.7,nil,4}", "0"));
        assertEquals(err("ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: bbfcd1ececc90deec823f7fb730e4bfb2a4ba625, on @user_script:1."),
                h.run("EVAL", "return a", "0"));
    }
}
