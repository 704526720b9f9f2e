package dev.millrace.engine.config;

import java.util.ArrayList;
import java.util.List;

/** Splits a redis.conf line into words, honouring double and single quotes as Redis's sdssplitargs. */
final class ConfigWords {
    private ConfigWords() { }

    /** @return the words, or null when quotes are unbalanced */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return words;
            }
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (i < n) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == '\\' && quote == '"' && i + 1 < n) {
                        char e = line.charAt(++i);
                        word.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            default -> e;
                        });
                    } else if (c == quote) {
                        quote = 0;
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            return null;
                        }
                    } else {
                        word.append(c);
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (Character.isWhitespace(c)) {
                    break;
                } else {
                    word.append(c);
                }
                i++;
            }
            if (quote != 0) {
                return null;
            }
            words.add(word.toString());
        }
    }
}
