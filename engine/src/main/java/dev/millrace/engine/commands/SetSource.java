package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;

/**
 * How the sorted-set algebra (ZUNION, ZINTER, ZDIFF ...) reads a plain set key: as an input whose
 * members all score 1, as Redis allows. The set family owns the set record format; this is the one
 * place the sorted-set code reads a set record, to be pointed at the set family's reader when both
 * are on one branch. Until then a set record cannot be created here, so this is never reached.
 */
final class SetSource {
    private SetSource() {
    }

    static ZSetAlgebraCommands.Source read(Call call, byte[] record) {
        throw new UnsupportedOperationException("set records are read by the set family, not merged on this branch");
    }
}
