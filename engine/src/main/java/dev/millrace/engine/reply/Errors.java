package dev.millrace.engine.reply;

/**
 * Canonical error texts, byte-identical to Redis 7.0 (checked with {@code resp-diff} against a real
 * redis-server). Every error a command sends comes from here so a wording fix is one edit.
 */
public final class Errors {
    private Errors() { }

    /** A command failed inside the server (see Dispatcher): not a Redis error, Redis stops instead. */
    public static String internalError(String command, RuntimeException e) {
        return "ERR internal error in '" + command + "' command (" + e + "); the server log has the details";
    }

    public static final String SYNTAX = "ERR syntax error";
    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String INCR_NAN_OR_INF = "ERR increment would produce NaN or Infinity";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String OUT_OF_RANGE = "ERR index out of range";
    public static final String DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
    public static final String INVALID_DB_INDEX = "ERR invalid DB index";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String AUTH_NOT_CONFIGURED = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String BIT_OFFSET = "ERR bit offset is not an integer or out of range";
    public static final String BIT_VALUE = "ERR bit is not an integer or out of range";
    public static final String TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
    public static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
    public static final String SCAN_CURSOR = "ERR invalid cursor";
    public static final String NX_XX_GT_LT = "ERR NX and XX, GT or LT options at the same time are not compatible";
    public static final String GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
    public static final String DEBUG_DISABLED = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";
    public static final String PROTO_UNSUPPORTED = "NOPROTO unsupported protocol version";
    public static final String BACKGROUND_SAVE_IN_PROGRESS = "ERR Background save already in progress";

    // Key and expiry commands (KeyCommands family).
    public static final String EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible";
    public static final String LFU_NOT_SELECTED = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    /**
     * EXPIRE's reply to a word that is none of NX, XX, GT, LT; the word as the client sent it. Redis trims
     * CR and LF off the ends of a formatted error, which only shows here, where the word ends the text.
     */
    public static String unsupportedOption(String option) {
        return stripTrailingNewlines("ERR Unsupported option " + cString(option));
    }

    // strings and bits (StringCommands, BitCommands)
    public static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";
    public static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    public static final String LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
    public static final String LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX.";
    public static final String LCS_TOO_MUCH_MEMORY = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    public static final String LCS_ALLOCATION_FAILED = "ERR Insufficient memory, failed allocating transient memory for LCS";
    public static final String BITPOS_BIT = "ERR The bit argument must be 1 or 0.";
    public static final String BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key.";
    public static final String BITFIELD_OVERFLOW_TYPE = "ERR Invalid OVERFLOW type specified";
    public static final String BITFIELD_TYPE = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    public static final String BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand";

    // Connection, server, CLIENT, CONFIG, DEBUG and COMMAND families.
    public static final String INVALID_FIRST_DB_INDEX = "ERR invalid first DB index";
    public static final String INVALID_SECOND_DB_INDEX = "ERR invalid second DB index";
    public static final String HELLO_PROTOVER = "ERR Protocol version is not an integer or out of range";
    public static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
    public static final String CLIENT_NAME_CHARS = "ERR Client names cannot contain spaces, newlines or special characters.";
    public static final String INVALID_CLIENT_ID = "ERR Invalid client ID";
    public static final String NO_SUCH_CLIENT = "ERR No such client";
    public static final String CLIENT_ID_POSITIVE = "ERR client-id should be greater than 0";
    public static final String SAVE_FAILED = "ERR";
    public static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";
    public static final String NO_SHUTDOWN_IN_PROGRESS = "ERR No shutdown in progress.";
    public static final String AOF_REWRITE_IN_PROGRESS = "ERR Background append only file rewriting already in progress";
    public static final String AOF_REWRITE_FAILED = "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
    public static final String DEBUG_PROTOCOL_TYPE = "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";
    public static final String RESP2_NOT_SUPPORTED = "ERR RESP2 is not supported by this command";
    public static final String INVALID_COMMAND = "ERR Invalid command specified";
    public static final String COMMAND_HAS_NO_KEYS = "ERR The command has no key arguments";
    public static final String COMMAND_ARGUMENT_COUNT = "ERR Invalid number of arguments specified for command";
    public static final String COMMAND_INVALID_ARGUMENTS = "ERR Invalid arguments specified for command";
    public static final String DEBUG_RELOAD_OPTIONS = "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";

    // Compatibility sweep (RespDiffIT): getIntFromObjectOrReply's error for a 64-bit integer outside int.
    public static final String INT_OUT_OF_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";

