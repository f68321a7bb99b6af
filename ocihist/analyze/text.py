"""Values from an input placed in line-oriented text (tables, Dockerfiles)."""


def flat(text: str) -> str:
    """`text` kept on one line: its line breaks and tabs shown escaped, so that a value from
    the input can never start a line of its own (cli/output.py escapes other controls)."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
