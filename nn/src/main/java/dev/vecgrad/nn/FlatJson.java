package dev.vecgrad.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict parser for one flat JSON object whose keys are plain strings and whose values are
 * numbers (as {@code Double}) or booleans: just enough for {@link GPTConfig}. Strings with
 * escapes, nested values, null and duplicate keys are rejected with the offending position.
 */
final class FlatJson {
    private final String s;
    private final String op;
    private int i;

    private FlatJson(String s, String op) {
        this.s = s;
        this.op = op;
    }

    static Map<String, Object> parse(String json, String op) {
        if (json == null) throw new IllegalArgumentException(op + ": JSON text is null");
        return new FlatJson(json, op).object();
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        if (peek() == '}') {
            i++;
        } else {
            while (true) {
                String key = key();
                expect(':');
                Object value = value(key);
                if (out.put(key, value) != null) throw error("duplicate key \"" + key + "\"");
                char c = next();
                if (c == '}') break;
                if (c != ',') throw error("expected ',' or '}' but found '" + c + "'", i - 1);
            }
        }
        skipSpace();
        if (i < s.length()) throw error("unexpected text after the object");
        return out;
    }

    private String key() {
        expect('"');
        int start = i;
        while (i < s.length() && s.charAt(i) != '"') {
            char c = s.charAt(i);
            if (c == '\\' || c < 0x20) throw error("keys must be plain strings (no escapes or control characters)");
            i++;
        }
        if (i >= s.length()) throw error("unterminated string");
        return s.substring(start, i++);
    }

    private Object value(String key) {
        skipSpace();
        if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
        }
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        String num = s.substring(start, i);
        // JSON numbers: optional minus, no leading '+', no leading zeros, digits around the point.
        if (!num.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw error("value of \"" + key + "\" must be a number, true or false", start);
        }
        return Double.parseDouble(num);
    }

    private void expect(char want) {
        char c = next();
        if (c != want) throw error("expected '" + want + "' but found '" + c + "'", i - 1);
    }

    private char next() {
        skipSpace();
        if (i >= s.length()) throw error("unexpected end of text");
        return s.charAt(i++);
    }

    private char peek() {
        skipSpace();
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
    }

    private IllegalArgumentException error(String msg) {
        return error(msg, i);
    }

    private IllegalArgumentException error(String msg, int at) {
        return new IllegalArgumentException(op + ": invalid JSON at position " + at + ": " + msg + " in " + s);
    }
}