    // Sets (SetCommands): getPositiveLongFromObjectOrReply's default text, SRANDMEMBER's count range
    // (-LONG_MAX..LONG_MAX, so that negating it cannot overflow) and SINTERCARD's arguments.
    public static final String MUST_BE_POSITIVE = "ERR value is out of range, must be positive";
    public static final String SRANDMEMBER_COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    public static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
    public static final String NUMKEYS_OVER_ARGS = "ERR Number of keys can't be greater than number of args";
    public static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    /**
     * Millrace's own: SRANDMEMBER with a negative count past 2^31-1 asks for more elements than one
     * reply can hold. Redis 7.0.15 starts producing them and runs out of memory; Millrace refuses.
     */
    public static final String SRANDMEMBER_COUNT_TOO_LARGE = "ERR count is too large: a reply holds at most 2147483647 elements";

    // HyperLogLog commands (HyperLogLogCommands).
    public static final String HLL_NOT_A_HYPERLOGLOG = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    public static final String HLL_CORRUPTED = "INVALIDOBJ Corrupted HLL object detected";
    public static final String HLL_NO_SUCH_KEY = "ERR The specified key does not exist";
    public static final String HLL_NOT_SPARSE = "ERR HLL encoding is not sparse";
    public static final String HLL_SELFTEST_NOT_SPARSE = "TESTFAILED sparse encoding not used";
    public static final String HLL_SELFTEST_DISAGREE = "TESTFAILED dense/sparse disagree";

    public static String pfdebugSubcommand(String sub) {
        return "ERR Unknown PFDEBUG subcommand '" + cString(sub) + "'";
    }

    public static String hllSelftestRegister(int register, int expected, int actual) {
        return "TESTFAILED Register " + register + " should be " + expected + " but is " + actual;
    }

    public static String hllSelftestError(long cardinality, long error) {
        return "TESTFAILED Too big error. card:" + cardinality + " abserr:" + error;
    }

    // Hashes (HashCommands) and Redis 7.4's hash-field expiry (HashFieldExpiryCommands).
    public static final String HASH_VALUE_NOT_INTEGER = "ERR hash value is not an integer";
    public static final String HASH_VALUE_NOT_FLOAT = "ERR hash value is not a float";
    public static final String VALUE_NAN_OR_INFINITY = "ERR value is NaN or Infinity";
    /** HRANDFIELD's count with WITHVALUES beyond +-LONG_MAX/2 (its RESP2 reply is twice as long). */
    public static final String VALUE_OUT_OF_RANGE = "ERR value is out of range";
    public static final String FIELD_EXPIRE_NEGATIVE = "ERR invalid expire time, must be >= 0";
    public static final String FIELDS_MISSING = "ERR Mandatory argument FIELDS is missing or not at the right position";
    /** HEXPIRE and its variants' error for a numfields that is not a positive integer. */
    public static final String NUMFIELDS_NOT_POSITIVE = "ERR Parameter `numFields` should be greater than 0";
    /** HTTL, HPERSIST and their variants' error for a numfields that is not a positive integer. */
    public static final String NUMBER_OF_FIELDS_NOT_POSITIVE = "ERR Number of fields must be a positive integer";
    public static final String NUMFIELDS_MISMATCH = "ERR The `numfields` parameter must match the number of arguments";

    // Lists and blocking (ListCommands, blocking.BlockingTimeout, CLIENT UNBLOCK).
    public static final String TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
    public static final String LPOS_RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    public static final String LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative";
    public static final String LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    public static final String MPOP_COUNT_NOT_POSITIVE = "ERR count should be greater than 0";
    public static final String UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
    public static final String UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

    /** A container's reply to a subcommand it has but with arguments it does not take (CLIENT UNBLOCK 1 TIMEOUT x). */
    public static String subcommandSyntax(String sub, String container) {
        return "ERR unknown subcommand or wrong number of arguments for '" + truncate(cString(sub)) + "'. Try "
                + container.toUpperCase(java.util.Locale.ROOT) + " HELP.";
    }

    // Sorted sets (ZSetCommands, ZRangeCommands, ZSetAlgebraCommands).
    public static final String ZADD_XX_AND_NX = "ERR XX and NX options at the same time are not compatible";
    public static final String ZADD_INCR_ONE_PAIR = "ERR INCR option supports a single increment-element pair";
    public static final String SCORE_NAN = "ERR resulting score is not a number (NaN)";
    public static final String MIN_MAX_NOT_FLOAT = "ERR min or max is not a float";
    public static final String MIN_MAX_NOT_LEX = "ERR min or max not valid string range item";
    public static final String LIMIT_NEEDS_BYSCORE_OR_BYLEX = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    public static final String WITHSCORES_WITH_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    public static final String WEIGHT_NOT_FLOAT = "ERR weight value is not a float";

