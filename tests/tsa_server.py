"""A real RFC 3161 time-stamping authority for tests: OpenSSL's `openssl ts -reply` behind a tiny
HTTP server on 127.0.0.1. Keys and certificates are made with the `openssl` CLI in a temporary
folder; nothing is mocked. openssl ts signs with the system clock, so tests of "token after the
draw time" move the declared draw date instead of the clock.
"""

from __future__ import annotations

import subprocess
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from ssjpub.demo.tsa import serve

POLICY = "1.3.6.1.4.1.55555.1.1"
OTHER_POLICY = "1.3.6.1.4.1.55555.1.2"


def openssl(*args: str | Path, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *map(str, args)], cwd=cwd, input=stdin, check=True,
                          capture_output=True).stdout


class LocalTSA:
    """A CA, a TSA certificate it issued (critical extendedKeyUsage timeStamping) and the server."""

    def __init__(self, folder: Path, name: str = "Test TSA", policy: str = POLICY) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ca_pem = folder / "ca.pem"
        self.cert_pem = folder / "tsa.pem"
        self.key = folder / "tsa.key"
        curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
        openssl("req", "-x509", *curve, "-keyout", folder / "ca.key", "-out", self.ca_pem,
                "-subj", f"/CN={name} Root CA", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("req", *curve, "-keyout", self.key, "-out", folder / "tsa.csr", "-subj", f"/CN={name}")
        (folder / "tsa.ext").write_text(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
            "extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n", encoding="utf-8")
        openssl("x509", "-req", "-in", folder / "tsa.csr", "-CA", self.ca_pem, "-CAkey", folder / "ca.key",
                "-CAcreateserial", "-out", self.cert_pem, "-days", "365", "-extfile", folder / "tsa.ext")
        (folder / "serial").write_text("01\n", encoding="ascii")
        self.config = folder / "openssl.cnf"
        self.set_policy(policy)
        self._server: ThreadingHTTPServer | None = None

    def set_policy(self, policy: str) -> None:
        """The policy the TSA puts in its tokens (its default_policy)."""
        self.config.write_text(
            "[tsa]\ndefault_tsa = tsa_config\n\n[tsa_config]\n"
            f"dir = {self.folder}\nserial = $dir/serial\ncrypto_device = builtin\n"
            f"signer_cert = {self.cert_pem}\ncerts = {self.ca_pem}\nsigner_key = {self.key}\n"
            f"signer_digest = sha256\ndefault_policy = {policy}\nother_policies = {OTHER_POLICY}\n"
            "digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\ntsa_name = yes\n"
            "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n", encoding="utf-8")

    def reply(self, query: bytes) -> bytes:
        """The DER TimeStampResp that `openssl ts -reply` gives for a DER TimeStampReq."""
        with self._lock:
            q = self.folder / "query.tsq"
            q.write_bytes(query)
            return openssl("ts", "-reply", "-config", self.config, "-queryfile", q)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the TSA first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/tsa"

    def start(self) -> "LocalTSA":
        self._lock = threading.Lock()
        self._server = serve(self.reply, "127.0.0.1", 0)  # the demo TSA's HTTP side, on a free port
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def verify_with_openssl(self, token: Path, digest_hex: str, ca: Path | None = None) -> bool:
        """What `openssl ts -verify` says of a stored token (the command docs/timestamps.md shows)."""
        done = subprocess.run(["openssl", "ts", "-verify", "-digest", digest_hex, "-in", str(token),
                               "-CAfile", str(ca or self.ca_pem)], capture_output=True)
        return done.returncode == 0
