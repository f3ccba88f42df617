"""RS256 signatures from the standard library alone, for the sandbox's ID tokens.

Intuit signs ID tokens with RS256 and publishes the key at its JWKS URL; clients that check
them (intuitlib, authlib) need the same here. The sandbox depends on no crypto library, so it
makes its own 2048-bit key (e = 65537, primes by Miller-Rabin): once per process, on first use,
in about half a second. The key guards nothing; it only makes the signatures real.
"""

import functools
import hashlib
import secrets
import threading
from base64 import urlsafe_b64encode
from dataclasses import dataclass

_E = 65537
_PRIME_BITS = 1024
_MILLER_RABIN_ROUNDS = 40
# DER of the DigestInfo prefix for SHA-256 (RFC 8017, EMSA-PKCS1-v1_5).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_KEY_LOCK = threading.Lock()


@dataclass(frozen=True)
class RsaKey:
    """An RSA key pair with the key id the JWKS publishes it under."""

    n: int
    d: int
    kid: str
    e: int = _E

    def sign(self, message: bytes) -> bytes:
        """Return the RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (RS256)."""
        size = (self.n.bit_length() + 7) // 8
        digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        padding = b"\xff" * (size - len(digest_info) - 3)
        encoded = int.from_bytes(b"\x00\x01" + padding + b"\x00" + digest_info, "big")
        return pow(encoded, self.d, self.n).to_bytes(size, "big")

    def public_jwk(self) -> dict[str, str]:
        """Return the public half as a JWK, as Intuit's JWKS lists its keys."""
        return {
            "kty": "RSA",
            "e": b64url(_int_bytes(self.e)),
            "use": "sig",
            "kid": self.kid,
            "alg": "RS256",
            "n": b64url(_int_bytes(self.n)),
        }


def sandbox_key() -> RsaKey:
    """Return this process's signing key, making it on first use."""
    # Two first requests at once must not make two keys: the JWKS would list only one of them.
    with _KEY_LOCK:
        return _make_key()


@functools.cache
def _make_key() -> RsaKey:
    while True:
        p, q = _prime(_PRIME_BITS), _prime(_PRIME_BITS)
        if p != q and (p * q).bit_length() == 2 * _PRIME_BITS:
            break
    n = p * q
    d = pow(_E, -1, (p - 1) * (q - 1))
    # A short id derived from the key, like Intuit's 20-character kids.
    kid = b64url(hashlib.sha256(_int_bytes(n)).digest())[:20]
    return RsaKey(n=n, d=d, kid=kid)


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE writes it."""
    return urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _prime(bits: int) -> int:
    while True:
        # Top two bits set keeps p*q at full length; the low bit makes it odd.
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        # e must be invertible modulo p-1.
        if candidate % _E != 1 and _probably_prime(candidate):
            return candidate


def _probably_prime(n: int) -> bool:
    for small in _small_primes():
        if n % small == 0:
            return n == small
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(_MILLER_RABIN_ROUNDS):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


@functools.cache
def _small_primes() -> tuple[int, ...]:
    # Trial division by these rejects most candidates before the costly rounds.
    sieve = bytearray([1]) * 2000
    sieve[:2] = b"\x00\x00"
    for i in range(2, 45):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    return tuple(i for i, flag in enumerate(sieve) if flag)