    // Geo (GeoCommands).
    public static final String GEO_UNSUPPORTED_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
    public static final String GEO_NEED_NUMERIC_RADIUS = "ERR need numeric radius";
    public static final String GEO_NEED_NUMERIC_WIDTH = "ERR need numeric width";
    public static final String GEO_NEED_NUMERIC_HEIGHT = "ERR need numeric height";
    public static final String GEO_RADIUS_NEGATIVE = "ERR radius cannot be negative";
    public static final String GEO_BOX_NEGATIVE = "ERR height or width cannot be negative";
    public static final String GEO_MEMBER_NOT_DECODED = "ERR could not decode requested zset member";
    public static final String GEO_COUNT_NOT_POSITIVE = "ERR COUNT must be > 0";
    public static final String GEO_ANY_NEEDS_COUNT = "ERR the ANY argument requires COUNT argument";
    public static final String GEORADIUS_STORE_WITH = "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
    public static final String GEOSEARCHSTORE_WITH = "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options";

    /** {@code %f} of each coordinate, as C prints them. */
    public static String geoInvalidPair(String longitude, String latitude) {
        return "ERR invalid longitude,latitude pair " + longitude + "," + latitude;
    }

    public static String geoNeedsFrom(String command) {
        return "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + command;
    }

    public static String geoNeedsBy(String command) {
        return "ERR exactly one of BYRADIUS and BYBOX can be specified for " + command;
    }

    // SORT and SORT_RO (SortCommand).
    public static final String SORT_SCORE_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

    // Streams
    public static final String DEAD_LETTER_SAME_STREAM = "ERR the dead-letter stream must be another key than the stream";
    public static final String INVALID_STREAM_ID = "ERR Invalid stream ID specified as stream command argument";
    public static final String STREAM_MAXLEN_AND_MINID = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
    public static final String STREAM_MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0.";
    public static final String STREAM_LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0.";
    public static final String STREAM_LIMIT_WITHOUT_STRATEGY = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
    public static final String XTRIM_WITHOUT_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy";
    public static final String STREAM_LIMIT_WITHOUT_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option";
    public static final String XADD_ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0";
    public static final String STREAM_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items";
    public static final String XADD_ID_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    public static final String STREAM_ELEMENTS_TOO_LARGE = "ERR Elements are too large to be stored";
    public static final String STREAM_INVALID_START = "ERR invalid start ID for the interval";
    public static final String STREAM_INVALID_END = "ERR invalid end ID for the interval";
    public static final String XSETID_ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive";
    public static final String XSETID_BELOW_GIVEN_MAX_DELETED = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
    public static final String XSETID_BELOW_TOP = "ERR The ID specified in XSETID is smaller than the target stream top item";
    public static final String XSETID_ENTRIES_ADDED_BELOW_LENGTH = "ERR The entries_added specified in XSETID is smaller than the target stream length";
    public static final String XREAD_GROUP_OPTION = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
    public static final String XREAD_NOACK_OPTION = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
    public static final String XREAD_UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
    public static final String XREAD_GREATER_ID = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";

    // Stream consumer groups (StreamGroupCommands, StreamInfoCommands).
    public static final String BUSYGROUP = "BUSYGROUP Consumer Group name already exists";
    public static final String XGROUP_KEY_MISSING = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
    public static final String XGROUP_ENTRIES_READ_NEGATIVE = "ERR value for ENTRIESREAD must be positive or -1";
    public static final String XREADGROUP_DOLLAR_ID = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
    public static final String XREADGROUP_GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists";
    public static final String XREADGROUP_KEY_GONE = "UNBLOCKED the stream key no longer exists";
    public static final String XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM";
    public static final String XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM";
    public static final String XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM";
    public static final String XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM";
    public static final String XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM";
    public static final String XAUTOCLAIM_COUNT = "ERR COUNT must be > 0";

    // Transactions (MULTI, EXEC, DISCARD, WATCH, the dispatcher's queueing gate)
    public static final String MULTI_NESTED = "ERR MULTI calls can not be nested";
    public static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
    public static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
    public static final String WATCH_INSIDE_MULTI = "ERR WATCH inside MULTI is not allowed";
    public static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    public static final String NOT_ALLOWED_IN_MULTI = "ERR Command not allowed inside a transaction";

