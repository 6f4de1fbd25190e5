"""Models as data: herd's cat language (lexer, parser, interpreter, loader, library)."""
