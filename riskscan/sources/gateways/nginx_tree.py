"""Loading an nginx configuration into a tree of directives, with its `include`s spliced in.

Parsing is crossplane's (nginxinc/crossplane, the parser NGINX Amplify and NGINX Instance Manager
use); this module only decides which files it may open. An `include` is followed only inside the
folders given (`ReadContext.is_allowed`), glob patterns included:

- nginx resolves a relative include against its configuration prefix (the folder of `nginx.conf`),
  which for a site file (`sites-enabled/api.conf`) is the folder above it: the including file's own
  folder is tried first, then each folder above it that is still inside the folders given;
- an absolute include (`/etc/nginx/conf.d/*.conf`) outside the folders given is mapped onto them by
  its tail (`conf.d/*.conf` beside the main file), with a warning naming the assumption;
- a missing, unreadable, broken or outside include, and an include cycle, cost that include only,
  with a warning; the `include` directive then stays in the tree (without a block), so that a reader
  can tell the block may set more than it shows; nothing outside the folders given is opened or listed.

Every directive keeps the file (as shown to users) and line it was written on, so evidence points
into the included file, not at the `include` line.

A configuration that is no file on disk but a value held inside another input (a ConfigMap's
`nginx.conf`: `ReadContext.embedded_text`) is parsed from memory, never written to disk (it may hold
credentials): crossplane's own lexer on the text (`lexer._lex_file_object` over a `StringIO`, with its
brace check), then `_statements` builds the statements from its tokens as `crossplane.parse` shapes them
under the options used for files (`single`, no context or argument checks, comments dropped), so
statements and lines are those of the same text parsed as a file, with the same size and depth bounds.
Its includes are not followed (nothing beside it can be seen): each is kept without a block, warned.
"""

from __future__ import annotations

import glob
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import crossplane

from riskscan.errors import SourceError
from riskscan.redaction import redact
from riskscan.sources import ReadContext

__all__ = ["MAX_BLOCK_DEPTH", "MAX_INCLUDED_FILES", "Directive", "NginxError", "NginxTree", "load_tree"]

MAX_BLOCK_DEPTH = 48
"""Deepest nesting of blocks accepted (real configs stay under 6: http, server, location, if ...)."""
MAX_INCLUDED_FILES = 512
"""Most files one configuration may pull in through `include` (a glob over a huge folder is cut)."""


class NginxError(SourceError):
    """An nginx configuration that cannot be read."""


@dataclass(frozen=True)
class Directive:
    """One nginx directive: its name, arguments, where it was written, and its block if it has one."""

    name: str
    args: tuple[str, ...]
    path: str
    line: int
    block: tuple[Directive, ...] | None = None

    def children(self, name: str) -> list[Directive]:
        """The directives named `name` directly inside this block."""
        return [child for child in self.block or () if child.name == name]


@dataclass
class NginxTree:
    """A loaded configuration: the main file's directives, the files it included, and warnings."""

    directives: tuple[Directive, ...]
    included: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_tree(path: Path, context: ReadContext) -> NginxTree:
    """Parse `path` and every file it includes (inside the folders given) into one `NginxTree`.

    Raises `NginxError` when the main file itself cannot be read or parsed.
    """
    loader = _Loader(path, context)
    shown = context.relative_path(path)
    statements, failure = loader.parse(path)
    if failure is not None:
        problem, line = failure
        raise NginxError(problem, path=shown, line=line)
    directives = loader.convert(statements, shown, (path if loader.is_embedded else path.resolve(),), 0)
    return NginxTree(directives, list(dict.fromkeys(loader.included)), loader.summary())


