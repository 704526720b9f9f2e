package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.types.SetValue;
import dev.millrace.engine.types.ZSet;

import java.util.Iterator;

/**
 * How the sorted-set algebra (ZUNION, ZINTER, ZDIFF ...) reads a plain set key: as an input whose
 * members all score 1, as Redis allows. The one place the sorted-set code reads a set record, through
 * the set family's own reader ({@link StoredSet}). An intset's members come as their decimal text,
 * as Redis's zuiNext gives them.
 */
final class SetSource {
    private SetSource() {
    }

    static ZSetAlgebraCommands.Source read(Call call, byte[] record) {
        SetValue set = StoredSet.load(call, record).value();
        return new ZSetAlgebraCommands.Source() {
            @Override
            public long size() {
                return set.size();
            }

            @Override
            public Double score(byte[] member) {
                return set.contains(member) ? 1.0 : null;
            }

            @Override
            public Iterator<ZSet.Element> elements() {
                Iterator<byte[]> members = set.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return members.hasNext();
                    }

                    @Override
                    public ZSet.Element next() {
                        return new ZSet.Element(members.next(), 1.0);
                    }
                };
            }
        };
    }
}
