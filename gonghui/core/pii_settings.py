"""Keys of the personal-data vault (gonghui.core.pii), read strictly from the environment.

Imported by gonghui.settings, so nothing here may import Django models or read settings.

- `GONGHUI_PII_CIPHER`: `aes` (AES-256-GCM, the default) or `sm4` (SM4-GCM with an HMAC-SM3
  blind index, for 国密 deployments).
- `GONGHUI_PII_KEYS`: comma-separated `keyid:base64key`; the first encrypts, all decrypt.
- `GONGHUI_PII_INDEX_KEY`: base64, at least 32 bytes; the HMAC key of the blind index. It cannot
  be rotated like the encryption keys: every stored index depends on it.

Production requires both keys. A development checkout without them uses `var/pii-keys.env`,
created with fresh random keys on first use and reused afterwards.

`python -m gonghui.core.pii_settings [--cipher sm4]` prints fresh keys like
`gonghui generate_pii_keys`, also where settings cannot load yet (production without keys).
"""

import argparse
import base64
import binascii
import os
import re
import secrets
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

CIPHER_VAR = "GONGHUI_PII_CIPHER"
KEYS_VAR = "GONGHUI_PII_KEYS"
INDEX_KEY_VAR = "GONGHUI_PII_INDEX_KEY"
PII_CIPHERS = ("aes", "sm4")
KEY_LENGTHS = {"aes": 32, "sm4": 16}
INDEX_KEY_MIN_LENGTH = 32
INDEX_KEY_LENGTH = 32
KEY_ID_RE = re.compile(r"[a-z0-9]{1,8}")
GENERATE_HINT = (
    "generate them with `gonghui generate_pii_keys` "
    "(or `python -m gonghui.core.pii_settings` where settings cannot load)"
)

# The development key file holds keys for both ciphers, so switching GONGHUI_PII_CIPHER in a
# checkout just works; the key ids differ, so a token of the other cipher is an unknown key id.
_DEV_KEYS_VARS = {"aes": "GONGHUI_PII_KEYS_AES", "sm4": "GONGHUI_PII_KEYS_SM4"}
_DEV_KEY_IDS = {"aes": "devaes", "sm4": "devsm4"}

PiiKeys = list[tuple[str, bytes]]


def _b64decode(raw: str, what: str) -> bytes:
    try:
        return base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64") from None


def parse_keys(raw: str, *, cipher: str, source: str = KEYS_VAR) -> PiiKeys:
    """`keyid:base64key,…` → [(keyid, key), …], the current key first."""
    if cipher not in KEY_LENGTHS:
        raise ImproperlyConfigured(f"{CIPHER_VAR}={cipher!r} must be one of: aes, sm4")
    length = KEY_LENGTHS[cipher]
    keys: PiiKeys = []
    for position, entry in enumerate(raw.split(","), start=1):
        entry = entry.strip()
        key_id, colon, encoded = entry.partition(":")
        if not entry or not colon:
            raise ImproperlyConfigured(
                f"{source}: entry {position} is not of the form keyid:base64key"
            )
        if not KEY_ID_RE.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"{source}: key id {key_id!r} (entry {position}) must be 1–8 characters a–z, 0–9"
            )
        if any(key_id == known for known, _ in keys):
            raise ImproperlyConfigured(f"{source}: key id {key_id!r} appears twice")
        key = _b64decode(encoded, f"{source}: the key of {key_id!r}")
        if len(key) != length:
            raise ImproperlyConfigured(
                f"{source}: the key of {key_id!r} is {len(key)} bytes; "
                f"{cipher.upper()} needs {length}-byte keys ({CIPHER_VAR}={cipher})"
            )
        keys.append((key_id, key))
    return keys


def parse_index_key(raw: str, *, source: str = INDEX_KEY_VAR) -> bytes:
    key = _b64decode(raw, source)
    if len(key) < INDEX_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"{source} is {len(key)} bytes; the blind index key needs at least "
            f"{INDEX_KEY_MIN_LENGTH}"
        )
    return key


def format_keys(keys: Sequence[tuple[str, bytes]]) -> str:
    return ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in keys)


def new_key(cipher: str) -> bytes:
    return secrets.token_bytes(KEY_LENGTHS[cipher])


def new_index_key() -> bytes:
    return secrets.token_bytes(INDEX_KEY_LENGTH)


def new_key_id(today: date, taken: Sequence[str] = ()) -> str:
    """`k` + yymmdd (key ids are at most 8 characters), with a letter when that one is taken."""
    base = f"k{today:%y%m%d}"
    for candidate in (base, *(base + letter for letter in "abcdefghijklmnopqrstuvwxyz")):
        if candidate not in taken:
            return candidate
    raise ValueError(f"too many keys created on {today}")


