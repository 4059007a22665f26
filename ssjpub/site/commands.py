"""The commands the site prints for people to paste into a terminal.

Each is built as argument lists from validated parts (a web address checked by ssjpub.weburl, a
commit hash, repository-relative paths checked at load) and only then turned into text, every
word quoted for POSIX shells with ``shlex.quote``: whatever a value holds, it stays one word and
can never add a command of its own. The site shows no PowerShell or cmd.exe variant.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

Argv = tuple[str, ...]
_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


@dataclass(frozen=True)
class Command:
    """What a command does, and the command: one or more argument lists run one after another."""

    what: str
    argvs: tuple[Argv, ...]

    @property
    def text(self) -> str:
        return " && ".join(shlex.join(argv) for argv in self.argvs)


def command(what: str, *argvs: Argv) -> Command:
    return Command(what, tuple(tuple(a) for a in argvs))


def clone_folder(repository: str | None) -> str:
    """The folder `git clone` makes (the address's last part, less ``.git``); "ssjpub" when that
    is not a plain name, so that ``cd`` is never handed an option or a path."""
    if not repository:
        return "ssjpub"
    name = repository.rstrip("/").rsplit("/", 1)[-1]
    name = name[:-4] if name.endswith(".git") else name
    return name if _FOLDER.fullmatch(name) else "ssjpub"


def clone_commands(repository: str | None) -> list[Command]:
    """Clone the repository (full history) and enter it; none when the address is unknown."""
    if not repository:
        return []
    folder = clone_folder(repository)
    return [command("取得数据仓库（含完整历史）", ("git", "clone", repository, folder)),
            command("进入仓库", ("cd", folder))]


def checkout_command(commit: str) -> Command | None:
    """Check out the commit the site was built from; None outside a checkout ("未知")."""
    return command("切换到生成本页的提交", ("git", "checkout", commit)) if _SHA.fullmatch(commit or "") else None


def fetch_commands(repository: str | None, commit: str) -> list[Command]:
    checkout = checkout_command(commit)
    return clone_commands(repository) + ([checkout] if checkout else [])


def _py_str(value: str) -> str:
    # A JSON string is a Python string literal; a single quote is escaped too, so that the whole
    # program sits inside one pair of shell single quotes without breaking out of them.
    return json.dumps(value, ensure_ascii=False).replace("'", "\\u0027")


def seed_argv(inputs: list[str]) -> Argv:
    """``python3 -c PROGRAM``, standard library only, recomputing the seed from its inputs as
    docs/draw-spec.md §1 and §3 state it: SHA-256 over NFC, UTF-8, 4-byte length-prefixed fields."""
    fields = ",".join(_py_str(v) for v in inputs)
    program = (
        "import hashlib,unicodedata as u;"
        'F=lambda s:(lambda b:len(b).to_bytes(4,"big")+b)(u.normalize("NFC",s).encode());'
        f'print(hashlib.sha256(b"".join(map(F,[{fields}]))).hexdigest())'
    )
    return ("python3", "-c", program)
