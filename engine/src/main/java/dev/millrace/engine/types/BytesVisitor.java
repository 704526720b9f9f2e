package dev.millrace.engine.types;

/**
 * Receives a run of bytes in place: {@code length} bytes of {@code bytes} from {@code offset}, valid only
 * during the call (the array may be a tree node's own buffer). Lets a reader reply elements without
 * copying each into an array of its own ({@code ReplyWriter.bulk(byte[], int, int)} fits).
 */
@FunctionalInterface
public interface BytesVisitor {
    void accept(byte[] bytes, int offset, int length);
}
