"""The `created_by` grammars of image builders, parsed into neutral steps.

Classic Docker (`/bin/sh -c #(nop) CMD …`, `|N K=V … /bin/sh -c …`), BuildKit (`RUN … # buildkit`,
bare `ENV …` with comment `buildkit.dockerfile.v0`), buildah (`|inheritLabels=false` suffixes),
kaniko (the instruction's own text), and everything else (Jib, Bazel, LLB exporters), which is
reported as foreign. Nothing here raises on odd input: it says why a step could not be parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Literal

Style = Literal["classic", "buildkit", "buildah", "kaniko", "llb", "other"]
Kind = Literal["instruction", "foreign", "invalid", "empty"]

MAX_CREATED_BY = 16 * 1024  # parsing is superlinear in places; longer steps stay verbatim in JSON
"""Longer `created_by` strings are not reconstructed (a comment says so)."""

KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
DEFAULT_SHELL = ("/bin/sh", "-c")
WINDOWS_SHELL = ("cmd", "/S", "/C")
BUILDKIT_COMMENT_PREFIX = "buildkit.dockerfile"  # then a frontend version: .v0
LLB_COMMENT = "buildkit.exporter.image.v0"
BUILDKIT_SUFFIX = " # buildkit"
NOP = "#(nop) "

_BUILD_ARGS = re.compile(r"\|(\d{1,4}) ")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_BUILDAH_SUFFIX = re.compile(r"\|([a-z]+[A-Z][A-Za-z]*)=([^\s|]*)")
_KEYWORD = re.compile(r"([A-Za-z]+)(?:\s+|$)")
_LLB = re.compile(r"^(mount \S+ from exec |(mkdir|mkfile|copy|rm|symlink) \S)")


@dataclass(frozen=True, slots=True)
class Parsed:
    """One history step: an instruction (keyword + body) or why it is not one."""

    kind: Kind
    style: Style
    keyword: str | None = None
    body: str = ""
    build_args: tuple[tuple[str, str], ...] = ()
    exec_form: bool = False
    suffixes: tuple[tuple[str, str], ...] = ()
    reason: str = ""


def style_of(created_by: object, comment: object) -> Style:
    """Which builder wrote a step, from its `created_by` and `comment` alone."""
    text = created_by if isinstance(created_by, str) else ""
    note = comment if isinstance(comment, str) else ""
    if note.startswith(BUILDKIT_COMMENT_PREFIX) or text.endswith(BUILDKIT_SUFFIX):
        return "buildkit"
    if note == LLB_COMMENT or _LLB.match(text):
        return "llb"
    if _strip_suffixes(text)[1] or note.startswith("FROM "):
        return "buildah"
    if _shell_prefixed(text) or _BUILD_ARGS.match(text):
        return "classic"
    match = _KEYWORD.match(text)
    if match and match.group(1).upper() in KEYWORDS and match.group(1).isupper():
        return "kaniko"
    return "other"


_SHELL_WORD = re.compile(r"(/\S*/)?(sh|bash|ash|dash|zsh|ksh|pwsh|powershell|cmd)(\.exe)? ",
                         re.I)


def _shell_prefixed(text: str) -> bool:
    return bool(_SHELL_WORD.match(text))


def parse(created_by: object, comment: object = None,
          shell: tuple[str, ...] = DEFAULT_SHELL) -> Parsed:
    """Parse one `created_by` string; `shell` is the SHELL in force for RUN steps."""
    if not isinstance(created_by, str):
        return Parsed("empty", "other", reason="no created_by recorded")
    if not created_by.strip():
        return Parsed("empty", "other", reason="empty created_by")
    style = style_of(created_by, comment)
    if len(created_by) > MAX_CREATED_BY:
        return Parsed("invalid", style, reason=f"created_by of {len(created_by)} characters "
                                               "is too long to reconstruct")
    if style in ("llb", "other"):
        why = "BuildKit LLB step" if style == "llb" else "not a Dockerfile instruction"
        return Parsed("foreign", style, reason=why)
    text, suffixes = _strip_suffixes(created_by)
    if style == "buildkit" or style == "kaniko":
        return _parse_bare(text, style, shell)
    return _parse_classic(text, "buildah" if suffixes else style, shell, suffixes)


def _strip_suffixes(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    if text.endswith(BUILDKIT_SUFFIX):
        return text[: -len(BUILDKIT_SUFFIX)], ()
    found: list[tuple[str, str]] = []
    end = len(text)
    while (bar := text.rfind("|", 0, end)) >= 0:  # one backward pass: linear in the text
        match = _BUILDAH_SUFFIX.fullmatch(text, bar, end)
        if match is None:
            break
        found.append((match.group(1), match.group(2)))
        end = bar
    return text[:end], tuple(reversed(found))


def _parse_bare(text: str, style: Style, shell: tuple[str, ...]) -> Parsed:
    """BuildKit and kaniko write `KEYWORD body`; RUN bodies may carry `|N` args and a shell."""
    match = _KEYWORD.match(text)
    keyword = match.group(1).upper() if match else ""
    if not match or keyword not in KEYWORDS:
        return Parsed("invalid", style, reason="unknown instruction")
    body = text[match.end():]
    if keyword != "RUN" or style == "kaniko":  # kaniko keeps the instruction's own text
        return Parsed("instruction", style, keyword, body)
    return _parse_run(body, style, shell, bare=True)


def _parse_classic(text: str, style: Style, shell: tuple[str, ...],
                   suffixes: tuple[tuple[str, str], ...]) -> Parsed:
    for prefix in _shell_candidates(shell):
        head = " ".join(prefix) + " "
        if text.startswith(head) and text[len(head):].lstrip(" ").startswith(NOP):
            rest = text[len(head):].lstrip(" ")[len(NOP):].lstrip(" ")
            match = _KEYWORD.match(rest)
            keyword = match.group(1).upper() if match else ""
            if not match or keyword not in KEYWORDS:
                return Parsed("invalid", style, reason="unknown #(nop) instruction",
                              suffixes=suffixes)
            return Parsed("instruction", style, keyword, rest[match.end():], suffixes=suffixes)
    parsed = _parse_run(text, style, shell, bare=False)
    return Parsed(parsed.kind, parsed.style, parsed.keyword, parsed.body, parsed.build_args,
                  parsed.exec_form, suffixes, parsed.reason)


def _shell_candidates(shell: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = [shell] if shell else []
    for known in (DEFAULT_SHELL, WINDOWS_SHELL):
        if known not in found:
            found.append(known)
    return found


def _parse_run(text: str, style: Style, shell: tuple[str, ...], *, bare: bool) -> Parsed:
    """A RUN command: optional `|N K=V…` args, then the shell (shell form) or an argv."""
    args: tuple[tuple[str, str], ...] = ()
    rest = text
    match = _BUILD_ARGS.match(text)
    if match:
        split = split_build_args(text[match.end():], int(match.group(1)), shell)
        if split is None:
            return Parsed("invalid", style, "RUN",
                          reason=f"build-argument prefix |{match.group(1)} does not match")
        args, rest = split
    head = " ".join(shell) + " " if shell else None
    if head and rest.startswith(head):
        return Parsed("instruction", style, "RUN", rest[len(head):], args)
    for known in _shell_candidates(shell)[1:]:
        other = " ".join(known) + " "
        if rest.startswith(other):
            return Parsed("instruction", style, "RUN", rest[len(other):], args,
                          reason=f"shell {' '.join(known)} differs from the SHELL in force")
    if bare or match:
        return Parsed("instruction", style, "RUN", rest, args, exec_form=True)
    return Parsed("foreign", style, reason="not a Dockerfile instruction (or an exec-form RUN)")


def split_build_args(text: str, count: int, shell: tuple[str, ...]
                     ) -> tuple[tuple[tuple[str, str], ...], str] | None:
    """Split `K=V K2=V2 <command>` into exactly `count` pairs and the command.

    Values may contain spaces, so the split anchors on the shell that follows; without one
    (an exec-form RUN) each value ends at the first space.
    """
    if count <= 0 or count > 64 or not _KEY.match(text):
        return None
    anchors = [" ".join(s) + " " for s in _shell_candidates(shell)]
    for anchor in anchors:
        start = text.find(" " + anchor)
        while start != -1:
            pairs = _pairs(text[:start], count)
            if pairs is not None:
                return pairs, text[start + 1:]
            start = text.find(" " + anchor, start + 1)
    words = text.split(" ")
    if len(words) <= count or any(not _KEY.match(w) for w in words[:count]):
        return None
    pairs = tuple(tuple(w.split("=", 1)) for w in words[:count])
    return pairs, " ".join(words[count:])  # type: ignore[return-value]


def _pairs(region: str, count: int) -> tuple[tuple[str, str], ...] | None:
    """`region` as exactly `count` `K=V` pairs; Docker sorts them, which settles ambiguity.

    Of the ways to cut `region` at the spaces before a `KEY=`, the first (cuts as early as
    they go) whose items are in sorted order is taken, else the first of all. Found by
    dynamic programming over (item start, item end, items left): never by trying every way,
    which a hostile step with two dozen keys would make millions."""
    starts = [0] + [m.start() + 1 for m in re.finditer(r" (?=[A-Za-z_][A-Za-z0-9_]*=)", region)]
    if not _KEY.match(region) or len(starts) < count or len(starts) > 24:
        return None
    ends = [*starts, len(region) + 1]  # item (a, b) runs from starts[a] to ends[b] - 1
    last = len(starts)

    def item(a: int, b: int) -> str:
        return region[starts[a] : ends[b] - 1]

    @cache
    def completes(a: int, b: int, left: int) -> bool:
        """Whether item (a, b) can be followed by `left` more items, in sorted order."""
        if left == 0 or b == last:
            return left == 0 and b == last
        return any(item(a, b) <= item(b, c) and completes(b, c, left - 1)
                   for c in range(b + 1, last + 1))

    bounds = [0]
    if any(completes(0, b, count - 1) for b in range(1, last + 1)):
        a, left = 0, count - 1
        b = next(b for b in range(1, last + 1) if completes(0, b, left))
        while True:
            bounds.append(b)
            if left == 0:
                break
            c = next(c for c in range(b + 1, last + 1)
                     if item(a, b) <= item(b, c) and completes(b, c, left - 1))
            a, b, left = b, c, left - 1
    else:
        bounds += [*range(1, count), last]
    return tuple(tuple(item(x, y).split("=", 1)) for x, y in pairwise(bounds))  # type: ignore[misc]


# --- value grammars -------------------------------------------------------------------------

_GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
               "\\": "\\", '"': '"', "'": "'"}


def go_quoted_list(text: str) -> list[str] | None:
    """Parse Go's `%q` of a string slice, `["a" "b c"]`; None when it is not one."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    items, pos, inner = [], 0, text[1:-1]
    while pos < len(inner):
        if inner[pos] == " ":
            pos += 1
            continue
        parsed = go_string(inner, pos)
        if parsed is None:
            return None
        value, pos = parsed
        items.append(value)
    return items


