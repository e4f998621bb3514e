"""The personal-data vault: encryption, blind index and masks for resident ID numbers and phones.

Sensitive personal information (PIPL) is stored as a token `<keyid>$<base64url(nonce|ct|tag)>`
(AES-256-GCM, or SM4-GCM when `PII_CIPHER = "sm4"`), found through a keyed blind index
(HMAC-SHA256, HMAC-SM3 in sm4 mode) and shown masked. Keys come from settings
(gonghui.core.pii_settings); the first of `PII_KEYS` encrypts, every one of them decrypts.

The functions here sit on the hot path of bulk imports: the cipher objects are built once per
key set and cached (cleared when a `PII_*` setting changes), and nothing logs per call. Callers
pass values already normalised (gonghui.core.validators): the blind index is exact-match.
"""

import base64
import binascii
import dataclasses
import functools
import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import add
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connections, models, transaction
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii_settings import INDEX_KEY_MIN_LENGTH, KEY_ID_RE, KEY_LENGTHS, PiiKeys

__all__ = [
    "EncryptedTextField",
    "PiiError",
    "Rotation",
    "Vault",
    "blind_index",
    "decrypt",
    "encrypt",
    "encrypted_fields",
    "key_id_of",
    "make_vault",
    "mask_id_number",
    "mask_phone",
    "needs_rotation",
    "reset_cache",
    "rotate_model_field",
    "vault",
]

NONCE_LENGTH = 12
TAG_LENGTH = 16
SEPARATOR = "$"
INDEX_BYTES = 16  # 32 hex characters
INDEX_KINDS_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
ROTATION_BATCH = 5000
_SETTINGS = frozenset({"PII_CIPHER", "PII_KEYS", "PII_INDEX_KEY"})


class PiiError(Exception):
    """A token cannot be read: malformed, an unknown key id, or altered.

    The message names the key id at most, never the token nor the value inside it.
    """


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column holding `encrypt()` output; a marker for `gonghui rotate_pii_key`.

    It does not encrypt by itself: services call `encrypt()` explicitly, so that bulk paths
    (COPY, bulk_create, update) store exactly what they were given.
    """

    description = _("Encrypted text")


# --- token encoding ---


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64encode(data: bytes) -> str:
    """Unpadded base64url (what base64.urlsafe_b64encode gives, in one C call less)."""
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").translate(_URLSAFE).decode()


def _split(token: str) -> tuple[str, str]:
    key_id, separator, body = token.partition(SEPARATOR)
    if not separator or not key_id:
        raise PiiError("not an encrypted value: no key id")
    return key_id, body


def _b64decode(body: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise PiiError("the encrypted value is not valid base64") from None
    # The decoder skips foreign characters and ignores spare bits of the last one: insist on the
    # one canonical spelling, so that any altered character is an error.
    if len(raw) < NONCE_LENGTH + TAG_LENGTH or _b64encode(raw) != body:
        raise PiiError("the encrypted value is malformed or truncated")
    return raw


def _unknown_key(key_id: str, known: Iterable[str]) -> PiiError:
    shown = repr(key_id) if KEY_ID_RE.fullmatch(key_id) else "a malformed key id"
    return PiiError(
        f"the value was encrypted with key {shown}, which is not configured "
        f"(configured: {', '.join(known)}); add it to GONGHUI_PII_KEYS to read it"
    )


_ALTERED = "the encrypted value was altered, or encrypted with another key of the same id"


def key_id_of(token: str) -> str:
    """The id of the key that encrypted `token`."""
    return _split(token)[0]


# --- the vault ---


class Vault(ABC):
    """Encrypts, decrypts and indexes with one key set. Build through `make_vault` or `vault()`.

    The bound methods (`vault().encrypt`, `vault().blind_index`) are the fastest way to call it
    in a loop; the module-level functions add one lookup.
    """

    cipher: str

    def __init__(self, keys: Sequence[tuple[str, bytes]], index_key: bytes) -> None:
        if not keys:
            raise ImproperlyConfigured("PII_KEYS is empty: at least one encryption key is needed")
        length = KEY_LENGTHS[self.cipher]
        for key_id, key in keys:
            if not KEY_ID_RE.fullmatch(key_id):
                raise ImproperlyConfigured(f"PII_KEYS: key id {key_id!r} must be 1–8 of a–z, 0–9")
            if len(key) != length:
                raise ImproperlyConfigured(
                    f"PII_KEYS: the key of {key_id!r} is {len(key)} bytes; "
                    f"{self.cipher.upper()} needs {length}"
                )
        if len({key_id for key_id, _ in keys}) != len(keys):
            raise ImproperlyConfigured("PII_KEYS: a key id appears twice")
        if len(index_key) < INDEX_KEY_MIN_LENGTH:
            raise ImproperlyConfigured(
                f"PII_INDEX_KEY is {len(index_key)} bytes; it needs at least {INDEX_KEY_MIN_LENGTH}"
            )
        self.key_ids = tuple(key_id for key_id, _ in keys)
        self.current_key_id = self.key_ids[0]
        self._prefix = self.current_key_id + SEPARATOR
        self._index_key = index_key
        self._index_bases: dict[str, Any] = {}

    @abstractmethod
    def encrypt(self, plaintext: str) -> str:
        """Each cipher's vault implements this."""

    @abstractmethod
    def decrypt(self, token: str) -> str:
        """Each cipher's vault implements this."""

    @abstractmethod
    def blind_index(self, value: str, *, kind: str) -> str:
        """Each cipher's vault implements this."""

    def seal_all(self, plaintexts: Sequence[str]) -> list[str]:
        """`encrypt` of many values at once (an import); a vault may make it faster."""
        return [self.encrypt(plaintext) for plaintext in plaintexts]

    def indexer(self, kind: str) -> Callable[[str], str]:
        """`blind_index` of one kind, for a loop over many values."""
        return functools.partial(self.blind_index, kind=kind)

    def needs_rotation(self, token: str) -> bool:
        return _split(token)[0] != self.current_key_id

    def _index_base(self, kind: str) -> Any:
        """An HMAC that has absorbed `kind` and the separator, to be copied per value."""
        if not INDEX_KINDS_RE.fullmatch(kind):
            raise ValueError(f"blind index kind {kind!r} must match {INDEX_KINDS_RE.pattern}")
        base = self._new_index_hmac()
        base.update(kind.encode("ascii") + b"\x1f")
        self._index_bases[kind] = base
        return base

    @abstractmethod
    def _new_index_hmac(self) -> Any:
        """Each cipher's vault implements this."""


