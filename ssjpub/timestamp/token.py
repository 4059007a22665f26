"""RFC 3161 requests and the validation of the tokens a TSA returns.

Libraries, not hand-written ASN.1 or crypto: asn1crypto defines every structure involved
(TimeStampReq/Resp, TSTInfo, CMS SignedData, ESSCertID/ESSCertIDv2) and gives each field by
name, so each check below can say in Chinese exactly what is wrong; cryptography does the
signature check and the path validation (x509.verification, with a timeStamping EKU policy).
rfc3161ng (last release 2020, pyasn1) is small and less maintained; rfc3161-client verifies in one
opaque call whose English errors cannot be told apart, and its ESS check compares issuer and
serial only. `openssl ts -verify` is the independent second opinion (tests/test_timestamp.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import algos, cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import verification

_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha1": hashes.SHA1}
_HASHLIB = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512, "sha1": hashlib.sha1}


@dataclass(frozen=True)
class Request:
    der: bytes
    nonce: int


def build_request(message_digest: bytes, policy: str | None = None) -> Request:
    """A TimeStampReq: SHA-256 imprint, a fresh 64-bit nonce, certReq so the token carries the
    signing certificate (validation then needs only the CA certificate committed in the repo)."""
    nonce = secrets.randbits(63) | 1 << 62  # positive, never shorter than 8 bytes
    fields = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": message_digest},
        "nonce": nonce,
        "cert_req": True,
    }
    if policy:
        fields["req_policy"] = policy
    return Request(tsp.TimeStampReq(fields).dump(), nonce)


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """The CA certificates of a PEM file; ValueError when there are none or they do not parse."""
    certs = x509.load_pem_x509_certificates(pem)
    if not certs:
        raise ValueError("no certificate")
    return certs


@dataclass
class _Token:
    """The facts of a parsed TimeStampResp that the checks read."""

    status: str
    gen_time: datetime | None = None
    imprint_alg: str = ""
    imprint: bytes = b""
    policy: str = ""
    nonce: int | None = None
    signer: cms.SignerInfo | None = None
    certificates: tuple[x509.Certificate, ...] = ()
    content: bytes = b""


def _parse(data: bytes) -> _Token:
    """Raises ValueError (or TypeError/KeyError from asn1crypto's lazy parsing) on malformed input."""
    resp = tsp.TimeStampResp.load(data, strict=True)
    status = resp["status"]["status"].native
    token = _Token(status)
    if status not in ("granted", "granted_with_mods"):
        return token
    content_info = resp["time_stamp_token"]
    if content_info["content_type"].native != "signed_data":
        raise ValueError("not SignedData")
    signed = content_info["content"]
    encap = signed["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("not TSTInfo")
    info = encap["content"].parsed
    imprint = info["message_imprint"]
    token.gen_time = info["gen_time"].native
    token.imprint_alg = imprint["hash_algorithm"]["algorithm"].native
    token.imprint = imprint["hashed_message"].native
    token.policy = info["policy"].dotted
    token.nonce = info["nonce"].native
    token.content = encap["content"].contents
    if len(signed["signer_infos"]) != 1:
        raise ValueError("not exactly one SignerInfo")
    token.signer = signed["signer_infos"][0]
    token.certificates = tuple(
        x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"] or []
        if c.name == "certificate"
    )
    return token


def _signer_certificate(token: _Token) -> x509.Certificate | None:
    sid = token.signer["sid"]
    for cert in token.certificates:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.serial_number == ias["serial_number"].native and cert.issuer.public_bytes() == ias["issuer"].dump():
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == sid.chosen.native:
                return cert
    return None


def _attribute(signer: cms.SignerInfo, name: str):
    for attr in signer["signed_attrs"] or []:
        if attr["type"].native == name:
            return attr["values"][0]
    return None


def _signed_attribute_problems(token: _Token, cert: x509.Certificate, _cas=None) -> list[str]:
    signer = token.signer
    if not signer["signed_attrs"]:
        return ["签名中没有签名属性（RFC 3161 要求 ESSCertID 等属性）"]
    reasons = []
    alg = signer["digest_algorithm"]["algorithm"].native
    if alg not in _HASHLIB:
        return [f"不支持的摘要算法 {alg}"]
    content_type = _attribute(signer, "content_type")
    if content_type is None or content_type.native != "tst_info":
        reasons.append("签名属性中的内容类型不是 TSTInfo")
    digest = _attribute(signer, "message_digest")
    if digest is None or digest.native != _HASHLIB[alg](token.content).digest():
        reasons.append("签名属性中的消息摘要与令牌内容不符：令牌内容被改动过")
    reasons += _ess_problems(signer, cert)
    return reasons


def _ess_problems(signer: cms.SignerInfo, cert: x509.Certificate) -> list[str]:
    """ESSCertIDv2 (or v1): the signed attributes name the hash of the signing certificate, so a
    certificate swapped into the token is caught (RFC 3161 §2.4.2, RFC 5816)."""
    der = cert.public_bytes(Encoding.DER)
    v2 = _attribute(signer, "signing_certificate_v2")
    if v2 is not None:
        first = v2["certs"][0]
        alg = first["hash_algorithm"]["algorithm"].native
        if alg not in _HASHLIB:
            return [f"签名证书标识（ESSCertIDv2）使用了不支持的摘要算法 {alg}"]
        ok = first["cert_hash"].native == _HASHLIB[alg](der).digest()
    else:
        v1 = _attribute(signer, "signing_certificate")
        if v1 is None:
            return ["签名属性中没有签名证书标识（ESSCertID 或 ESSCertIDv2）"]
        ok = v1["certs"][0]["cert_hash"].native == hashlib.sha1(der).digest()
    return [] if ok else ["签名证书标识（ESSCertID）与令牌中的签名证书不符"]


def _signature_problems(token: _Token, cert: x509.Certificate, _cas=None) -> list[str]:
    signer = token.signer
    data = signer["signed_attrs"].untag().dump()  # signed as SET OF, not as the [0] in the token
    signature = signer["signature"].native
    algo: algos.SignedDigestAlgorithm = signer["signature_algorithm"]
    hash_name = signer["digest_algorithm"]["algorithm"].native
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algo.signature_algo == "rsassa_pss":
                params = algo["parameters"]
                mgf = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
                pad = padding.PSS(padding.MGF1(_HASHES[mgf]()), params["salt_length"].native)
                key.verify(signature, data, pad, _HASHES[params["hash_algorithm"]["algorithm"].native]())
            else:
                key.verify(signature, data, padding.PKCS1v15(), _HASHES[hash_name]())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(_HASHES[hash_name]()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            return [f"不支持签名证书的密钥类型（{type(key).__name__}）"]
    except InvalidSignature:
        return ["签名验证失败：令牌被改动过，或不是由其中的证书签名的"]
    except (KeyError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return [f"不支持的签名算法 {algo['algorithm'].native}（{exc}）"]
    return []


def _eku_timestamping(_policy, _cert, ext) -> None:
    if x509.ExtendedKeyUsageOID.TIME_STAMPING not in ext:
        raise ValueError("the extendedKeyUsage does not include timeStamping")


def _chain_problems(token: _Token, cert: x509.Certificate, cas: list[x509.Certificate]) -> list[str]:
    """Path validation at genTime (a certificate that expires later keeps its old tokens valid),
    to the configured CA only; the TSA certificate needs a critical EKU of timeStamping alone."""
    ee = verification.ExtensionPolicy.permit_all().require_present(
        x509.ExtendedKeyUsage, verification.Criticality.CRITICAL, _eku_timestamping)
    try:
        verifier = (
            verification.PolicyBuilder().store(verification.Store(cas)).time(token.gen_time)
            .extension_policies(ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee)
            .build_client_verifier()
        )
        verifier.verify(cert, [c for c in token.certificates if c != cert])
    except verification.VerificationError as exc:
        return [f"签名证书不能链接到配置的时间戳服务 CA 证书，或不是时间戳专用证书（{exc}）"]
    return []


def check_token(
    data: bytes, cas: list[x509.Certificate], expected_digest: bytes, policy: str | None = None,
    nonce: int | None = None,
) -> tuple[datetime | None, list[str]]:
    """The token's genTime and, in Chinese, everything wrong with it (empty when it is valid).
    ``nonce`` is checked only when the request is at hand (right after asking the TSA)."""
    try:
        token = _parse(data)
        if token.status not in ("granted", "granted_with_mods"):
            return None, [f"时间戳服务拒绝了请求（状态 {token.status}）"]
        cert = _signer_certificate(token)
    except Exception as exc:  # noqa: BLE001 - any failure to read untrusted bytes means "not a token"
        return None, [f"令牌无法解析，不是完整的 RFC 3161 时间戳应答（DER）：{type(exc).__name__}"]
    reasons: list[str] = []
    if cert is None:
        reasons.append("令牌中没有签名证书（请求时须要求返回证书）")
    else:
        for check in (_signed_attribute_problems, _signature_problems, _chain_problems):
            try:
                reasons += check(token, cert, cas)
            except Exception as exc:  # noqa: BLE001 - a damaged certificate or attribute fails lazily here
                reasons.append(f"令牌中的签名证书或签名属性已损坏，无法核对（{type(exc).__name__}）")
    if token.imprint_alg != "sha256" or token.imprint != expected_digest:
        reasons.append(f"令牌的消息摘要（{token.imprint_alg} {token.imprint.hex()}）与本任务声明及提交的摘要 "
                       f"{expected_digest.hex()} 不符：这个时间戳不是为这次提交和这个任务取得的")
    if policy and token.policy != policy:
        reasons.append(f"令牌的时间戳策略 {token.policy} 与配置的 {policy} 不符")
    if nonce is not None and token.nonce != nonce:
        reasons.append("令牌中的随机数（nonce）与请求不符：应答不是对这次请求的回答")
    return token.gen_time, reasons
