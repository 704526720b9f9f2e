package dev.millrace.engine.effect;

/**
 * One deterministic write, as a command that reproduces it exactly when replayed in database
 * {@code db}: relative TTLs already turned into absolute ones, conditions already decided, expiry
 * and eviction as DEL. What the AOF stores and (later) what replicas receive.
 */
public record Effect(int db, byte[][] argv) {
}
