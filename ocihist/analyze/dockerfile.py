"""Reconstruct a Dockerfile from an image's history and config: pure functions, no I/O.

Every emitted line names the history step (and layer) it came from. What history never records
(stage FROM lines, COPY --from sources, RUN --mount options, build-context file names) is said
in comments, never invented; steps no Dockerfile could have written become comments too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ocihist.analyze import createdby as cb
from ocihist.analyze.history import Step, align
from ocihist.analyze.text import flat
from ocihist.model.config import HistoryEntry
from ocihist.model.findings import Finding
from ocihist.model.image import Image
from ocihist.model.mediatypes import ANNOTATION_BASE_DIGEST, ANNOTATION_BASE_NAME

LineKind = Literal["instruction", "comment"]
BaseSource = Literal["annotation", "hint", "shared-prefix", "style-change", "none"]
HEADER = ("# Reconstructed from the image history by ocihist: not the original Dockerfile.",
          "# History never records stage FROM lines, COPY --from sources or RUN --mount options.")
_COMMENT_WIDTH = 300


@dataclass(frozen=True, slots=True)
class BaseHint:
    """What the caller knows about the base image: its name and how many steps it has."""

    name: str | None = None
    steps: int | None = None


@dataclass(frozen=True, slots=True)
class DockerfileLine:
    text: str
    step_index: int | None = None
    layer_digest: str | None = None
    kind: LineKind = "instruction"


@dataclass(frozen=True, slots=True)
class Reconstruction:
    lines: tuple[DockerfileLine, ...]
    findings: tuple[Finding, ...] = ()
    base_name: str | None = None
    base_steps: int = 0
    base_source: BaseSource = "none"

    @property
    def instructions(self) -> tuple[DockerfileLine, ...]:
        return tuple(line for line in self.lines if line.kind == "instruction")


def layer_ref(step: Step) -> str | None:
    """The digest (else the diff_id) of the layer a step made."""
    if step.layer is None:
        return None
    return str(step.layer.digest) if step.layer.digest else step.layer.diff_id


def shared_prefix(a: Sequence[Step], b: Sequence[Step]) -> int:
    """How many leading steps two images share (same command, time, emptiness and layer)."""
    count = 0
    for left, right in zip(a, b, strict=False):
        if (left.entry, layer_ref(left)) != (right.entry, layer_ref(right)):
            break
        count += 1
    return count


@dataclass(slots=True)
class _State:
    shell: tuple[str, ...]
    config: Mapping[str, Any]
    args: dict[str, str | None] = field(default_factory=dict)
    out: list[DockerfileLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    where: str = ""


def reconstruct(image: Image, *, steps: Sequence[Step] | None = None,
                base_hint: BaseHint | Image | None = None) -> Reconstruction:
    """A Dockerfile that would build `image` on top of its base, as far as history tells.

    `steps` is the history/layer alignment (`analyze.history.align`) when the caller has it;
    `base_hint` names the base, or is another image whose shared history prefix is the base.
    """
    findings: list[Finding] = []
    unknown = _unknown_history(image)
    if unknown is not None:  # nothing to reconstruct from, and no FROM line to assume
        return Reconstruction((DockerfileLine(f"# No Dockerfile: {unknown}.", kind="comment"),))
    if steps is None:
        steps = align(image).steps
    config = image.config.container_config if image.config else {}
    windows = bool(image.config and image.config.os == "windows")
    state = _State(cb.WINDOWS_SHELL if windows else cb.DEFAULT_SHELL, config, where=image.where)
    state.out.extend(DockerfileLine(text, kind="comment") for text in HEADER)
    name, count, source = _base(image, steps, base_hint, state)
    for step in steps[:count]:
        _comment(state, "  " + _describe(step.entry), step, with_layer=True)
    if not steps:
        state.out.append(DockerfileLine("# The image records no build history.", kind="comment"))
    for step in steps[count:]:
        _emit(state, step)
    findings.extend(state.findings)
    return Reconstruction(tuple(state.out), tuple(findings), name, count, source)


def _unknown_history(image: Image) -> str | None:
    """Why the image's history cannot be known from this input, or None when it can."""
    if image.missing:
        return "the image is listed but its manifest is not in this input"
    if image.config is None and image.history is None:  # (schema 1 carries its own history)
        return "the image's config is not in this input, so its history is unknown"
    return None


