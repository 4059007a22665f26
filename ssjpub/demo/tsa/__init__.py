"""The demo's time-stamping authority: real OpenSSL (`openssl ts -reply`) behind http.server on
127.0.0.1, its clock set by libfaketime (Debian's `faketime`) to the moment being replayed, so a
token's genTime can precede a draw day in 2023–2025. Nothing of RFC 3161 or the crypto is written
here: OpenSSL signs, ssjpub's own client asks and validates.

Its key and certificate (tsa-key.pem, tsa-cert.pem beside this file) are committed on purpose so
the replay needs no secret: they are public, so nothing they sign proves anything (README.md
here). `python -m ssjpub.demo.tsa` makes a new pair and the CA certificate ca-cert.pem (which
`make demo` copies to plans/<agency>/tsa/demo-ca.pem); the CA's private key is thrown away at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

NAME = "演示时间戳服务（本地 OpenSSL，非真实服务）"
HOST, PORT = "127.0.0.1", 3161  # the RFC's number; agency.yaml names the port, so it is fixed
URL = f"http://{HOST}:{PORT}/tsa"
# An OID under 2.25 (ITU-T X.667: from a UUID, no registration): clearly nobody's real policy.
POLICY = "2.25.335134217947783298254041361835450870730"
CA_FILE = "demo-ca.pem"  # plans/<agency>/tsa/demo-ca.pem

HERE = Path(__file__).resolve().parent
KEY, CERT, CA_CERT = HERE / "tsa-key.pem", HERE / "tsa-cert.pem", HERE / "ca-cert.pem"

# The certificates' own clock: before every replayed date, valid for 30 years after.
ISSUED_AT, VALID_DAYS = datetime(2022, 1, 1, tzinfo=timezone.utc), 10957
WARNING_HEAD = ("仅供演示：这是公开的私钥，任何人都可以用它签发“时间戳”，不要信任它签发的任何东西。\n"
                "DEMO ONLY: this private key is public. Trust nothing signed with it.\n")


class TSAUnavailable(Exception):
    """faketime or openssl is not installed, or the port is taken; the message says what to do."""


def require_tools() -> str:
    """The faketime command (openssl must be there too)."""
    found = shutil.which("faketime")
    if found is None:
        raise TSAUnavailable("需要 faketime（libfaketime）设置演示时间戳服务的时钟：Debian/Ubuntu 上运行 apt-get install faketime")
    if shutil.which("openssl") is None:
        raise TSAUnavailable("需要 openssl 命令：Debian/Ubuntu 上运行 apt-get install openssl")
    return found


def run_at(moment: datetime, *command: str | Path, frozen: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """`command` run (output captured) with its clock at `moment`: stopped there, or running on
    from it. faketime reads the moment in the local time zone, hence TZ=UTC."""
    utc = moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return subprocess.run([require_tools(), "-f", utc if frozen else f"@{utc}", *map(str, command)],
                          env=dict(os.environ, TZ="UTC"), capture_output=True, **kwargs)


def serve(reply: Callable[[bytes], bytes], host: str = HOST, port: int = PORT) -> ThreadingHTTPServer:
    """An RFC 3161 HTTP endpoint (§3.4) in a background thread: each POSTed query goes to `reply`
    (which raises CalledProcessError for a query OpenSSL refuses). Stop it with shutdown()."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            try:
                answer = reply(body)
            except subprocess.CalledProcessError:
                self.send_error(400)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:  # keep the caller's output clean
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class DemoTSA:
    """`with DemoTSA() as tsa:` serves URL until the block ends; set `tsa.clock` to the moment each
    token should carry. One at a time on this machine: a second replay waits for the port."""

    def __init__(self) -> None:
        self.clock = ISSUED_AT
        self._lock = threading.Lock()

    def _config(self) -> str:
        return ("[tsa]\ndefault_tsa = demo\n\n[demo]\n"
                f"dir = {self._work.name}\nserial = $dir/serial\ncrypto_device = builtin\n"
                f"signer_cert = {CERT}\nsigner_key = {KEY}\nsigner_digest = sha256\n"
                f"default_policy = {POLICY}\ndigests = sha256\naccuracy = secs:1\nordering = yes\n"
                "tsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n")

    def reply(self, query: bytes) -> bytes:
        with self._lock:
            work = Path(self._work.name)
            (work / "query.tsq").write_bytes(query)
            return run_at(self.clock, "openssl", "ts", "-reply", "-config", work / "openssl.cnf",
                          "-queryfile", work / "query.tsq", check=True).stdout

    def __enter__(self) -> "DemoTSA":
        require_tools()
        self._port_lock = open(Path(tempfile.gettempdir()) / f"ssjpub-demo-tsa-{PORT}.lock", "a")
        fcntl.flock(self._port_lock, fcntl.LOCK_EX)  # another replay on this machine: wait for it
        self._work = tempfile.TemporaryDirectory(prefix="ssjpub-demo-tsa-")
        work = Path(self._work.name)
        (work / "serial").write_text("00\n", encoding="ascii")  # the last serial: tokens get 1, 2, … in every replay
        (work / "openssl.cnf").write_text(self._config(), encoding="utf-8")
        try:
            self._server = serve(self.reply)
        except OSError as exc:
            self.__exit__(None, None, None)
            raise TSAUnavailable(f"演示时间戳服务无法监听 {HOST}:{PORT}（{exc.strerror}）：请先结束占用该端口的程序") from None
        return self

    def __exit__(self, *_exc) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server.shutdown()
            server.server_close()
            self._server = None
        self._work.cleanup()
        self._port_lock.close()  # releases the lock


def _openssl(moment: datetime, *args: str | Path, cwd: Path) -> None:
    run_at(moment, "openssl", *args, cwd=cwd, check=True)


def new_keys(folder: Path = HERE) -> None:
    """A new demo CA (its key deleted here) and TSA key and certificate, issued at ISSUED_AT, as
    KEY, CERT and CA_CERT's names in `folder`."""
    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _openssl(ISSUED_AT, "req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", str(VALID_DAYS),
                 "-subj", "/O=ssjpub demo, fictional/CN=ssjpub demo TSA CA - not a real CA, trust nothing",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 cwd=work)
        _openssl(ISSUED_AT, "req", *curve, "-keyout", "tsa.key", "-out", "tsa.csr",
                 "-subj", "/O=ssjpub demo, fictional/CN=ssjpub demo TSA - local OpenSSL, not a real service", cwd=work)
        (work / "tsa.ext").write_text(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
            "extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n",
            encoding="utf-8")
        _openssl(ISSUED_AT, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "1",
                 "-out", "tsa.pem", "-days", str(VALID_DAYS), "-extfile", "tsa.ext", cwd=work)
        (folder / KEY.name).write_text(WARNING_HEAD + (work / "tsa.key").read_text(encoding="ascii"), encoding="utf-8")
        shutil.copyfile(work / "tsa.pem", folder / CERT.name)
        (folder / CA_CERT.name).write_text(
            "演示用时间戳服务 CA 证书：本地 OpenSSL 生成，非真实服务，私钥已销毁；它证明不了任何真实时间。\n"
            "Demo TSA CA certificate (fictional; its key was destroyed). See ssjpub/demo/tsa/README.md.\n"
            + (work / "ca.pem").read_text(encoding="ascii"), encoding="utf-8")

def config(agency: str) -> dict[str, str]:
    """The `timestamp:` section of a demo agency's agency.yaml."""
    return {"name": NAME, "url": URL, "ca_certificate": f"plans/{agency}/tsa/{CA_FILE}", "policy": POLICY}
