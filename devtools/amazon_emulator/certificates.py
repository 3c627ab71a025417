"""A throwaway certificate authority and a certificate for Amazon's host names.

Generated once into a directory of the developer's machine (never committed)
and reused while valid, so a running Home Assistant keeps trusting the
emulator across its restarts. Only processes told to trust this CA (the
development launcher, the tests) accept the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The hosts aioamazondevices calls for the amazon.com marketplace:
# www., alexa. and api.amazon.com, and api.amazonalexa.com.
HOST_NAMES = ("amazon.com", "*.amazon.com", "amazonalexa.com", "*.amazonalexa.com")
_VALIDITY = timedelta(days=365)


@dataclass(frozen=True, kw_only=True)
class TlsFiles:
    """Where the emulator's certificate files are."""

    ca_certificate: Path
    certificate: Path
    private_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Alexa Care development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not signs_certificates,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _still_valid(path: Path) -> bool:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return certificate.not_valid_after_utc - datetime.now(UTC) > timedelta(days=1)


def ensure_certificates(directory: Path) -> TlsFiles:
    """The CA and server certificate in `directory`, made if missing or old."""
    files = TlsFiles(
        ca_certificate=directory / "ca.pem",
        certificate=directory / "server.pem",
        private_key=directory / "server-key.pem",
    )
    paths = (files.ca_certificate, files.certificate, files.private_key)
    if all(path.exists() for path in paths) and _still_valid(files.certificate):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(hours=1)
    # The CA's key is not kept: nothing else will ever be signed with it.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Alexa Care development Amazon emulator CA")
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signs_certificates=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("amazon.com"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host) for host in HOST_NAMES]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signs_certificates=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files.ca_certificate.write_bytes(
        ca_certificate.public_bytes(serialization.Encoding.PEM)
    )
    files.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files.private_key.touch(mode=0o600)
    files.private_key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files
