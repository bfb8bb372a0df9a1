"""Load forum definitions from forums/*.yaml, merged over the per-engine presets."""

from __future__ import annotations

import codecs
import difflib
import ipaddress
import json
import logging
import re
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean
from ..problems import FileProblems, Problem  # noqa: F401 - Problem stays importable from here
from ..scraping.items import ParseContext

log = logging.getLogger(__name__)

DATE_LOCALES = ("en", "ru", "uk")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ENGINE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SYNTAX_FIELD = "<yaml>"
DOCUMENT_FIELD = "<document>"
FILE_FIELD = "<file>"
# Pydantic type errors whose generic wording is replaced by "must be …, got …" (as in the playbooks).
_EXPECTED = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
}
HOST_PATTERN = re.compile(r"^(?=.{1,253}(:|$))[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")


@dataclass(frozen=True)
class Politeness:
    """How hard repapp may read one forum's host."""

    requests_per_minute: float = 20.0
    concurrency: int = 1
    respect_robots: bool = True
    timeout_seconds: float = 20.0
    max_retries: int = 3

    @property
    def min_interval(self) -> float:
        """Return the minimum number of seconds between two requests to the host."""
        return 60.0 / self.requests_per_minute


@dataclass(frozen=True)
class Capabilities:
    """What this site lets repapp do; the engine must also declare the capability."""

    login: bool = True
    post: bool = True


BASE_POLITENESS = Politeness()
BASE_CAPABILITIES = Capabilities()


@dataclass(frozen=True)
class ForumDefinition:
    """One forum site: where it lives, which engine reads it, and how politely."""

    key: str
    name: str
    base_url: str
    engine: str
    timezone: str = "UTC"
    date_locale: str = "en"
    encoding: str | None = None
    aliases: tuple[str, ...] = ()
    politeness: Politeness = BASE_POLITENESS
    capabilities: Capabilities = BASE_CAPABILITIES
    requires_login: bool = False
    # Engine-specific settings; treat as read-only (kept a dict so definitions pickle and serialise).
    engine_options: dict[str, Any] = field(default_factory=dict, hash=False)
    source: str = field(default="", compare=False)

    @property
    def host(self) -> str:
        """Return the host (and non-default port) of the base URL."""
        return urlsplit(self.base_url).netloc

    @property
    def hosts(self) -> tuple[str, ...]:
        """Return the base URL's host followed by the aliases."""
        return (self.host, *self.aliases)

    @property
    def tzinfo(self) -> ZoneInfo:
        """Return the forum's time zone, used to read the dates it shows."""
        return ZoneInfo(self.timezone)

    def parse_context(self, url: str, fetched_at: datetime) -> ParseContext:
        """Return what an engine needs to read a page of this forum, the encoding override included."""
        options = {**self.engine_options, "encoding": self.encoding} if self.encoding else dict(self.engine_options)
        return ParseContext(url=url, fetched_at=fetched_at, timezone=self.tzinfo, date_locale=self.date_locale,
                            options=options)

    def as_dict(self) -> dict[str, Any]:
        """Return the definition as plain JSON-compatible values."""
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        return data


class ForumDefinitionInvalid(FileProblems):
    """One or more forum definition files are wrong; every problem found is listed."""


def _check_alias(value: str) -> str:
    """Return an alias host lowercased, or raise ValueError."""
    host = value.lower().rstrip(".")
    if not HOST_PATTERN.match(_ascii_host(host)):
        raise ValueError(f"{value!r} is not a host name (optionally with :port)")
    return host


class _Strict(BaseModel):
    # strict: YAML's "10" must not quietly become 10, nor "yes" become True.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _PolitenessPatch(_Strict):
    requests_per_minute: float | None = Field(default=None, gt=0, le=600)
    concurrency: int | None = Field(default=None, ge=1, le=16)
    respect_robots: bool | None = None
    timeout_seconds: float | None = Field(default=None, gt=0, le=300)
    max_retries: int | None = Field(default=None, ge=0, le=10)