class _Loader:
    """Parses files with crossplane and splices includes, within the bounds of the context."""

    def __init__(self, main: Path, context: ReadContext) -> None:
        self._context = context
        self.is_embedded = context.embedded_text(main) is not None
        self._bases = [] if self.is_embedded else _include_bases(main, context)
        self.included: list[str] = []
        self._warnings: dict[tuple[str, str], tuple[str, int]] = {}  # (include, problem) -> (first, count)
        self._files_read = 0

    def summary(self) -> list[str]:
        """One warning per include problem, at its first place, counting the others."""
        shown = []
        for (pattern, problem), (first, count) in self._warnings.items():
            more = f" (and {count - 1} more place(s))" if count > 1 else ""
            shown.append(f'{first}: include "{redact(pattern)}"{more} {problem}')
        return shown

    def parse(self, path: Path) -> tuple[list[dict[str, Any]], tuple[str, int | None] | None]:
        """crossplane's statements for one file, or the problem and line that stopped it."""
        embedded = self._context.embedded_text(path)
        if embedded is not None:
            return _parse_text(embedded, self._context.max_bytes)
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                magic = handle.read(2)
        except OSError as error:
            return [], (f"cannot read file ({error.strerror or type(error).__name__})", None)
        if size > self._context.max_bytes:
            return [], (f"file is {size} bytes, over the {self._context.max_bytes}-byte limit", None)
        if magic == b"\x1f\x8b":
            return [], ("gzip-compressed nginx configuration: unpack it first", None)
        errors: list[BaseException] = []
        try:
            payload = crossplane.parse(
                str(path),
                onerror=errors.append,
                catch_errors=False,
                single=True,
                check_ctx=False,
                check_args=False,
            )
        except (RecursionError, MemoryError):
            return [], (f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels)", None)
        if errors:
            return [], _problem(errors[0])
        parsed: list[dict[str, Any]] = payload["config"][0]["parsed"]
        return parsed, None

    def convert(
        self, statements: Sequence[dict[str, Any]], shown: str, stack: tuple[Path, ...], depth: int
    ) -> tuple[Directive, ...]:
        """crossplane statements as `Directive`s, each `include` replaced by what it pulls in."""
        if depth > MAX_BLOCK_DEPTH:
            raise NginxError(f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels)", path=shown)
        out: list[Directive] = []
        for statement in statements:
            name = str(statement.get("directive", ""))
            args = tuple(str(arg) for arg in statement.get("args", ()))
            line = int(statement.get("line", 0))
            if name == "include" and args:
                out.extend(self._include(args[0], shown, line, stack, depth))
                continue
            block = statement.get("block")
            inner = self.convert(block, shown, stack, depth + 1) if isinstance(block, list) else None
            out.append(Directive(name, args, shown, line, inner))
        return tuple(out)

    def _include(
        self, pattern: str, shown: str, line: int, stack: tuple[Path, ...], depth: int
    ) -> list[Directive]:
        """What the include pulls in; when some of it could not be read, the `include` itself is kept
        (without a block) so that readers can tell a block may set more than they see."""
        record = self._warner(f"{shown}:{line}", pattern)
        problems: list[str] = []

        def warn(problem: str) -> None:
            record(problem)
            if not problem.startswith("is outside the folders given: read from"):
                problems.append(problem)

        spliced = self._splice(pattern, stack, depth, warn)
        return spliced + [Directive("include", (pattern,), shown, line)] if problems else spliced

    def _splice(
        self, pattern: str, stack: tuple[Path, ...], depth: int, warn: Callable[[str], None]
    ) -> list[Directive]:
        """The directives of the files the include names, warning about each that cannot be read."""
        files = self._resolve(pattern, warn)
        spliced: list[Directive] = []
        for file in files:
            if file in stack:
                warn("would include a file that includes it (a cycle): not followed")
                continue
            if self._files_read >= MAX_INCLUDED_FILES:
                warn(f"pulls in more than {MAX_INCLUDED_FILES} files: the rest are not read")
                break
            self._files_read += 1
            file_shown = self._context.relative_path(file)
            statements, failure = self.parse(file)
            if failure is not None:
                problem, at = failure
                where = f"{file_shown}:{at}" if at is not None else file_shown
                warn(f"could not be parsed ({where}: {problem}): not read")
                continue
            self.included.append(file_shown)
            spliced.extend(self.convert(statements, file_shown, (*stack, file), depth))
        return spliced

    def _warner(self, where: str, pattern: str) -> Callable[[str], None]:
        def warn(problem: str) -> None:
            first, count = self._warnings.get((pattern, problem), (where, 0))
            self._warnings[(pattern, problem)] = (first, count + 1)

        return warn

    def _resolve(self, pattern: str, warn: Callable[[str], None]) -> list[Path]:
        """The files an include names, inside the folders given (see the module docstring)."""
        if self.is_embedded:
            warn("is in a configuration held in a ConfigMap: the files it names cannot be seen, what they"
                 " set is not assessed")
            return []
        given = Path(pattern)
        candidates = [(base / given, False) for base in self._bases] if not given.is_absolute() else []
        if given.is_absolute():
            candidates.append((given, False))
            candidates.extend((base / tail, True) for tail in _tails(given) for base in self._bases)
        for candidate, is_mapped in candidates:
            found = self._matches(candidate)
            if found:
                if is_mapped:
                    warn("is outside the folders given: read from the same path under them")
                return found
        if given.is_absolute() and not self._context.is_allowed(given.parent):
            warn("is outside the folders given and not found under them: what it sets is not assessed")
        elif not glob.has_magic(pattern):
            warn("is not found inside the folders given: what it sets is not assessed")
        return []

    def _matches(self, candidate: Path) -> list[Path]:
        """Files matching one candidate pattern, never listing or opening outside the folders given."""
        fixed = candidate.parent
        while glob.has_magic(str(fixed)):
            fixed = fixed.parent
        if not self._context.is_allowed(fixed):
            return []
        names = sorted(glob.glob(str(candidate))) if glob.has_magic(str(candidate)) else [str(candidate)]
        return [
            Path(name) for name in names if Path(name).is_file() and self._context.is_allowed(Path(name))
        ][: MAX_INCLUDED_FILES + 1]


