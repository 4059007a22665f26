"""Ask a TSA for a token over HTTP (RFC 3161 §3.4): one POST of application/timestamp-query."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

TIMEOUT = 30  # seconds, for connecting and for each read
LIMIT = 1 << 20  # bytes: a token is a few KB; anything larger is not one


class TSAError(Exception):
    """The TSA could not be asked or did not answer with a token; the message is for staff."""


def request_token(url: str, query: bytes, timeout: float = TIMEOUT, limit: int = LIMIT) -> bytes:
    req = urllib.request.Request(
        url, data=query, method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the configured https/http URL
            body = resp.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise TSAError(f"时间戳服务 {url} 返回 HTTP {exc.code}（{exc.reason}）：请确认地址无误，或稍后再试") from None
    except urllib.error.URLError as exc:
        raise TSAError(f"无法连接时间戳服务 {url}：{exc.reason}。请检查网络和地址，或稍后再试") from None
    except (TimeoutError, socket.timeout):
        raise TSAError(f"时间戳服务 {url} 在 {timeout:g} 秒内没有应答，请稍后再试") from None
    except OSError as exc:
        raise TSAError(f"与时间戳服务 {url} 通信失败：{exc}") from None
    if len(body) > limit:
        raise TSAError(f"时间戳服务 {url} 的应答超过 {limit // 1024} KB，不是时间戳令牌")
    if not body:
        raise TSAError(f"时间戳服务 {url} 的应答是空的")
    return body