class _CapabilitiesPatch(_Strict):
    login: bool | None = None
    post: bool | None = None


class _PresetFile(_Strict):
    politeness: _PolitenessPatch = _PolitenessPatch()
    capabilities: _CapabilitiesPatch = _CapabilitiesPatch()
    requires_login: bool | None = None
    engine_options: dict[str, Any] = Field(default_factory=dict)


class _SiteFile(_PresetFile):
    key: str | None = None
    name: str = Field(min_length=1, max_length=200)
    base_url: str = Field(max_length=500)
    engine: str
    encoding: str | None = None
    timezone: str
    date_locale: Literal["en", "ru", "uk"] = "en"
    aliases: list[Annotated[str, AfterValidator(_check_alias)]] = Field(default_factory=list)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Check the key is well formed and matches the file name."""
        if value is None:
            return None
        if not KEY_PATTERN.match(value):
            raise ValueError("must be lowercase letters, digits and dashes, at most 64 characters")
        file_key = (info.context or {}).get("file_key")
        if file_key and value != file_key:
            raise ValueError(f"must match the file name ({file_key!r}) or be left out")
        return value

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        """Return the name stripped, refusing a blank one."""
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        """Return the base URL normalised."""
        return normalise_base_url(value)

    @field_validator("engine")
    @classmethod
    def _check_engine(cls, value: str, info: ValidationInfo) -> str:
        """Check the engine key, against the registered engines when given."""
        if not ENGINE_PATTERN.match(value):
            raise ValueError("must be an engine key such as 'phpbb'")
        known = (info.context or {}).get("known_engines")
        if known is not None and value not in known:
            raise ValueError(f"unknown engine {value!r}; known engines: {', '.join(sorted(known))}")
        return value

    @field_validator("encoding")
    @classmethod
    def _check_encoding(cls, value: str | None) -> str | None:
        """Check Python knows the encoding."""
        if value is None:
            return None
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None
        return value.lower()

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        """Check the time zone is an IANA name."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Moscow'") from None
        return value

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, value: list[str]) -> list[str]:
        """Refuse the same alias twice."""
        if len(set(value)) != len(value):
            raise ValueError("lists the same host twice")
        return value