def _base(image: Image, steps: Sequence[Step], hint: BaseHint | Image | None,
          state: _State) -> tuple[str | None, int, BaseSource]:
    """Find the base image: its name, how many steps are its own, and how that was decided."""
    name = image.annotations.get(ANNOTATION_BASE_NAME) or None
    digest = image.annotations.get(ANNOTATION_BASE_DIGEST) or None
    if name and digest and "@" not in name:
        name = f"{name}@{digest}"
    elif not name and digest:
        name = f"<base>@{digest}"
    source: BaseSource = "annotation" if name else "none"
    count: int | None = None
    how = ""
    if isinstance(hint, BaseHint):
        count, name, how = hint.steps, name or hint.name, "given by the caller"
        source = source if source == "annotation" else "hint"
    elif isinstance(hint, Image):
        other = align(hint).steps
        shared = shared_prefix(steps, other)
        if 0 < shared < len(steps):
            count, how = shared, "shared with another image in the input"
            if not name and shared == len(other):
                name = (hint.names or (hint.ref,))[0]
            source = source if source == "annotation" else "shared-prefix"
    # buildah's per-step "FROM <id>" comments name intermediate images in a --layers build,
    # not the base, so they never decide the boundary.
    if count is None:
        count = _style_boundary(steps)
        if count:
            how = "where the history changes builder"
            source = source if source == "annotation" else "style-change"
    count = max(0, min(count or 0, len(steps)))
    _base_lines(state, name, count, source, how)
    return name, count, source


def _style_boundary(steps: Sequence[Step]) -> int:
    styles = [cb.style_of(s.entry.created_by, s.entry.comment) for s in steps]
    styles = ["classic" if style == "buildah" else style for style in styles]
    for index in range(len(styles) - 1, 0, -1):
        if styles[index - 1] != styles[index]:
            return index
    return 0


def _base_lines(state: _State, name: str | None, count: int, source: BaseSource,
                how: str) -> None:
    def note(text: str) -> None:
        state.out.append(DockerfileLine("# " + text, kind="comment"))

    if source == "annotation":
        note("Base image named by the org.opencontainers.image.base.* annotations.")
    if count and how:
        note(f"The first {count} step(s) belong to the base image ({how}); shown as comments.")
    elif name:
        note("Which steps belong to the base image is not recorded: all steps are shown.")
    if not name and count:
        note("The base image's name is not recorded.")
        name = "<base>"
    if not name:
        note("No base image is recorded: FROM scratch assumed, every step is shown.")
        state.findings.append(Finding("dockerfile-base-unknown", "no base image boundary is "
                                      "recorded; reconstructed FROM scratch", state.where, "info"))
    state.out.append(DockerfileLine(f"FROM {name or 'scratch'}"))


def _describe(entry: HistoryEntry) -> str:
    text = entry.created_by if isinstance(entry.created_by, str) else "(no created_by)"
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > _COMMENT_WIDTH:
        text = text[:_COMMENT_WIDTH] + f"… ({len(text)} characters)"
    comment = entry.comment if isinstance(entry.comment, str) else ""
    return f"{text} ({comment})" if comment and not comment.startswith("buildkit.") else text


def _comment(state: _State, text: str, step: Step, *, with_layer: bool = False) -> None:
    text = text.rstrip()
    state.out.append(DockerfileLine("#" + text if text.startswith(" ") else "# " + text,
                                    step.index, layer_ref(step) if with_layer else None,
                                    "comment"))


def _emit(state: _State, step: Step) -> None:
    entry = step.entry
    parsed = cb.parse(entry.created_by, entry.comment, state.shell)
    if parsed.kind == "empty":
        _comment(state, f"step without a command ({parsed.reason}): {_describe(entry)}", step,
                 with_layer=True)
        return
    if parsed.kind == "foreign":
        _comment(state, f"{parsed.reason}: {_describe(entry)}", step, with_layer=True)
        return
    if parsed.kind == "invalid":
        _unparsable(state, step, parsed.reason)
        return
    for key, value in parsed.suffixes:
        _comment(state, f"buildah metadata: {key}={value}", step)
    lines = _instruction(state, parsed)
    if lines is None:
        _unparsable(state, step, f"{parsed.keyword} arguments not understood")
        return
    *before, text = lines
    for line in before:
        if line.startswith("ARG "):
            state.out.append(DockerfileLine(line, step.index))
        else:
            _comment(state, line, step)
    state.out.append(DockerfileLine(text, step.index, layer_ref(step)))


