package dev.millrace.protocol.server;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.protocol.server.ServerArguments.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** redis-server's command line; the error reports are those redis-server 7.0.15 prints. */
class ServerArgumentsTest {
    private static final InputStream NO_STDIN = new ByteArrayInputStream(new byte[0]);

    private static ServerConfig configure(String... args) throws ServerArguments.StartupException {
        return ServerArguments.configure(args, NO_STDIN);
    }

    private static String failure(String... args) {
        return assertThrows(ServerArguments.StartupException.class, () -> configure(args)).getMessage();
    }

    private static String fatal(int line, String text, String reason) {
        return "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line " + line
                + "\n>>> '" + text + "'\n" + reason + "\n";
    }

    /** The reason ServerConfig gives for a value (its wording is the config's business, not tested here). */
    private static String reason(String name, String value) {
        return new ServerConfig().set(name, value, true);
    }

    @Test
    void optionsTakeTheWordsUpToTheNextOption() {
        ServerArguments.Parsed parsed = ServerArguments.parse(
                new String[]{"--port", "6380", "--save", "60", "1000", "--dir", "/x", "--appendfsync", "always"});
        assertNull(parsed.configFile());
        assertEquals(List.of(new Option("port", List.of("6380")), new Option("save", List.of("60", "1000")),
                new Option("dir", List.of("/x")), new Option("appendfsync", List.of("always"))), parsed.options());
    }

    @Test
    void aLoneSaveMeansNoSavePoints() {
        assertEquals(List.of(new Option("save", List.of("")), new Option("port", List.of("1"))),
                ServerArguments.parse(new String[]{"--save", "--port", "1"}).options());
        assertEquals(List.of(new Option("save", List.of(""))), ServerArguments.parse(new String[]{"--save"}).options());
    }

    @Test
    void anOptionWithoutValueTakesTheNextArgumentEvenIfItLooksLikeAnOption() {
        assertEquals(List.of(new Option("requirepass", List.of("--secret"))),
                ServerArguments.parse(new String[]{"--requirepass", "--secret"}).options());
        assertEquals(List.of(new Option("port", List.of("6380"))),
                ServerArguments.parse(new String[]{"--port 6380"}).options());
    }

    @Test
    void appliesOverridesOverDefaults() throws Exception {
        ServerConfig config = configure("--port", "6380", "--save", "60", "1000", "--appendfsync", "always", "--dir", "/tmp/x");
        assertEquals("6380", config.get("port"));
        assertEquals("60 1000", config.get("save"));
        assertEquals("always", config.get("appendfsync"));
        assertEquals("/tmp/x", config.get("dir"));
        assertEquals("", configure("--save").get("save"));
    }

    @Test
    void theFileComesFirstAndOptionsOverrideIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("redis.conf");
        Files.writeString(file, "# comment\nport 7000\nrequirepass \"a b\"\n");
        ServerConfig config = configure(file.toString(), "--port", "7001");
        assertEquals("7001", config.get("port"));
        assertEquals("a b", config.get("requirepass"));
    }

    @Test
    void outputBufferLimitLinesEachSetTheirClassAsInRedisConf(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("redis.conf");
        Files.writeString(file, "client-output-buffer-limit normal 1mb 0 0\nclient-output-buffer-limit pubsub 64mb 16mb 90\n");
        ServerConfig config = configure(file.toString(), "--client-output-buffer-limit", "replica", "1gb", "0", "0");
        assertEquals("normal 1048576 0 0 slave 1073741824 0 0 pubsub 67108864 16777216 90",
                config.get("client-output-buffer-limit"));
    }

    @Test
    void standardInputAddsConfiguration() throws Exception {
        InputStream stdin = new ByteArrayInputStream("port 7002\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("7002", ServerArguments.configure(new String[]{"-"}, stdin).get("port"));
    }

    @Test
    void invalidOptionsReportAsRedisDoes() {
        assertEquals(fatal(2, "port \"abc\"", reason("port", "abc")), failure("--port", "abc"));
        assertEquals(fatal(2, "nosuch \"1\"", "Bad directive or wrong number of arguments"), failure("--nosuch", "1"));
        assertEquals(fatal(2, "maxclients \"0\"", reason("maxclients", "0")), failure("--maxclients", "0"));
        assertEquals(fatal(3, "port", "wrong number of arguments"), failure("--requirepass", "a b", "--port"));
    }

    @Test
    void lineNumbersCountTheFileThenABlankLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.conf");
        Files.writeString(file, "port 7399\nfoo bar\n");
        assertEquals(fatal(2, "foo bar", "Bad directive or wrong number of arguments"), failure(file.toString(), "--port", "1"));
        Files.writeString(file, "port 7399\n");
        assertEquals(fatal(3, "port \"x\"", reason("port", "x")), failure(file.toString(), "--port", "x"));
        Files.writeString(file, "port 7399\nloglevel loud\n");
        assertEquals(fatal(2, "loglevel loud", reason("loglevel", "loud")), failure(file.toString()));
    }

    @Test
    void aMissingConfigFile() {
        assertEquals("Fatal error, can't open config file '/nonexistent.conf': No such file or directory\n",
                failure("/nonexistent.conf"));
    }

    @Test
    void valuesAreQuotedAsSdscatrepr() {
        assertEquals("\"a\\\"b\\\\c\\n\\x01\\xc3\\xa9\"", ServerArguments.repr("a\"b\\c\n\u0001\u00e9"));
    }
}
