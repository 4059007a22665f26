"""Web addresses from data (the agency's `repository`): the one check every URL field goes through.

Such an address is shown as a link, built on (``<address>/blob/<commit>/<file>``) and printed in
commands that people paste into a shell, so only a plain web address is accepted:

- the scheme is ``https`` or ``http``: never ``javascript:``, ``data:``, ``file:`` or the like;
- ``//`` and a host: a domain name with at least one dot, each label valid under IDNA 2008
  (so letters, digits and hyphens, or a Chinese domain such as 例子.中国), optionally ``:port``;
- no user name or password (``user:pass@host``): the site is public, and ``github.com@evil.example``
  would read as one host and lead to another;
- a path of RFC 3986 characters only, less every one a shell gives a meaning to:
  letters, digits, ``- . _ ~ / : @ + , =`` and ``%XX`` escapes. No whitespace or control
  character, no quotes or backticks, none of ``; | & $ < > ( ) * ! \\ ^ { } [ ]``;
- no query (``?``) or fragment (``#``): the address is a base that paths are appended to.

Commands quote every word anyway (ssjpub.site.commands); this check keeps addresses honest
for the reader of the page, not only safe for the shell.
"""

from __future__ import annotations

import re
import unicodedata

import idna

SCHEMES = ("https", "http")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PATH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/:@+,=%")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
EXAMPLE = "https://github.com/机构名/仓库名"


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "CZ"  # controls, format characters, every space


def web_url_problem(value: object) -> str | None:
    """Why ``value`` is not an acceptable web address (Chinese, for the message), or None."""
    if not isinstance(value, str) or not value:
        return "应为网址文字"
    if any(_invisible(ch) for ch in value):
        return "网址中不能有空格、换行、制表符或其他不可见字符"
    m = _SCHEME.match(value)
    if not m or "." in m.group(1):  # "github.com:8080/…" has no scheme at all
        return "网址应以 https:// 开头"
    scheme = m.group(1)
    if scheme.lower() not in SCHEMES:
        return f"只接受 https:// 或 http:// 开头的网址，不接受“{scheme}:”"
    rest = value[m.end():]
    if not rest.startswith("//"):
        return f"“{scheme}:”之后应为“//主机名”"
    authority, slash, path = rest[2:].partition("/")
    if "?" in value or "#" in value:
        return "网址中不能有“?”或“#”及其后的部分：这里只写仓库本身的地址"
    if authority.startswith("["):
        return "主机名应为域名，不接受 IP 地址"
    if "@" in authority:
        return "网址中不能含用户名或密码（“@”之前的部分）：网站是公开的"
    host, colon, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if colon and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return "端口应为 1 到 65535 之间的数字"
    why = _host_problem(host)
    if why:
        return why
    for ch in path:
        if ch not in _PATH_CHARS:
            hint = "（汉字等非 ASCII 字符请写成 %XX 编码）" if not ch.isascii() else ""
            return f"网址的路径中不能有字符“{ch}”{hint}"
    if _PERCENT.search(path):
        return "“%”之后应为两位十六进制数字"
    return None


def _host_problem(host: str) -> str | None:
    if not host:
        return "缺少主机名"
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return f"主机名“{host}”应为完整的域名，如 github.com"
    try:
        idna.encode(host.lower(), uts46=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        return f"主机名“{host}”无效：只能用字母、数字和连字符（或中文域名），连字符不能在开头或结尾"
    return None
