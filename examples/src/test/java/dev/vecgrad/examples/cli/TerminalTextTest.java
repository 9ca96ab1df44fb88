package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TerminalTextTest {
    @Test
    void controlCharactersAreShownNotInterpreted() {
        // An escape sequence that would clear the screen, a NUL, a carriage return, DEL and a C1 control.
        assertEquals("\u241B[2J\u2400a\u240Db\u2421c\\u0085d", TerminalText.visible("\u001B[2J\u0000a\rb\u007Fc\u0085d"));
        // Line breaks, tabs and every printable character, non-ASCII included, pass unchanged.
        String plain = "First Citizen:\n\tBefore we proceed, é ü 你好 \u00A0 ~";
        assertSame(plain, TerminalText.visible(plain));
        assertEquals("", TerminalText.visible(""));
    }
}