def go_string(text: str, pos: int) -> tuple[str, int] | None:
    """Read one Go double-quoted literal starting at `pos`; (value, end) or None."""
    if pos >= len(text) or text[pos] != '"':
        return None
    out, i = [], pos + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = text[i + 1:i + 2]
        if code in _GO_ESCAPES:
            out.append(_GO_ESCAPES[code])
            i += 2
        elif code in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = text[i + 2:i + 2 + width]
            if len(digits) != width or not re.fullmatch(r"[0-9a-fA-F]+", digits):
                return None
            out.append(chr(min(int(digits, 16), 0x10FFFF)))
            i += 2 + width
        elif code.isdigit():
            digits = text[i + 1:i + 4]
            if not re.fullmatch(r"[0-7]{3}", digits):
                return None
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            return None
    return None


def go_plain_list(text: str) -> list[str] | None:
    """Parse Go's `%v` of a string slice, `[a b]` (ambiguous when items hold spaces)."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    inner = text[1:-1].strip()
    return inner.split() if inner else []


def ports(text: str) -> list[str] | None:
    """EXPOSE bodies: `map[80/tcp:{} 443/tcp:{}]`, `[80/tcp]` or `80 443/udp`."""
    text = text.strip()
    if text.startswith("map[") and text.endswith("]"):
        items = text[4:-1].split()
        if not all(item.endswith(":{}") for item in items):
            return None
        return [item[:-3] for item in items]
    if text.startswith("[") and text.endswith("]"):
        return text[1:-1].split()
    return text.split() or None


@dataclass(frozen=True, slots=True)
class Health:
    """A HEALTHCHECK as the config stores it (durations in nanoseconds)."""

    test: tuple[str, ...]
    durations: tuple[int, ...]  # interval, timeout, start period, start interval
    retries: int


def healthcheck_dump(text: str) -> Health | None:
    """Parse Go's dump of a health config: `&{["CMD-SHELL" "…"] "30s" "3s" "0s" '\\x03'}`."""
    text = text.strip()
    if not (text.startswith("&{[") and text.endswith("}")):
        return None
    inner = text[2:-1]
    words = inner.split(" ")
    # The durations and retries are the trailing words; the test list is everything before.
    # Go prints at most four durations and the retries after the list: try only those cuts.
    for cut in range(len(words) - 1, max(0, len(words) - 7), -1):
        head, tail = " ".join(words[:cut]), words[cut:]
        if not head.endswith("]") or len(tail) < 2:
            continue
        test = go_quoted_list(head)
        if test is None:
            test = go_plain_list(head)
            if test and test[0] == "CMD-SHELL":
                test = [test[0], " ".join(test[1:])]
        durations = [go_duration(word.strip('"')) for word in tail[:-1]]
        retries = _go_int_or_char(tail[-1])
        if test is not None and retries is not None and all(d is not None for d in durations):
            return Health(tuple(test), tuple(d for d in durations if d is not None), retries)
    return None


def _go_int_or_char(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if len(word) >= 3 and word[0] == "'" and word[-1] == "'":
        value = go_string('"' + word[1:-1] + '"', 0)
        if value is not None and len(value[0]) == 1:
            return ord(value[0])
    return None


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
            "m": 60_000_000_000, "h": 3_600_000_000_000}


def go_duration(text: str) -> int | None:
    """`1m30s` → nanoseconds; `0s` and `0` → 0."""
    if text == "0":
        return 0
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_NS[match.group(2)]
        pos = match.end()
    return round(total) if pos == len(text) and pos else None


def format_duration(ns: int) -> str:
    """Nanoseconds as a Dockerfile duration: `30s`, `1m30s`, `500ms`."""
    if ns % 1_000_000_000 == 0 and ns:
        seconds = ns // 1_000_000_000
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "",
                 f"{seconds}s" if seconds else ""]
        return "".join(parts)
    for unit, size in (("ms", 1_000_000), ("us", 1_000)):
        if ns % size == 0 and ns:
            return f"{ns // size}{unit}"
    return f"{ns}ns"
