package dev.millrace.engine.scripting;

import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.rdb.Rdb;
import dev.millrace.engine.reply.Errors;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The function libraries (FUNCTION LOAD): each library's code and the functions it registered, by
 * library and by function name. Execution thread only.
 *
 * <p><b>Persistence.</b> The library set is not part of any database, yet it must outlive restarts and
 * snapshots (which copy the key store and replay the log over the copy). So it lives in the key
 * store as one reserved page, object id {@link #STORE_OBJECT_ID} page 0, holding the same payload
 * FUNCTION DUMP returns; no key owns it, so no command, scan or flush of a database sees or removes it.
 * Every change rewrites the page, and the FUNCTION command is logged as its effect, so replaying the
 * log over an older copy of the store (recovery, a snapshot build) reaches the same set.
 *
 * <p><b>Payload</b> (FUNCTION DUMP / RESTORE): Redis 7.0's, byte for byte. Per library the opcode
 * {@link Rdb#OPCODE_FUNCTION2} and its code (with its {@code #!lua name=} line) as an RDB string
 * (LZF-compressed when that pays, as Redis does), then the RDB version (10) and a CRC-64 of all before
 * it ({@link Rdb#dumpPayload}). Libraries come in load order (Redis's come in hash order). Reading also
 * takes the 7.0 release candidates' libraries ({@link Rdb#OPCODE_FUNCTION_PRE_GA}), as Redis 7.0 does.
 * Loading a payload recompiles each library from its code. Pages written before Millrace spoke this
 * format hold its own (see {@link #storedCodes}); they still load, and the next change rewrites them.
 */
final class FunctionLibraries {
    /** The reserved page holding the library set: object ids the store allocates start at 1. */
    static final long STORE_OBJECT_ID = -1;
    /** How the payloads Millrace wrote before it wrote Redis's start (see {@link #legacyCodes}). */
    private static final byte[] LEGACY_MAGIC = {'M', 'R', 'F', 'N'};
    private static final int LEGACY_VERSION = 1;

    /** A registered function: its Lua function's registry slot and what FUNCTION LIST shows (flags in Redis's order). */
    record Function(String name, String library, int ref, String description, List<String> flags) {
        boolean readOnly() {
            return flags.contains("no-writes");
        }
    }

    /** A loaded library: its code and its functions in registration order. */
    record Library(String name, byte[] code, Map<String, Function> functions) {
    }

    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();

    Library library(String name) {
        return libraries.get(name);
    }

    Function function(String name) {
        return functions.get(name);
    }

    List<Library> all() {
        return new ArrayList<>(libraries.values());
    }

    int functionCount() {
        return functions.size();
    }

    /** The function of another library than {@code except} that has one of these names, or null. */
    String collision(Library candidate, String except) {
        for (String name : candidate.functions().keySet()) {
            Function existing = functions.get(name);
            if (existing != null && !existing.library().equals(except)) {
                return name;
            }
        }
        return null;
    }

    /** Adds (or replaces) a library; returns the library it replaced, whose functions the caller releases. */
    Library put(Library library) {
        Library old = remove(library.name());
        libraries.put(library.name(), library);
        functions.putAll(library.functions());
        return old;
    }

    Library remove(String name) {
        Library old = libraries.remove(name);
        if (old != null) {
            old.functions().keySet().forEach(functions::remove);
        }
        return old;
    }

    void clear() {
        libraries.clear();
        functions.clear();
    }

    byte[] dump() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Library library : libraries.values()) {
            body.write(Rdb.OPCODE_FUNCTION2);
            Rdb.writeString(body, library.code());
        }
        return Rdb.dumpPayload(body);
    }

    /** A payload read: the library codes in order, then the error reply that stopped the reading, or null. */
    record Parsed(List<byte[]> codes, String error) {
    }

    /**
     * Reads a payload as Redis's functionRestoreCommand does: the trailer is checked first, then
     * libraries are read while more than the trailer is left (a library's string may run into it).
     * The caller creates the libraries in order and reports the first error, so that a library that
     * does not compile is reported before a broken one after it, as in Redis.
     */
    static Parsed parse(byte[] payload) {
        if (!Rdb.validDumpPayload(payload)) {
            return new Parsed(List.of(), Errors.FUNCTION_BAD_PAYLOAD);
        }
        Rdb.Reader in = new Rdb.Reader(payload);
        List<byte[]> codes = new ArrayList<>();
        while (payload.length - in.position() > Rdb.TRAILER) {
            int type = in.type();
            Object code = switch (type) {
                case Rdb.OPCODE_FUNCTION2 -> orError(in.string(), "ERR Failed loading library payload");
                case Rdb.OPCODE_FUNCTION_PRE_GA -> preGaCode(in);
                default -> "ERR given type is not a function";
            };
            if (code instanceof String error) {
                return new Parsed(codes, error);
            }
            codes.add((byte[]) code);
        }
        return new Parsed(codes, null);
    }

    private static Object orError(byte[] value, String error) {
        return value != null ? value : error;
    }

    /**
     * A release candidate's library (name, engine, a description flag and maybe a description, then
     * the code without its first line) as the code Redis makes of it: {@code #!<engine> name=<name>}
     * and the code, each cut at its first NUL as C's {@code %s} cuts it.
     */
    private static Object preGaCode(Rdb.Reader in) {
        byte[] name = in.string();
        if (name == null) {
            return "ERR Failed loading library name";
        }
        byte[] engine = in.string();
        if (engine == null) {
            return "ERR Failed loading engine name";
        }
        long hasDescription = in.length();
        if (hasDescription == -1) {
            return "ERR Failed loading library description indicator";
        }
        if (hasDescription != 0 && in.string() == null) {
            return "ERR Failed loading library description";
        }
        byte[] code = in.string();
        if (code == null) {
            return "ERR Failed loading library blob";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("#!".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(cString(engine));
        out.writeBytes(" name=".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(cString(name));
        out.write('\n');
        out.writeBytes(cString(code));
        return out.toByteArray();
    }

    private static byte[] cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return Arrays.copyOf(b, end);
    }

    /**
     * The library codes of the stored page, in the format it was written in: Redis's, or the one
     * Millrace wrote before ({@link #LEGACY_MAGIC}, never the first byte of Redis's). Null when the
     * page is corrupt.
     */
    static List<byte[]> storedCodes(byte[] page) {
        if (page.length >= LEGACY_MAGIC.length && Arrays.equals(page, 0, LEGACY_MAGIC.length, LEGACY_MAGIC, 0, LEGACY_MAGIC.length)) {
            return legacyCodes(page);
        }
        Parsed parsed = parse(page);
        return parsed.error() == null ? parsed.codes() : null;
    }

    /**
     * Millrace's first format: the magic, a version byte, the library count (4 bytes, big-endian),
     * per library its code's length (4 bytes) and the code, then a CRC32 of everything before (8 bytes).
     */
    private static List<byte[]> legacyCodes(byte[] payload) {
        if (payload.length < LEGACY_MAGIC.length + 1 + 4 + 8) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        CRC32 crc = new CRC32();
        crc.update(payload, 0, payload.length - 8);
        if (b.getLong(payload.length - 8) != crc.getValue()) {
            return null;
        }
        b.position(LEGACY_MAGIC.length);
        if (b.get() != LEGACY_VERSION) {
            return null;
        }
        int count = b.getInt();
        List<byte[]> codes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 4 + 8) {
                return null;
            }
            int length = b.getInt();
            if (length < 0 || b.remaining() - 8 < length) {
                return null;
            }
            byte[] code = new byte[length];
            b.get(code);
            codes.add(code);
        }
        return b.remaining() == 8 ? codes : null;
    }

    /** Writes the set to its reserved page (removes the page when there is no library). */
    void save(KeyStore store) {
        if (libraries.isEmpty()) {
            if (stored(store) != null) {
                store.removePage(STORE_OBJECT_ID, 0);
            }
        } else {
            store.putPage(STORE_OBJECT_ID, 0, dump());
        }
    }

    /** The payload the store holds, or null when it holds no library. */
    static byte[] stored(KeyStore store) {
        return store.getPage(STORE_OBJECT_ID, 0);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