def _include_bases(main: Path, context: ReadContext) -> list[Path]:
    """Folders a relative include is resolved against: the main file's, then those above it."""
    bases: list[Path] = []
    folder = main.resolve().parent
    while context.is_allowed(folder):
        bases.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    return bases or [main.resolve().parent]


def _tails(given: Path) -> list[Path]:
    """`/etc/nginx/conf.d/*.conf` -> `nginx/conf.d/*.conf`, `conf.d/*.conf` (longest first).

    A bare file name is a tail only when it is no glob: `*.conf` alone would match the main file.
    """
    parts = given.parts[1:]
    tails = [Path(*parts[start:]) for start in range(1, len(parts))]
    return [tail for tail in tails if len(tail.parts) > 1 or not glob.has_magic(str(tail))]


class _TooDeep(Exception):
    """A block opened deeper than `MAX_BLOCK_DEPTH`, at `line`."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _parse_text(text: str, max_bytes: int) -> tuple[list[dict[str, Any]], tuple[str, int | None] | None]:
    """The statements of a configuration held in memory, as `crossplane.parse` gives them for the same
    text in a file (see the module docstring); or the problem and line that stopped it."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > max_bytes:
        return [], (f"{size} bytes, over the {max_bytes}-byte limit", None)
    # newline=None reads \r\n and \r as \n, as the text-mode file crossplane opens does.
    lexed = crossplane.lexer._lex_file_object(io.StringIO(text, newline=None))
    tokens: Iterator[tuple[str, int, bool]] = crossplane.lexer._balance_braces(lexed)
    try:
        return _statements(tokens), None
    except _TooDeep as error:
        return [], (f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels)", error.line)
    except (crossplane.errors.NgxParserBaseException, StopIteration, RecursionError) as error:
        return [], _problem(error)


def _statements(tokens: Iterator[tuple[str, int, bool]]) -> list[dict[str, Any]]:
    """The statements nginx's grammar makes of `tokens`, in the shape `crossplane.parse` gives for a file
    parsed with the options used here: a directive and its arguments up to an unquoted `;`, `{` or `}`,
    the statements up to the matching `}` as its block; comments between statements dropped, those among
    arguments kept after their statement as `#` statements; an `if` condition's parentheses removed.
    Built with an explicit stack of open blocks (never recursion), deeper than `MAX_BLOCK_DEPTH` refused.
    Raises StopIteration when the text ends inside a statement."""
    top: list[dict[str, Any]] = []
    blocks = [top]  # the statement lists being filled, the innermost open block last
    current: dict[str, Any] | None = None  # the statement whose arguments are being read
    notes: list[dict[str, Any]] = []  # comments met among its arguments
    for token, line, quoted in tokens:
        is_bare = not quoted
        if current is None:
            if is_bare and token == "}":
                if len(blocks) == 1:
                    break
                blocks.pop()
            elif not (is_bare and token.startswith("#")):
                current, notes = {"directive": token, "line": line, "args": []}, []
            continue
        if not (is_bare and token in ("{", ";", "}")):
            if is_bare and token.startswith("#"):
                notes.append({"directive": "#", "line": current["line"], "args": [], "comment": token[1:]})
            else:
                current["args"].append(token)
            continue
        if current["directive"] == "if":
            _unwrap_condition(current["args"])
        blocks[-1].append(current)
        blocks[-1].extend(notes)
        if token == "{":  # a `}` ending the arguments ends the statement only, as crossplane reads it
            if len(blocks) > MAX_BLOCK_DEPTH:
                raise _TooDeep(current["line"])
            current["block"] = []
            blocks.append(current["block"])
        current = None
    if current is not None:
        raise StopIteration
    return top


def _unwrap_condition(args: list[str]) -> None:
    """`if ( $a = b )` -> `$a`, `=`, `b`: the parentheses around an `if` condition dropped, and an
    argument they alone made."""
    if not args or not (args[0].startswith("(") and args[-1].endswith(")")):
        return
    args[0], args[-1] = args[0][1:].lstrip(), args[-1][:-1].rstrip()
    if not args[-1]:
        args.pop()
    if args and not args[0]:
        args.pop(0)


def _problem(error: BaseException) -> tuple[str, int | None]:
    """crossplane's error as (problem, line), without the absolute file name it appends."""
    if isinstance(error, crossplane.errors.NgxParserBaseException):
        return str(error.strerror), error.lineno
    if isinstance(error, StopIteration):
        return "unexpected end of file (an unterminated quote or directive)", None
    if isinstance(error, RecursionError):
        return f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels)", None
    return f"cannot be parsed ({type(error).__name__})", None