def _unparsable(state: _State, step: Step, reason: str) -> None:
    _comment(state, f"could not parse this step ({reason}): {_describe(step.entry)}", step,
             with_layer=True)
    state.findings.append(Finding("dockerfile-unparsable", f"history step {step.index}: {reason}",
                                  state.where, "warning"))


def _instruction(state: _State, p: cb.Parsed) -> list[str] | None:
    """Comments and ARG lines, then the instruction; None when the body is not understood."""
    keyword, body = p.keyword or "", p.body.rstrip(" ") if p.keyword != "RUN" else p.body
    handler = _HANDLERS.get(keyword)
    if handler is not None:
        return handler(state, p, body)
    if not body.strip() or "\n" in body:
        return None
    return [f"{keyword} {body.strip()}"]


def _run(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    lines: list[str] = []
    for key, value in p.build_args:
        if key not in state.args:
            state.args[key] = value
            lines.append(f"ARG {_pair(key, value)}")
        elif state.args[key] != value:
            lines.append(f"build argument {key}={value} was in effect for this RUN")
    if p.reason:
        lines.append(p.reason)
    if not body.strip():
        return None
    if p.exec_form:
        return [*lines, "RUN " + _json(body.split(" "))]
    if "\n" in body:
        return [*lines, "RUN " + _heredoc(body)]
    return [*lines, "RUN " + body]


def _heredoc(body: str) -> str:
    first = body.split("\n", 1)[0]
    if _closes_its_heredoc(body.rstrip("\n"), first):
        return body.rstrip("\n")
    word = "EOF"
    while re.search(rf"^{word}$", body, re.M):
        word += "_"
    return f"<<{word}\n{body.rstrip(chr(10))}\n{word}"


def _closes_its_heredoc(text: str, first: str) -> bool:
    """Whether `text` opens a heredoc on its `first` line and its last line closes it (so
    that nothing after the heredoc could be read as instructions of its own)."""
    marker = re.search(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)", first)
    return marker is not None and text.rsplit("\n", 1)[-1].strip() == marker.group(1)


def _list_value(body: str, configured: object) -> list[str] | None:
    """An array body in JSON, Go `%q` or Go `%v` form; the config's value when it matches."""
    exact = configured if _is_str_list(configured) else None
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if _is_str_list(value):
        return list(value)
    value = cb.go_quoted_list(body)
    if value is not None:
        return value
    plain = cb.go_plain_list(body)
    if plain is not None and exact is not None and body.strip()[1:-1].strip() == " ".join(exact):
        return list(exact)
    return plain


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _cmd(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    keyword = p.keyword or "CMD"
    if not body.lstrip().startswith("["):
        return [f"{keyword} {body}"] if body.strip() and "\n" not in body else None
    value = _list_value(body, state.config.get("Cmd" if keyword == "CMD" else "Entrypoint"))
    if value is None:
        return None
    shell = list(state.shell)
    if (len(value) == len(shell) + 1 and value[:-1] == shell and "\n" not in value[-1]
            and value[-1].strip()):
        return [f"{keyword} {value[-1]}"]
    return [f"{keyword} {_json(value)}"]


def _shell(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    value = _list_value(body, state.config.get("Shell"))
    if not value:
        return None
    state.shell = tuple(value)
    return ["SHELL " + _json(value)]


def _volume(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    if not body.lstrip().startswith("["):
        return ["VOLUME " + body] if body.strip() and "\n" not in body else None
    configured = state.config.get("Volumes")
    keys = sorted(configured) if isinstance(configured, Mapping) else None
    value = _list_value(body, keys)
    return ["VOLUME " + _json(value)] if value else None


def _expose(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    value = cb.ports(body)
    if not value or any(not re.fullmatch(r"[0-9]+(-[0-9]+)?(/[a-z]+)?|\$\S+", v) for v in value):
        return None
    return ["EXPOSE " + " ".join(value)]


def _healthcheck(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    if not body.startswith("&{"):
        return [f"HEALTHCHECK {body}"] if body.strip() and "\n" not in body else None
    health = cb.healthcheck_dump(body)
    if health is None:
        return None
    configured = state.config.get("Healthcheck")
    if isinstance(configured, Mapping) and configured.get("Test") == list(health.test):
        names = ("Interval", "Timeout", "StartPeriod", "StartInterval")
        numbers = [configured.get(key) for key in names]
        durations = tuple(n if isinstance(n, int) and not isinstance(n, bool) else 0
                          for n in numbers)
        retries = configured.get("Retries")
        health = cb.Health(health.test, durations,
                           retries if isinstance(retries, int) else health.retries)
    return _health_line(health)


def _health_line(health: cb.Health) -> list[str] | None:
    test = list(health.test)
    if test == ["NONE"]:
        return ["HEALTHCHECK NONE"]
    if not test or test[0] not in ("CMD", "CMD-SHELL") or len(test) < 2:
        return None
    flags = []
    for option, value in zip(("interval", "timeout", "start-period", "start-interval"),
                             health.durations, strict=False):
        if value:
            flags.append(f"--{option}={cb.format_duration(value)}")
    if health.retries:
        flags.append(f"--retries={health.retries}")
    command = f"CMD {test[1]}" if test[0] == "CMD-SHELL" else f"CMD {_json(test[1:])}"
    if "\n" in command:
        return None
    return [" ".join(["HEALTHCHECK", *flags, command])]


def _env(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    keyword = p.keyword or "ENV"
    if keyword == "ENV":
        known = {item.partition("=")[0]: item.partition("=")[2]
                 for item in state.config.get("Env") or () if isinstance(item, str)}
    else:
        labels = state.config.get("Labels")
        known = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}
    pairs = _key_values(body, known, allow_bare=keyword == "ARG")
    if not pairs or any("\n" in key or (value and "\n" in value) for key, value in pairs):
        return None
    if keyword == "ARG":
        for key, value in pairs:
            state.args[key] = value
    return [keyword + " " + " ".join(_pair(k, v) for k, v in pairs)]


def _key_values(body: str, known: Mapping[str, str], *, allow_bare: bool
                ) -> list[tuple[str, str | None]] | None:
    """`k=v k2=v2` (values unquoted, may hold spaces) or the old `k v` form."""
    body = body.strip()
    if not body:
        return None
    if not re.match(r"[^\s=]+(=|$|\s)", body):
        return None
    if "=" not in body.split(" ", 1)[0]:
        key, _, value = body.partition(" ")
        if not value:
            return [(key, None)] if allow_bare else None
        if allow_bare and all(re.fullmatch(r"[^\s=]+(=\S*)?", w) for w in body.split()):
            return [(w.partition("=")[0], w.partition("=")[2] if "=" in w else None)
                    for w in body.split()]
        return [(key, value)]
    starts = [0] + [m.start() + 1 for m in re.finditer(r" (?=[^\s=]+=)", body)]
    segments = [body[a:b].rstrip(" ") for a, b in zip(starts, [*starts[1:], len(body)],
                                                     strict=False)]
    merged: list[str] = []
    for segment in segments:
        key, _, value = segment.partition("=")
        if merged and known and _should_merge(merged[-1], segment, known):
            merged[-1] = merged[-1] + " " + segment
        else:
            merged.append(segment)
    return [(key, _unquoted(key, value, known))
            for key, _, value in (s.partition("=") for s in merged)]


def _unquoted(key: str, value: str, known: Mapping[str, str]) -> str:
    """buildah records values as written (`k="a b"`); Docker records them bare. Drop the
    quotes when the bare value is what the final config holds."""
    if len(value) >= 2 and value[0] == value[-1] == '"' and \
            known.get(key) == value[1:-1].replace('\\"', '"'):
        return known[key]
    return value


def _should_merge(previous: str, segment: str, known: Mapping[str, str]) -> bool:
    """Join `segment` into the previous value when only that matches the final config."""
    key, _, value = previous.partition("=")
    joined = value + " " + segment
    return known.get(key) != value and (known.get(key, "").startswith(joined))


_BARE = re.compile(r"[A-Za-z0-9_./:@%+,\-~^?&*!\[\]{}()<>|;=]+")


def _quote(text: str) -> str:
    if text and _BARE.fullmatch(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def _pair(key: str, value: str | None) -> str:
    return _quote(key) if value is None else f"{_quote(key)}={_quote(value)}"


def _json(value: Sequence[str]) -> str:
    return json.dumps(list(value), ensure_ascii=False)


def _user(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    keyword = p.keyword or "USER"
    value = body.strip()
    if value.startswith("[") and value.endswith("]"):
        inner = cb.go_plain_list(value) or []
        value = " ".join(inner)
    if not value or "\n" in value:
        return None
    return [f"{keyword} {value}"]


_COPY_SOURCE = re.compile(r"(?P<kind>file|dir|multi):(?P<hash>\S+) in (?P<dest>.*)$", re.S)
_FLAG = re.compile(r"--[a-z-]+=")
_GLUED_SOURCE = re.compile(r"(?:file|dir|multi):")


def _split_copy(body: str) -> tuple[list[str], re.Match[str]] | None:
    """`[--flag=v …] file:<hash> in <dest>` → (flags, source match). A flag's value ends at
    whitespace, or where the classic builder glued the source onto it (`--chown=a:bfile:…`).
    One pass, no backtracking."""
    rest = body.strip()
    flags: list[str] = []
    while (flag := _FLAG.match(rest)) is not None:
        space = re.search(r"\s", rest)
        end = space.start() if space else len(rest)
        glued = _GLUED_SOURCE.search(rest, flag.end(), end)
        end = glued.start() if glued else end
        flags.append(rest[:end])
        rest = rest[end:].lstrip()
    source = _COPY_SOURCE.match(rest)
    return (flags, source) if source else None


def _copy(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    keyword = p.keyword or "COPY"
    split = _split_copy(body)
    if split is None:
        return [f"{keyword} {body.strip()}"] if body.strip() and "\n" not in body else None
    flag_list, match = split
    dest = match.group("dest").strip()
    if not dest or "\n" in dest:
        return None
    target = _json(["<unknown>", dest]) if " " in dest else f"<unknown> {dest}"
    recorded = f"{match.group('kind')}:{match.group('hash')}"
    what = "content hash" if re.fullmatch(r"[0-9a-f]{64}", match.group("hash")) else "recorded as"
    note = f"{keyword}: the source name is not recorded (classic builder); {what} {recorded}"
    return [note, " ".join([keyword, *flag_list, target])]


def _foreign_from(state: _State, p: cb.Parsed, body: str) -> list[str] | None:
    return None


_HANDLERS = {
    "RUN": _run, "CMD": _cmd, "ENTRYPOINT": _cmd, "SHELL": _shell, "VOLUME": _volume,
    "EXPOSE": _expose, "HEALTHCHECK": _healthcheck, "ENV": _env, "LABEL": _env, "ARG": _env,
    "USER": _user, "STOPSIGNAL": _user, "ADD": _copy, "COPY": _copy, "FROM": _foreign_from,
}


def render_dockerfile(rec: Reconstruction, annotate: bool = False) -> str:
    """The reconstruction as Dockerfile text; `annotate` adds, above each instruction, a
    `# ocihist:` note naming the history step and layer it came from."""
    with_instruction = {line.step_index for line in rec.lines if line.kind == "instruction"}
    out: list[str] = []
    for line in rec.lines:
        line = _kept_on_its_lines(line)
        if annotate and line.step_index is not None:
            where = f"step {line.step_index}"
            if line.layer_digest:
                where += f", layer {_short(line.layer_digest)}"
            if line.kind == "comment":
                if line.step_index not in with_instruction:
                    out.append(f"{line.text}  [ocihist: {where}]")
                    continue
            else:
                out.append(f"# ocihist: {where}")
        out.append(line.text)
    return "\n".join(out) + "\n"


def _kept_on_its_lines(line: DockerfileLine) -> DockerfileLine:
    """A line with line breaks from the input, flattened unless it is a RUN heredoc that
    closes: no value can start an instruction of its own."""
    text = line.text
    if "\n" not in text and "\r" not in text:
        return line
    if line.kind == "instruction" and text.startswith("RUN ") and "\r" not in text and \
            _closes_its_heredoc(text, text.split("\n", 1)[0]):
        return line
    return replace(line, text=flat(text))


def _short(digest: str) -> str:
    algorithm, _, hexpart = digest.partition(":")
    return f"{algorithm}:{hexpart[:12]}" if hexpart else digest[:19]