    /**
     * EXEC itself refused by a gate (arity, NOAUTH ...): the transaction is discarded and the reason
     * given without its "ERR " (Redis's execCommandAbort prints the bare message, or a code like NOAUTH).
     */
    public static String execAbort(String reason) {
        return "EXECABORT Transaction discarded because of: " + (reason.startsWith("ERR ") ? reason.substring(4) : reason);
    }

    // Pub/sub (PubSubCommands, the dispatcher's subscribed-mode gate, client-output-buffer-limit).
    public static final String OBUF_LIMIT_ARGUMENT_COUNT = "Wrong number of arguments in buffer limit configuration.";
    public static final String OBUF_LIMIT_CLASS = "Invalid client class specified in buffer limit configuration.";
    public static final String OBUF_LIMIT_VALUE = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

    /** A RESP2 client in pub/sub mode ran a command other than (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET. */
    public static String onlySubscriptionCommands(String fullName) {
        return "ERR Can't execute '" + fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
                + " are allowed in this context";
    }

    // Keyspace notifications (notify-keyspace-events)
    /** CONFIG SET notify-keyspace-events refused (the reason after {@link #configSetFailed}'s prefix). */
    public static final String NOTIFY_CLASSES_INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    // Client-side caching (CLIENT TRACKING, CLIENT CACHING)
    public static final String TRACKING_ONE_REDIRECT = "ERR A client can only redirect to a single other client";
    public static final String TRACKING_NO_SUCH_REDIRECT = "ERR The client ID you want redirect to does not exist";
    public static final String TRACKING_PREFIX_WITHOUT_BCAST = "ERR PREFIX option requires BCAST mode to be enabled";
    public static final String TRACKING_BCAST_SWITCH = "ERR You can't switch BCAST mode on/off before disabling tracking "
            + "for this client, and then re-enabling it with a different mode.";
    public static final String TRACKING_BCAST_WITH_OPTIN_OPTOUT = "ERR OPTIN and OPTOUT are not compatible with BCAST";
    public static final String TRACKING_OPTIN_AND_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode";
    public static final String TRACKING_OPTIN_OPTOUT_SWITCH = "ERR You can't switch OPTIN/OPTOUT mode before disabling "
            + "tracking for this client, and then re-enabling it with a different mode.";
    public static final String CACHING_WITHOUT_TRACKING = "ERR CLIENT CACHING can be called only when the client is in "
            + "tracking mode with OPTIN or OPTOUT mode enabled";
    public static final String CACHING_YES_WITHOUT_OPTIN = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
    public static final String CACHING_NO_WITHOUT_OPTOUT = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

    /** A BCAST prefix that overlaps one the client registered before. */
    public static String trackingPrefixOverlapsExisting(String prefix, String existing) {
        return "ERR Prefix '" + cString(prefix) + "' overlaps with an existing prefix '" + cString(existing)
                + "'. Prefixes for a single client must not overlap.";
    }

    /** A BCAST prefix that overlaps another prefix of the same command. */
    public static String trackingPrefixOverlapsGiven(String prefix, String other) {
        return "ERR Prefix '" + cString(prefix) + "' overlaps with another provided prefix '" + cString(other)
                + "'. Prefixes for a single client must not overlap.";
    }

    // Scripting (EVAL, SCRIPT, FUNCTION, FCALL and redis.call inside scripts)
    public static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
    public static final String SCRIPT_TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
    public static final String SCRIPT_NEGATIVE_KEYS = "ERR Number of keys can't be negative";
    public static final String SCRIPT_FLUSH_MODE = "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
    public static final String SCRIPT_DEBUG_USAGE = "ERR Use SCRIPT DEBUG YES/SYNC/NO";
    public static final String SCRIPT_DEBUGGER_UNSUPPORTED = "ERR Millrace has no Lua debugger: only SCRIPT DEBUG NO is supported";
    public static final String NOTBUSY = "NOTBUSY No scripts in execution right now.";
    public static final String FUNCTION_LOAD_TIMEOUT = "ERR FUNCTION LOAD timeout";
    public static final String UNKILLABLE = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
    public static final String BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    public static final String BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    public static final String SCRIPT_KILLED = "ERR Script killed by user with SCRIPT KILL...";
    public static final String SCRIPT_NO_ARGUMENTS = "ERR Please specify at least one argument for this redis lib call";
    public static final String SCRIPT_BAD_ARGUMENTS = "ERR Lua redis lib command arguments must be strings or integers";
    public static final String SCRIPT_UNKNOWN_COMMAND = "ERR Unknown Redis command called from script";
    public static final String SCRIPT_WRONG_ARITY = "ERR Wrong number of args calling Redis command from script";
    public static final String SCRIPT_NOSCRIPT_COMMAND = "ERR This Redis command is not allowed from script";
    public static final String SCRIPT_WRITE_IN_READ_ONLY = "ERR Write commands are not allowed from read-only scripts.";
    public static final String FUNCTION_BAD_NAME = "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
    public static final String FUNCTION_NOT_FOUND = "ERR Function not found";
    public static final String FUNCTION_WRITE_IN_READ_ONLY = "ERR Can not execute a script with write flag using *_ro command.";
    public static final String FUNCTION_BAD_NUMKEYS = "ERR Bad number of keys provided";
    public static final String FUNCTION_LIBRARY_NOT_FOUND = "ERR Library not found";
    public static final String FUNCTION_FLUSH_MODE = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
    public static final String FUNCTION_BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
    public static final String FUNCTION_RESTORE_POLICY = "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";