def generated_env(
    cipher: str, *, today: date, keys: Sequence[tuple[str, bytes]] = (), index_key: bytes = b""
) -> dict[str, str]:
    """The variables for a fresh key set, or with `keys`/`index_key` for a rotation.

    A rotation puts a new key in front of `keys` and keeps `index_key`: changing the index key
    would orphan every stored blind index.
    """
    key_id = new_key_id(today, [known for known, _ in keys])
    return {
        CIPHER_VAR: cipher,
        KEYS_VAR: format_keys([(key_id, new_key(cipher)), *keys]),
        INDEX_KEY_VAR: base64.b64encode(index_key or new_index_key()).decode(),
    }


def export_lines(values: Mapping[str, str]) -> list[str]:
    # Keys and base64 need no shell quoting: [a-z0-9:,] and [A-Za-z0-9+/=].
    return [f"export {name}={value}" for name, value in values.items()]


def parse_env_file(text: str, *, source: str) -> dict[str, str]:
    """`NAME=value` lines (an optional `export ` prefix); blank lines and `#` comments ignored."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        if not equals or not name.strip():
            raise ImproperlyConfigured(f"{source}, line {number}: expected NAME=value")
        values[name.strip()] = value.strip()
    return values


def _create_key_file(path: Path) -> None:
    text = "\n".join(
        [
            "# Development-only keys of the personal-data vault, created by gonghui on first use.",
            "# Never use them in production; there, set the variables (gonghui generate_pii_keys).",
            "# Deleting this file makes every encrypted value in the development database",
            "# unreadable.",
            *(
                f"{_DEV_KEYS_VARS[cipher]}={format_keys([(_DEV_KEY_IDS[cipher], new_key(cipher))])}"
                for cipher in PII_CIPHERS
            ),
            f"{INDEX_KEY_VAR}={base64.b64encode(new_index_key()).decode()}",
            "",
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a private temporary file (mkstemp: 0600) and linked into place, so that
    # processes starting at the same time never read half a file nor create two different ones.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pii-keys-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its keys
        except OSError:  # a file system without hard links
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(out, "w", encoding="ascii") as f:
                    f.write(text)
    finally:
        os.unlink(tmp)


def development_keys(path: Path, *, cipher: str) -> tuple[PiiKeys, bytes]:
    """The keys in the development key file `path`, created with fresh keys on first use."""
    if not path.exists():
        _create_key_file(path)
    values = parse_env_file(path.read_text(encoding="ascii"), source=str(path))
    name = _DEV_KEYS_VARS[cipher]
    if name not in values or INDEX_KEY_VAR not in values:
        raise ImproperlyConfigured(
            f"{path} lacks {name} or {INDEX_KEY_VAR}; delete it to have new keys created "
            "(values encrypted with the old keys become unreadable)"
        )
    return (
        parse_keys(values[name], cipher=cipher, source=f"{path}: {name}"),
        parse_index_key(values[INDEX_KEY_VAR], source=f"{path}: {INDEX_KEY_VAR}"),
    )


def pii_keys_from_env(
    env: Mapping[str, str] | None = None, *, cipher: str, production: bool, key_file: Path
) -> tuple[PiiKeys, bytes]:
    """(PII_KEYS, PII_INDEX_KEY) from `env` (default: os.environ), strictly.

    In production both variables are required; in development a missing one comes from the
    development key file `key_file`.
    """
    env = os.environ if env is None else env
    raw_keys = env.get(KEYS_VAR) or None
    raw_index = env.get(INDEX_KEY_VAR) or None
    if raw_keys is None or raw_index is None:
        if production:
            missing = [
                name for name, raw in ((KEYS_VAR, raw_keys), (INDEX_KEY_VAR, raw_index)) if not raw
            ]
            raise ImproperlyConfigured(
                f"GONGHUI_ENV=production needs {' and '.join(missing)}: the keys that encrypt "
                f"resident ID numbers and phones; {GENERATE_HINT}"
            )
        dev_keys, dev_index = development_keys(key_file, cipher=cipher)
        keys = dev_keys if raw_keys is None else parse_keys(raw_keys, cipher=cipher)
        index_key = dev_index if raw_index is None else parse_index_key(raw_index)
    else:
        keys, index_key = parse_keys(raw_keys, cipher=cipher), parse_index_key(raw_index)
    if any(index_key == key for _, key in keys):
        raise ImproperlyConfigured(
            f"{INDEX_KEY_VAR} must differ from every key in {KEYS_VAR}; {GENERATE_HINT}"
        )
    return keys, index_key


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gonghui.core.pii_settings",
        description="Print fresh keys of the personal-data vault as shell export lines.",
    )
    parser.add_argument("--cipher", choices=PII_CIPHERS, default="aes")
    args = parser.parse_args(argv)
    for line in export_lines(generated_env(args.cipher, today=date.today())):  # noqa: DTZ011
        print(line)


if __name__ == "__main__":
    main()