def normalise_base_url(value: str) -> str:
    """Return a forum base URL lowercased and ending in '/', or raise ValueError."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password; forum accounts are stored apart")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query (?...) or fragment (#...)")
    host = parts.hostname.rstrip(".")
    if ":" in host:
        if not _is_ip(host):
            raise ValueError(f"{host!r} is not a host name")
        host = f"[{host}]"
    elif not HOST_PATTERN.match(_ascii_host(host)):
        raise ValueError(f"{host!r} is not a host name")
    netloc = f"{host}:{port}" if port is not None else host
    path = parts.path or "/"
    if not path.endswith("/"):
        # Engines join relative paths onto the base URL; without the slash urljoin drops the last segment.
        path += "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def _is_ip(host: str) -> bool:
    """Return whether host is an IP address literal."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _ascii_host(host: str) -> str:
    """Return host in its IDNA (ASCII) form."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def load_forum_definitions(
    folder: str | Path,
    *,
    known_engines: Collection[str] | None = None,
    presets_folder: str | Path | None = None,
) -> dict[str, ForumDefinition]:
    """Load every forums/*.yaml file over its engine preset, or raise ForumDefinitionInvalid.

    `known_engines` are the engine keys; given the registry (key -> engine class), each
    engine also checks its forums' engine_options.
    """
    folder = Path(folder)
    problems: list[Problem] = []
    presets = _load_presets(Path(presets_folder) if presets_folder else folder / "presets", known_engines, problems)
    definitions: dict[str, ForumDefinition] = {}
    by_base_url: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        definition = _parse_site(path.read_bytes(), str(path), presets, known_engines, problems)
        if definition is None:
            continue
        if definition.base_url in by_base_url:
            other = by_base_url[definition.base_url]
            problems.append(Problem(str(path), 1, "base_url", f"same base URL as {other!r}"))
            continue
        by_base_url[definition.base_url] = definition.key
        definitions[definition.key] = definition
    if problems:
        raise ForumDefinitionInvalid(problems)
    log.info("loaded %d forum definitions from %s", len(definitions), folder)
    return definitions


def parse_forum_definition(
    text: str,
    source: str,
    *,
    known_engines: Collection[str] | None = None,
    presets_folder: str | Path | None = None,
) -> ForumDefinition:
    """Parse one definition's text, named by source ('forums/<key>.yaml'), or raise ForumDefinitionInvalid."""
    problems: list[Problem] = []
    presets = _load_presets(Path(presets_folder), known_engines, problems) if presets_folder else {}
    definition = _parse_site(text, source, presets, known_engines, problems)
    if problems or definition is None:
        raise ForumDefinitionInvalid(problems)
    return definition


def _load_presets(
    folder: Path, known_engines: Collection[str] | None, problems: list[Problem]
) -> dict[str, _PresetFile]:
    """Load presets/<engine>.yaml files, adding what is wrong with them to problems."""
    presets: dict[str, _PresetFile] = {}
    if not folder.is_dir():
        return presets
    for path in sorted(folder.glob("*.yaml")):
        engine = path.stem
        if not ENGINE_PATTERN.match(engine):
            problems.append(Problem(str(path), 1, FILE_FIELD, f"file name {engine!r} is not an engine key"))
            continue
        if known_engines is not None and engine not in known_engines:
            # Not an error: a preset may ship before its engine does.
            log.warning("preset %s is for an engine that is not registered", path)
        root = _read_yaml(path.read_bytes(), str(path), problems)
        if root is None:
            continue
        preset = _validate(_PresetFile, root, str(path), {}, problems)
        if preset is not None:
            presets[engine] = preset
    return presets


def _parse_site(
    raw: bytes | str,
    source: str,
    presets: Mapping[str, _PresetFile],
    known_engines: Collection[str] | None,
    problems: list[Problem],
) -> ForumDefinition | None:
    """Return one site file merged over its preset, or None after adding its problems."""
    file_key = Path(source).stem
    root = _read_yaml(raw, source, problems)
    if root is None:
        return None
    context = {"known_engines": known_engines, "file_key": file_key}
    site = _validate(_SiteFile, root, source, context, problems)
    if site is None:
        return None
    key = site.key or file_key
    if not KEY_PATTERN.match(key):
        problems.append(Problem(source, 1, "key", f"file name {file_key!r} is not a valid key; rename the file"))
        return None
    definition = _merge(key, site, presets.get(site.engine), source)
    if _engine_option_problems(definition, root, known_engines, problems):
        return None
    if definition.requires_login and not definition.capabilities.login:
        line = _line_of(root, ("requires_login",))
        problems.append(Problem(source, line, "requires_login", "is true, but capabilities.login is false: reading logged in needs login"))
        return None
    return definition


def _engine_option_problems(definition: ForumDefinition, root: CommentedMap,
                            known_engines: Collection[str] | None, problems: list[Problem]) -> bool:
    """Let the engine check the merged engine_options (given engine classes); report with lines."""
    engine = known_engines.get(definition.engine) if isinstance(known_engines, Mapping) else None
    found = engine.option_problems(definition.engine_options) if engine is not None else []
    for path, message in found:
        loc = ("engine_options", *path)
        problems.append(Problem(definition.source, _line_of(root, loc), ".".join(loc), message))
    return bool(found)


def _merge(key: str, site: _SiteFile, preset: _PresetFile | None, source: str) -> ForumDefinition:
    """Layer the base defaults, the engine preset and the site file into a definition."""
    layers = [preset, site] if preset is not None else [site]
    politeness = asdict(BASE_POLITENESS)
    capabilities = asdict(BASE_CAPABILITIES)
    engine_options: dict[str, Any] = {}
    requires_login = False
    for layer in layers:
        politeness.update(layer.politeness.model_dump(exclude_none=True))
        capabilities.update(layer.capabilities.model_dump(exclude_none=True))
        engine_options.update(layer.engine_options)
        if layer.requires_login is not None:
            requires_login = layer.requires_login
    return ForumDefinition(
        key=key,
        name=site.name,
        base_url=site.base_url,
        engine=site.engine,
        timezone=site.timezone,
        date_locale=site.date_locale,
        encoding=site.encoding,
        aliases=tuple(site.aliases),
        politeness=Politeness(**politeness),
        capabilities=Capabilities(**capabilities),
        requires_login=requires_login,
        engine_options=engine_options,
        source=source,
    )


def _read_yaml(raw: bytes | str, source: str, problems: list[Problem]) -> CommentedMap | None:
    """Return the file parsed as a round-trip mapping (which knows its lines), or None."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(source, line, FILE_FIELD, "the file is not UTF-8"))
            return None
    try:
        with warnings.catch_warnings():
            # ruamel reports some dubious constructs as warnings; in a definition they are errors.
            warnings.simplefilter("error")
            root = YAML(typ="rt").load(raw)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = exc.problem or exc.context or "invalid YAML"
        problems.append(Problem(source, line, SYNTAX_FIELD, f"YAML syntax error: {message}"))
        return None
    except (YAMLError, Warning) as exc:
        problems.append(Problem(source, 1, SYNTAX_FIELD, f"YAML error: {exc}"))
        return None
    if root is None:
        problems.append(Problem(source, 1, DOCUMENT_FIELD, "the definition is empty"))
        return None
    if not isinstance(root, CommentedMap):
        problems.append(Problem(source, 1, DOCUMENT_FIELD, "the definition must be a mapping of fields"))
        return None
    return root


def _validate(model: type[_Strict], root: CommentedMap, source: str, context: dict, problems: list[Problem]):
    """Return root validated as model, or None after adding located problems."""
    try:
        return model.model_validate(_plain(root), context=context)
    except ValidationError as exc:
        found = {
            Problem(source, _line_of(root, tuple(error["loc"])), _field_name(error["loc"]), _message(model, error))
            for error in exc.errors(include_url=False)
        }
        problems.extend(sorted(found))
        return None


def _plain(node: Any) -> Any:
    """Return node with ruamel's round-trip types as builtins, so strict validation sees plain values."""
    if isinstance(node, Mapping):
        return {_plain(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, (bool, ScalarBoolean)):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, datetime):
        return node.isoformat()
    return node


def _line_of(root: CommentedMap, loc: tuple) -> int:
    """Return the 1-based line of the deepest part of loc present in the file."""
    node: Any = root
    line = root.lc.line + 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _field_name(loc: Iterable[Any]) -> str:
    """Turn a loc tuple into a dotted path with list indexes: politeness.concurrency, aliases[0]."""
    path = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or DOCUMENT_FIELD


def _model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """Return the model that sits at loc inside model (to name its allowed fields), or None."""
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _describe(value: Any) -> str:
    """Name a YAML value's kind the way a person editing the file would."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {json.dumps(value, ensure_ascii=False)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _message(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """Word one pydantic error for a person editing the YAML file."""
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(loc[-1])
        owner = _model_at(model, loc[:-1])
        if owner is None:
            return f"unknown field '{name}'"
        allowed = list(owner.model_fields)
        close = difflib.get_close_matches(name, allowed, n=1)
        if close:
            return f"unknown field '{name}' (did you mean '{close[0]}'?)"
        return f"unknown field '{name}' (allowed: {', '.join(allowed)})"
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {_describe(error.get('input'))}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        return message[len("Value error, "):]
    return message.replace("Input should be", "must be", 1).replace("Input should", "should", 1)