    /** XPENDING, XCLAIM, XAUTOCLAIM on a missing key or group. */
    public static String noGroup(String key, String group) {
        return formatted("NOGROUP No such key '" + cString(key) + "' or consumer group '" + cString(group) + "'");
    }

    /** XREADGROUP on a missing key or group. */
    public static String noGroupForXreadgroup(String key, String group) {
        return formatted("NOGROUP No such key '" + cString(key) + "' or consumer group '" + cString(group)
                + "' in XREADGROUP with GROUP option");
    }

    /** XGROUP and XINFO CONSUMERS on a missing group of an existing stream. */
    public static String noGroupOfKey(String group, String key) {
        return formatted("NOGROUP No such consumer group '" + cString(group) + "' for key name '" + cString(key) + "'");
    }

    public static String xclaimOption(String option) {
        return formatted("ERR Unrecognized XCLAIM option '" + cString(option) + "'");
    }

    /** Redis's addReplyErrorFormat turns line breaks in a formatted error into spaces. */
    private static String formatted(String message) {
        return message.replace('\r', ' ').replace('\n', ' ');
    }


    public static String atLeastOneInputKey(String command) {
        return "ERR at least 1 input key is needed for '" + command + "' command";
    }

    public static String helloOption(String option) {
        return "ERR Syntax error in HELLO option '" + cString(option) + "'";
    }

    public static String unknownClientType(String type) {
        return "ERR Unknown client type '" + cString(type) + "'";
    }

    public static String noSuchUser(String user) {
        return "ERR No such user '" + cString(user) + "'";
    }

    public static String clientSetinfoOption(String option) {
        return "ERR Unrecognized option '" + cString(option) + "'";
    }

    public static String clientSetinfoChars(String option) {
        return "ERR " + cString(option) + " cannot contain spaces, newlines or special characters.";
    }

    public static String debugSubcommand(String sub) {
        return "ERR unknown subcommand or wrong number of arguments for '" + truncate(cString(sub)) + "'. Try DEBUG HELP.";
    }

    public static String configSetUnknown(String name) {
        return "ERR Unknown option or number of arguments for CONFIG SET - '" + cString(name) + "'";
    }

    public static String configSetFailed(String name, String reason) {
        return "ERR CONFIG SET failed (possibly related to argument '" + cString(name) + "') - " + reason;
    }

    public static String wrongArity(String command) {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    /** Redis quotes each argument as {@code 'arg' } and stops after 128 characters of them. */
    public static String unknownCommand(String name, byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            String a = cString(new String(argv[i], java.nio.charset.StandardCharsets.ISO_8859_1));
            int room = 128 - args.length();
            args.append('\'').append(a.length() > room ? a.substring(0, room) : a).append("' ");
        }
        return ("ERR unknown command '" + truncate(cString(name)) + "', with args beginning with: " + args)
                .replace('\r', ' ').replace('\n', ' ');
    }

    public static String unknownSubcommand(String sub, String container) {
        return "ERR unknown subcommand '" + truncate(cString(sub)) + "'. Try " + container.toUpperCase(java.util.Locale.ROOT) + " HELP.";
    }

    public static String invalidExpire(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    private static String truncate(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }

    /**
     * A client's argument as Redis's {@code %s} prints it into an error: up to its first NUL byte (the
     * text is cut there, the rest of the message goes on).
     */
    private static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\r' || s.charAt(end - 1) == '\n')) {
            end--;
        }
        return s.substring(0, end);
    }
}
