# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throw-away PKI for HTTPS tests: a CA, a server certificate for 127.0.0.1/localhost, an unrelated CA.

Used only by tests and run_with.py (``tls=True`` / ``--tls``); the emulator itself stays standard
library only, so ``cryptography`` (installed with ansible-core) is imported here and nowhere else.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = timedelta(days=2)
BACKDATE = timedelta(minutes=5)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vpnaas.cloud tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
    """A certificate builder valid from a few minutes ago for :data:`VALIDITY`."""
    now = datetime.now(timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE).not_valid_after(now + VALIDITY)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_ca(common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed CA certificate (EC P-256) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    cert = (_builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def make_server_cert(ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
                     ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A server certificate for IP 127.0.0.1 and DNS localhost, signed by the CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    cert = (_builder(_name("127.0.0.1"), ca_cert.subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def _write_cert(path: Path, cert: x509.Certificate) -> str:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> str:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return str(path)


def make_test_pki(directory: str | Path) -> dict[str, str]:
    """Write ``ca.pem``, ``server.pem``, ``server-key.pem`` and ``other-ca.pem`` into ``directory``.

    Returns their paths as ``{"ca", "cert", "key", "other_ca"}``: the server certificate (valid two
    days, SAN IP 127.0.0.1 and DNS localhost) is signed by ``ca``; ``other_ca`` is an unrelated CA
    that must not be trusted for it.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = make_ca("vpnaas.cloud test CA")
    server_cert, server_key = make_server_cert(ca_cert, ca_key)
    other_cert, _other_key = make_ca("vpnaas.cloud unrelated test CA")
    return {
        "ca": _write_cert(folder / "ca.pem", ca_cert),
        "cert": _write_cert(folder / "server.pem", server_cert),
        "key": _write_key(folder / "server-key.pem", server_key),
        "other_ca": _write_cert(folder / "other-ca.pem", other_cert),
    }