def _text(plain: bytes) -> str:
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise PiiError("the decrypted value is not UTF-8 text") from None


class AesVault(Vault):
    """AES-256-GCM tokens, HMAC-SHA256 blind index."""

    cipher = "aes"

    def __init__(self, keys: Sequence[tuple[str, bytes]], index_key: bytes) -> None:
        super().__init__(keys, index_key)
        self._aeads = {key_id: AESGCM(key) for key_id, key in keys}
        self._current = self._aeads[self.current_key_id]
        self._indexers: dict[str, Callable[[str], str]] = {}

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_LENGTH)
        sealed = self._current.encrypt(nonce, plaintext.encode("utf-8"), None)
        return self._prefix + _b64encode(nonce + sealed)

    def decrypt(self, token: str) -> str:
        key_id, body = _split(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise _unknown_key(key_id, self.key_ids)
        raw = _b64decode(body)
        try:
            plain = aead.decrypt(raw[:NONCE_LENGTH], raw[NONCE_LENGTH:], None)
        except InvalidTag:
            raise PiiError(_ALTERED) from None
        return _text(plain)

    def seal_all(self, plaintexts: Sequence[str]) -> list[str]:
        """`encrypt` of many values, with their nonces drawn from the system's random source in
        one call (one per value would cost as much as the encryption itself) and the tokens'
        base64url spelling and key-id prefix made once, on all of them as one text."""
        count = len(plaintexts)
        if not count:
            return []
        pool = os.urandom(NONCE_LENGTH * count)
        # Sliced and sealed by `map` of C functions, with no Python step per value.
        ends = range(NONCE_LENGTH, len(pool) + 1, NONCE_LENGTH)
        nonces = list(map(pool.__getitem__, map(slice, range(0, len(pool), NONCE_LENGTH), ends)))
        seal = self._current.encrypt
        sealed = map(add, nonces, map(seal, nonces, map(str.encode, plaintexts), repeat(None)))
        # b2a_base64 ends each token with a newline, which the translation and the padding's
        # removal leave alone: the tokens come out one per line.
        text = b"".join(map(binascii.b2a_base64, sealed)).translate(_URLSAFE).replace(b"=", b"")
        tokens = text.decode().replace("\n", "\n" + self._prefix)
        return (self._prefix + tokens).split("\n")[:count]

    def blind_index(self, value: str, *, kind: str) -> str:
        index = self._indexers.get(kind) or self.indexer(kind)
        return index(value)

    def indexer(self, kind: str) -> Callable[[str], str]:
        # HMAC-SHA256 spelt out (RFC 2104) over hashlib objects that have absorbed the padded
        # key (and `kind`): copying two of them per value is twice as fast as hmac's copy().
        base = self._index_bases.get(kind) or self._index_base(kind)
        inner_base, outer_base = base.inner, base.outer

        def index(value: str) -> str:
            inner = inner_base.copy()
            inner.update(value.encode())
            outer = outer_base.copy()
            outer.update(inner.digest())
            digest: bytes = outer.digest()
            return digest[:INDEX_BYTES].hex()

        self._indexers[kind] = index
        return index

    def _new_index_hmac(self) -> Any:
        return _Sha256Hmac(self._index_key)


class _Sha256Hmac:
    """The two halves of HMAC-SHA256 as hashlib objects; `update` feeds the inner one."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # the SHA-256 block size
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def update(self, data: bytes) -> None:
        self.inner.update(data)


class Sm4Vault(Vault):
    """SM4-GCM tokens, HMAC-SM3 blind index (GB/T 32907, GB/T 32905), for 国密 deployments."""

    cipher = "sm4"

    def __init__(self, keys: Sequence[tuple[str, bytes]], index_key: bytes) -> None:
        super().__init__(keys, index_key)
        self._algorithms = {key_id: algorithms.SM4(key) for key_id, key in keys}
        self._current = self._algorithms[self.current_key_id]

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_LENGTH)
        encryptor = Cipher(self._current, modes.GCM(nonce)).encryptor()
        sealed = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        return self._prefix + _b64encode(nonce + sealed + encryptor.tag)

    def decrypt(self, token: str) -> str:
        key_id, body = _split(token)
        algorithm = self._algorithms.get(key_id)
        if algorithm is None:
            raise _unknown_key(key_id, self.key_ids)
        raw = _b64decode(body)
        mode = modes.GCM(raw[:NONCE_LENGTH], raw[-TAG_LENGTH:])
        decryptor = Cipher(algorithm, mode).decryptor()
        try:
            plain = decryptor.update(raw[NONCE_LENGTH:-TAG_LENGTH]) + decryptor.finalize()
        except InvalidTag:
            raise PiiError(_ALTERED) from None
        return _text(plain)

    def blind_index(self, value: str, *, kind: str) -> str:
        base = self._index_bases.get(kind) or self._index_base(kind)
        mac = base.copy()
        mac.update(value.encode("utf-8"))
        digest: bytes = mac.finalize()
        return digest[:INDEX_BYTES].hex()

    def _new_index_hmac(self) -> Any:
        return crypto_hmac.HMAC(self._index_key, hashes.SM3())


_VAULTS: dict[str, type[Vault]] = {"aes": AesVault, "sm4": Sm4Vault}


def make_vault(cipher: str, keys: Sequence[tuple[str, bytes]], index_key: bytes) -> Vault:
    try:
        vault_class = _VAULTS[cipher]
    except KeyError:
        raise ImproperlyConfigured(f"PII_CIPHER={cipher!r} must be one of: aes, sm4") from None
    return vault_class(keys, index_key)


# --- the configured vault and the module-level API ---

_vault: Vault | None = None


def vault() -> Vault:
    """The vault of the current settings, built on first use and cached."""
    global _vault
    current = _vault
    if current is None:
        keys: PiiKeys = settings.PII_KEYS
        current = _vault = make_vault(settings.PII_CIPHER, keys, settings.PII_INDEX_KEY)
    return current


def reset_cache() -> None:
    """Forget the cached vault; done automatically when a PII_* setting changes."""
    global _vault
    _vault = None


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        reset_cache()


setting_changed.connect(_on_setting_changed, dispatch_uid="gonghui.core.pii.reset_cache")


def encrypt(plaintext: str) -> str:
    """A token of `plaintext` under the current key; a random nonce makes every call differ."""
    return (_vault or vault()).encrypt(plaintext)


def decrypt(token: str) -> str:
    """The plaintext of a token of any configured key; PiiError when it cannot be read."""
    return (_vault or vault()).decrypt(token)


def needs_rotation(token: str) -> bool:
    """True when `token` was encrypted with a key other than the current one."""
    return (_vault or vault()).needs_rotation(token)


def blind_index(value: str, *, kind: str) -> str:
    """32 hex characters identifying `value` of `kind` ("id_number", "phone") without showing it.

    HMAC(PII_INDEX_KEY, kind + "\\x1f" + value), truncated to 16 bytes; `kind` separates the
    domains, so an ID number and a phone never share an index.
    """
    return (_vault or vault()).blind_index(value, kind=kind)


# --- masks ---


def _mask_all_but_last4(value: str) -> str:
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_id_number(id18: str) -> str:
    """`110105********1234`: region and last four; other lengths keep only the last four."""
    if len(id18) == 18:
        return id18[:6] + "********" + id18[14:]
    return _mask_all_but_last4(id18)


def mask_encrypted_id_number(token: str) -> str:
    """`mask_id_number` of an encrypted ID number, for a record that stores no mask (a member:
    its stored birth date is the eight digits the mask hides)."""
    return mask_id_number(decrypt(token))


def mask_phone(phone: str) -> str:
    """`138****5678`; other lengths keep only the last four."""
    if len(phone) == 11:
        return phone[:3] + "****" + phone[7:]
    return _mask_all_but_last4(phone)


# --- key rotation ---


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of an EncryptedTextField in the installed apps."""
    return [
        (model, model_field.name)
        for model in apps.get_models()
        if not model._meta.proxy
        for model_field in model._meta.local_concrete_fields
        if isinstance(model_field, EncryptedTextField)
    ]


@dataclasses.dataclass
class Rotation:
    """What `rotate_model_field` did to one field."""

    model: str
    field: str
    rotated: int = 0
    # Rows whose value could not be decrypted (unknown key id, altered): left as they are.
    failed: list[Any] = dataclasses.field(default_factory=list)
    # Rows changed by someone else between the read and the write: the next run takes them.
    skipped: int = 0


def _stale(model: type[models.Model], field_name: str, current_key_id: str) -> Any:
    return (
        model._base_manager.exclude(**{f"{field_name}__isnull": True})
        .exclude(**{field_name: ""})
        .exclude(**{f"{field_name}__startswith": current_key_id + SEPARATOR})
    )


def count_stale(model: type[models.Model], field_name: str) -> int:
    """How many values of the field are encrypted with a key other than the current one."""
    count: int = _stale(model, field_name, vault().current_key_id).count()
    return count


def rotate_model_field(
    model: type[models.Model],
    field_name: str,
    *,
    batch_size: int = ROTATION_BATCH,
    progress: Callable[[int], None] | None = None,
) -> Rotation:
    """Re-encrypt with the current key every value of `model.field_name` under an older key.

    Works in primary-key order, one transaction per `batch_size` rows. Each row is written only
    if it still holds the token that was read (compare-and-set), so a concurrent edit is never
    overwritten. A second run finds nothing to do.
    """
    current = vault()
    result = Rotation(model=model._meta.label, field=field_name)
    stale = _stale(model, field_name, current.current_key_id).order_by("pk")
    db = stale.db
    # Each row costs 5 parameters (pk and old token in WHERE, pk, old and new in CASE).
    max_params = connections[db].features.max_query_params or 5000
    chunk = max(1, min(1000, max_params // 5 - 1))
    output_field = model._meta.get_field(field_name)
    if not isinstance(output_field, models.Field):
        raise TypeError(f"{model._meta.label}.{field_name} is not a concrete field")
    last_pk: Any = None
    while True:
        page = stale if last_pk is None else stale.filter(pk__gt=last_pk)
        rows = list(page.values_list("pk", field_name)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        changes = []
        for pk, token in rows:
            try:
                changes.append((pk, token, current.encrypt(current.decrypt(token))))
            except PiiError:
                result.failed.append(pk)
        with transaction.atomic(using=db):
            for start in range(0, len(changes), chunk):
                part = changes[start : start + chunk]
                new_value = models.Case(
                    *(
                        models.When(models.Q(pk=pk, **{field_name: old}), then=models.Value(new))
                        for pk, old, new in part
                    ),
                    default=models.F(field_name),
                    output_field=output_field,
                )
                written: int = (
                    model._base_manager.using(db)
                    .filter(pk__in=[pk for pk, _, _ in part])
                    .filter(**{f"{field_name}__in": [old for _, old, _ in part]})
                    .update(**{field_name: new_value})
                )
                result.rotated += written
                result.skipped += len(part) - written
        if progress is not None:
            progress(len(rows))
    return result
