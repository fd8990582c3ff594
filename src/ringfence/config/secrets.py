"""Config for secrets at the boundary: the agent holds a placeholder, ringfence
puts the real value in, only on requests to the secret's own hosts.

The real value is read once, at load: from ringfence's environment, a file that
only its owner can read (mode 0600 or 0400), or a command's output (a password
manager CLI), with a timeout. It lives in memory only (a private attribute,
never dumped, printed or put into an error message)."""
from __future__ import annotations

import os
import re
import stat
import subprocess
from typing import Annotated

from pydantic import AfterValidator, Field, PrivateAttr, field_validator, model_validator

from .base import Section

MIN_VALUE_CHARS = 8          # shorter values cannot be told apart from ordinary text
MAX_VALUE_BYTES = 64 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_METHOD = re.compile(r"^(\*|[A-Za-z]{1,20})$")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")


def _methods(v: list[str]) -> list[str]:
    for m in v:
        if not _METHOD.match(m):
            raise ValueError(f"not an HTTP method or '*': {m[:30]!r}")
    return v


def _globs(v: list[str]) -> list[str]:
    for g in v:
        if not g or len(g) > 256 or any(c.isspace() for c in g):
            raise ValueError(f"not a host or path pattern: {g[:40]!r}")
    return v


class ValueFrom(Section):
    """Where the real value comes from: exactly one of env, file, command."""
    env: str | None = Field(None, description="an environment variable of the ringfence process")
    file: str | None = Field(None, description="a file readable by its owner only (chmod 600)")
    command: list[str] | None = Field(None, description="argv of a command that prints the value (run once, at load)")
    timeout_s: float = Field(10.0, gt=0, le=120, strict=False, description="how long the command may take")

    @model_validator(mode="after")
    def _one(self) -> "ValueFrom":
        given = [k for k in ("env", "file", "command") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("value_from needs exactly one of env, file, command "
                             f"(got {', '.join(given) or 'none'})")
        if self.command is not None and (not self.command or not self.command[0]):
            raise ValueError("value_from.command needs a program, e.g. [pass, show, openai]")
        return self

    def describe(self) -> str:
        if self.env is not None:
            return f"env {self.env}"
        if self.file is not None:
            return f"file {self.file}"
        return f"command {(self.command or [''])[0]}"

    def read(self) -> str:
        """The real value. Errors name the source, never the value."""
        if self.env is not None:
            raw = os.environ.get(self.env)
            if raw is None:
                raise ValueError(f"environment variable {self.env} is not set (export it before starting ringfence)")
            return raw.strip()
        if self.file is not None:
            return _read_file(os.path.expanduser(self.file))
        return _run_command(list(self.command or []), self.timeout_s)


def _read_file(path: str) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise ValueError(f"secret file {path} does not exist") from None
    except OSError as e:
        raise ValueError(f"cannot open secret file {path}: {e.strerror or type(e).__name__}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"secret file {path} is not a regular file")
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            raise ValueError(f"secret file {path} is mode {mode:04o}: it must be readable by its owner "
                             f"only (run: chmod 600 {path})")
        data = os.read(fd, MAX_VALUE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_VALUE_BYTES:
        raise ValueError(f"secret file {path} is larger than {MAX_VALUE_BYTES} bytes")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError(f"secret file {path} is not UTF-8 text") from None


def _run_command(argv: list[str], timeout: float) -> str:
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ValueError(f"secret command {argv[0]!r} not found") from None
    except subprocess.TimeoutExpired:
        raise ValueError(f"secret command {argv[0]!r} did not finish within {timeout:g} s") from None
    except OSError as e:
        raise ValueError(f"secret command {argv[0]!r} failed to start: {e.strerror or type(e).__name__}") from None
    # Its output may hold the secret: never quote stdout or stderr.
    if p.returncode != 0:
        raise ValueError(f"secret command {argv[0]!r} exited with status {p.returncode}")
    if len(p.stdout) > MAX_VALUE_BYTES:
        raise ValueError(f"secret command {argv[0]!r} printed more than {MAX_VALUE_BYTES} bytes")
    try:
        return p.stdout.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError(f"secret command {argv[0]!r} did not print UTF-8 text") from None


class Inject(Section):
    """Where the real value goes on every request to the secret's hosts (exactly one target)."""
    header: str | None = Field(None, description="header name, e.g. Authorization")
    format: str = Field("{}", description="header value template; {} is the secret, e.g. 'Bearer {}'")
    query: str | None = Field(None, description="query parameter name, e.g. api_key")
    basic_auth: str | None = Field(None, description="basic-auth user name; the secret is the password")
    json_field: str | None = Field(None, description="dotted field of a JSON object body, e.g. auth.token")

    @model_validator(mode="after")
    def _one(self) -> "Inject":
        given = [k for k in ("header", "query", "basic_auth", "json_field") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("inject needs exactly one of header, query, basic_auth, json_field "
                             f"(got {', '.join(given) or 'none'})")
        if self.header is not None and not _HEADER.match(self.header):
            raise ValueError(f"not a header name: {self.header[:40]!r}")
        if self.format.count("{}") != 1 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in self.format):
            raise ValueError("inject.format needs exactly one {} and no control characters")
        for k in ("query", "basic_auth", "json_field"):
            v = getattr(self, k)
            if v is not None and (not v or len(v) > 128 or any(ord(c) < 0x21 for c in v)):
                raise ValueError(f"inject.{k}: not a valid name: {v[:40]!r}")
        if self.basic_auth is not None and ":" in self.basic_auth:
            raise ValueError("inject.basic_auth: a user name cannot contain ':'")
        return self


class SecretSpec(Section):
    """One managed secret. The agent only ever sees `placeholder`."""
    placeholder: str | None = Field(None, description="what the agent holds; default rf-secret://<name>")
    value_from: ValueFrom = Field(description="{env: NAME}, {file: PATH} or {command: [argv, ...]}")
    hosts: Annotated[list[str], AfterValidator(_globs)] = Field(
        min_length=1, description="where the real value may go (globs; *.x matches x and its subdomains)")
    paths: Annotated[list[str], AfterValidator(_globs)] = Field(
        default_factory=list, description="path globs (e.g. /v1/*); empty = any path")
    methods: Annotated[list[str], AfterValidator(_methods)] = Field(
        default_factory=list, description="HTTP methods; empty = any")
    inject: Inject | None = Field(None, description="put the value here on every matching request "
                                                     "(header with format, query, basic_auth or json_field)")
    _value: str = PrivateAttr("")

    @field_validator("placeholder")
    @classmethod
    def _placeholder(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not 8 <= len(v) <= 256 or not all(0x21 <= ord(c) < 0x7F for c in v):
            raise ValueError("a placeholder is 8-256 printable ASCII characters without spaces")
        return v

    @model_validator(mode="after")
    def _load(self) -> "SecretSpec":
        value = self.value_from.read()
        where = self.value_from.describe()
        if len(value) < MIN_VALUE_CHARS:
            raise ValueError(f"the value from {where} is shorter than {MIN_VALUE_CHARS} characters "
                             "(too short to recognise if it leaks)")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise ValueError(f"the value from {where} contains a control character (line break?)")
        if self.placeholder and (self.placeholder in value or value in self.placeholder):
            raise ValueError("the placeholder and the real value overlap; choose another placeholder")
        self._value = value
        return self

    def value(self) -> str:
        return self._value


def _check_secrets(v: dict[str, SecretSpec]) -> dict[str, SecretSpec]:
    seen: dict[str, str] = {}
    for name, spec in v.items():
        if not _NAME.match(name):
            raise ValueError(f"secret name {name[:40]!r}: use letters, digits, '_', '.', '-' (at most 64)")
        ph = spec.placeholder or f"rf-secret://{name}"
        if ph in seen:
            raise ValueError(f"secrets {seen[ph]} and {name} share the placeholder {ph}")
        seen[ph] = name
    for n, s in v.items():
        for ph, other in seen.items():
            if other != n and (ph in s.value() or s.value() in ph):
                raise ValueError(f"the value of secret {n} overlaps the placeholder of {other}")
    return v


Secrets = Annotated[dict[str, SecretSpec], AfterValidator(_check_secrets)]
