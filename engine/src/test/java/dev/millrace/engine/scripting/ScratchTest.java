package dev.millrace.engine.scripting;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void scratch() {
        EngineHarness h = new EngineHarness();
        for (String s : System.getProperty("scripts", "return 1").split(";;")) {
            System.out.println(s + " => " + h.run("EVAL", s, "1", "k", "v"));
        }
    }
}
