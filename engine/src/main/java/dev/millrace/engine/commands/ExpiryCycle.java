package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;

/** Active expiry: TODO(helper). */
public final class ExpiryCycle {
    private final Engine engine;

    public ExpiryCycle(Engine engine) {
        this.engine = engine;
    }

    public void run(long nowMillis) {
    }
}
