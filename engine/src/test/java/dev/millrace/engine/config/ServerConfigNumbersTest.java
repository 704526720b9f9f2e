package dev.millrace.engine.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link ServerConfig#getLong} keeps its parsed value only until the parameter changes. */
class ServerConfigNumbersTest {
    @Test
    void aChangedValueIsReadAtTheNextCall() {
        ServerConfig config = new ServerConfig();
        assertEquals(512, config.getLong("hash-max-listpack-entries"));
        assertEquals(512, config.getLong("HASH-MAX-LISTPACK-ENTRIES"));
        config.set("hash-max-listpack-entries", "7", false);
        assertEquals(7, config.getLong("hash-max-listpack-entries"));
        config.set("hash-max-listpack-entries", "128", false);
        assertEquals(128, config.getLong("hash-max-listpack-entries"));
    }

    @Test
    void anUnsignedValueAboveLongMaxReadsAsLongMax() {
        ServerConfig config = new ServerConfig();
        config.set("maxmemory", "18446744073709551615", false);
        assertEquals(Long.MAX_VALUE, config.getLong("maxmemory"));
        config.set("maxmemory", "100", false);
        assertEquals(100, config.getLong("maxmemory"));
    }
}
