"""The code of a .mod file line by line, outside its comments: COMMENT ...
ENDCOMMENT blocks are skipped, and ':' or '?' end a line's code. Used where
the translator looks at the text itself (python3-nmodl's AST gives no token
positions): refused keywords, the line of a construct, TABLE statements,
blocks found by their braces."""

import re


def code_lines(text):
    """(line number from 1, code) for every line outside COMMENT blocks."""
    in_comment = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_comment:
            in_comment = not re.match(r"\s*ENDCOMMENT\b", raw)
            continue
        if re.match(r"\s*COMMENT\b", raw):
            in_comment = True
            continue
        yield number, raw.split(":", 1)[0].split("?", 1)[0]


def matching_brace(code, open_at):
    """Index of the '}' closing the '{' at code[open_at] (code without
    comments, from code_lines), -1 if it is not closed."""
    depth = 0
    for k in range(open_at, len(code)):
        if code[k] == "{":
            depth += 1
        elif code[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1
