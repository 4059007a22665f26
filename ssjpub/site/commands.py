"""The commands the site prints for people to paste into a terminal.

Each is built as argument lists from validated parts (a web address checked by ssjpub.weburl, a
commit hash, repository-relative paths checked at load) and only then turned into text, every
word quoted for POSIX shells with ``shlex.quote``: whatever a value holds, it stays one word and
can never add a command of its own. Beside it, the Windows PowerShell form where there is one
(``Get-FileHash``, ``py -3``, ``.venv\\Scripts``), quoted for PowerShell by ``ps_quote`` the same way.
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
    """What a command does, and the command: one or more argument lists run one after another;
    `windows` the same for PowerShell (None: no Windows form, `note` says what to do instead)."""

    what: str
    argvs: tuple[Argv, ...]
    windows: tuple[Argv, ...] | None = None
    note: str = ""

    @property
    def text(self) -> str:
        return " && ".join(shlex.join(argv) for argv in self.argvs)

    @property
    def windows_text(self) -> str:
        # One line each: Windows PowerShell 5.1 has no `&&`.
        return "\n".join(" ".join(ps_quote(w) for w in argv) for argv in self.windows or ())


def command(what: str, *argvs: Argv, windows: tuple[Argv, ...] | None = None, note: str = "") -> Command:
    win = None if windows is None else tuple(tuple(a) for a in windows)
    return Command(what, tuple(tuple(a) for a in argvs), win, note)


# A word PowerShell reads as itself, unquoted. Anything else goes in single quotes, where only a
# quote is special: PowerShell takes the typographic ones (‘ ’ ‚ ‛) for quotes too, so each of
# them is doubled like "'".
_PS_PLAIN = re.compile(r"[A-Za-z0-9_./\\:-]+")
_PS_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")


def ps_quote(word: str) -> str:
    if _PS_PLAIN.fullmatch(word):  # an option ("-Algorithm") stays one; no data word starts with "-"
        return word
    return "'" + _PS_QUOTES.sub(lambda m: m.group(0) * 2, word) + "'"


def windows_path(path: str) -> str:
    """A repository path as Windows writes it (PowerShell and Python accept "/" too)."""
    return path.replace("/", "\\")


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
    clone, enter = ("git", "clone", repository, folder), ("cd", folder)
    return [command("取得数据仓库（含完整历史）", clone, windows=(clone,)),
            command("进入仓库", enter, windows=(enter,))]


def checkout_command(commit: str) -> Command | None:
    """Check out the commit the site was built from; None outside a checkout ("未知")."""
    if not _SHA.fullmatch(commit or ""):
        return None
    argv = ("git", "checkout", commit)
    return command("切换到生成本页的提交", argv, windows=(argv,))


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


def sha256_command(what: str, path: str) -> Command:
    """The SHA-256 of a file: ``sha256sum`` (macOS: ``shasum -a 256``), PowerShell ``Get-FileHash``."""
    return command(what, ("sha256sum", path), windows=(("Get-FileHash", "-Algorithm", "SHA256", windows_path(path)),))


def verify_draw_command(what: str, *args: str) -> Command:
    """docs/verify_draw.py, standard library only, with `args` (record paths or --all)."""
    return command(what, ("python3", "docs/verify_draw.py", *args),
                   windows=(("py", "-3", "docs\\verify_draw.py", *(windows_path(a) for a in args)),))


def install_commands() -> list[Command]:
    """Install ssjpub in a virtual environment, then re-run every draw and check the order."""
    return [
        command("安装 ssjpub", ("python3", "-m", "venv", ".venv"), (".venv/bin/pip", "install", "-e", "."),
                windows=(("py", "-3", "-m", "venv", ".venv"), (".venv\\Scripts\\pip", "install", "-e", "."))),
        command("重新执行仓库中的每一次抽取，与记录逐项比对", (".venv/bin/ssjpub", "verify"),
                windows=((".venv\\Scripts\\ssjpub", "verify"),)),
        command("用 git 历史核对先后顺序：输入先于随机数提交，发布后未再修改", (".venv/bin/ssjpub", "verify", "--history"),
                windows=((".venv\\Scripts\\ssjpub", "verify", "--history"),)),
    ]
