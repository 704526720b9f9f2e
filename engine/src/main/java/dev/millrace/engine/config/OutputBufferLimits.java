package dev.millrace.engine.config;

import dev.millrace.engine.reply.Errors;

import java.util.Locale;

/**
 * {@code client-output-buffer-limit}: for each client class, the output a client may have pending
 * before the server closes it, as Redis has it. A client is closed when its pending output reaches
 * the hard limit, or stays at or above the soft limit for more than the soft seconds; 0 disables a
 * limit. Classes: normal, replica (written "slave", as CONFIG GET shows it) and pubsub (clients in
 * pub/sub mode). Immutable.
 *
 * @param normal  the limit of ordinary clients (default none)
 * @param replica the limit of replicas (Millrace has none; kept so the parameter reads as in Redis)
 * @param pubsub  the limit of subscribers (default 32 MB hard, 8 MB for 60 s soft)
 */
public record OutputBufferLimits(Limit normal, Limit replica, Limit pubsub) {

    /** Redis 7.0's default, in CONFIG GET's canonical form. */
    public static final String DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

    /** One class's limit: bytes, bytes, seconds; 0 disables the hard or the soft limit. */
    public record Limit(long hardBytes, long softBytes, long softSeconds) {
        @Override
        public String toString() {
            return Long.toUnsignedString(hardBytes) + " " + Long.toUnsignedString(softBytes) + " " + softSeconds;
        }
    }

    /** Reads the canonical form ({@link #toString()}). */
    public static OutputBufferLimits parse(String canonical) {
        return new OutputBufferLimits(null, null, null).with(canonical);
    }

    /**
     * A CONFIG SET value (or a config file line's arguments) applied to these limits: "class hard soft
     * seconds" groups, each replacing that class's limit; the last group of a class wins; an empty value
     * changes nothing. Memory sizes take Redis's units (8mb, 1k, ...).
     *
     * @throws IllegalArgumentException with Redis's reason when any group is invalid (nothing applies)
     */
    public OutputBufferLimits with(String value) {
        String trimmed = value.trim();
        String[] words = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (words.length % 4 != 0) {
            throw new IllegalArgumentException(Errors.OBUF_LIMIT_ARGUMENT_COUNT);
        }
        Limit n = normal;
        Limit r = replica;
        Limit p = pubsub;
        for (int i = 0; i < words.length; i += 4) {
            String clientClass = words[i].toLowerCase(Locale.ROOT);
            if (!clientClass.equals("normal") && !clientClass.equals("slave") && !clientClass.equals("replica")
                    && !clientClass.equals("pubsub")) {
                throw new IllegalArgumentException(Errors.OBUF_LIMIT_CLASS);
            }
            Limit limit = limit(words[i + 1], words[i + 2], words[i + 3]);
            switch (clientClass) {
                case "normal" -> n = limit;
                case "pubsub" -> p = limit;
                default -> r = limit;
            }
        }
        return new OutputBufferLimits(n, r, p);
    }

    private static Limit limit(String hard, String soft, String seconds) {
        try {
            long softSeconds = Long.parseLong(seconds);
            if (softSeconds < 0) {
                throw new IllegalArgumentException(Errors.OBUF_LIMIT_VALUE);
            }
            return new Limit(ServerConfig.parseMemory(hard), ServerConfig.parseMemory(soft), softSeconds);
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IllegalArgumentException(Errors.OBUF_LIMIT_VALUE);
        }
    }

    /** CONFIG GET's form: all three classes, sizes in bytes. */
    @Override
    public String toString() {
        return "normal " + normal + " slave " + replica + " pubsub " + pubsub;
    }
}
