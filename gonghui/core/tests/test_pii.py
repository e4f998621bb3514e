"""The personal-data vault: tokens, rotation, blind index, masks, key configuration."""

import base64
import hashlib
import hmac
import io
import re
import stat
import string
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from gonghui.accounts.models import User
from gonghui.core import pii
from gonghui.core.pii_settings import (
    INDEX_KEY_VAR,
    KEYS_VAR,
    format_keys,
    parse_env_file,
    parse_index_key,
    parse_keys,
    pii_keys_from_env,
)
from gonghui.core.validators import id_number_check_char

CIPHERS = ("aes", "sm4")
KEY_BYTES = {"aes": 32, "sm4": 16}
INDEX_KEY = bytes(range(100, 132))
OTHER_INDEX_KEY = bytes(range(200, 232))


def key(cipher: str, seed: int) -> bytes:
    return bytes((seed + i) % 256 for i in range(KEY_BYTES[cipher]))


def config(cipher: str = "aes", *key_ids: str, index_key: bytes = INDEX_KEY) -> dict[str, object]:
    """override_settings arguments; key ids k1, k2… get distinct keys, the first is current."""
    ids = key_ids or ("k1",)
    return {
        "PII_CIPHER": cipher,
        "PII_KEYS": [(key_id, key(cipher, 10 * int(key_id[1:]))) for key_id in ids],
        "PII_INDEX_KEY": index_key,
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- tokens ---


@pytest.mark.parametrize("cipher", CIPHERS)
def test_any_text_survives_a_round_trip(cipher):
    @given(st.text())
    def check(text):
        assert pii.decrypt(pii.encrypt(text)) == text

    with override_settings(**config(cipher)):
        check()


@pytest.mark.parametrize("cipher", CIPHERS)
def test_a_token_has_the_documented_shape(cipher):
    with override_settings(**config(cipher)):
        token = pii.encrypt("13812345678")
    key_id, _, body = token.partition("$")
    assert key_id == "k1"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", body)
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert len(raw) == 12 + len("13812345678") + 16


@pytest.mark.parametrize("cipher", CIPHERS)
def test_two_encryptions_of_one_value_differ(cipher):
    with override_settings(**config(cipher)):
        assert pii.encrypt("11010519491231002X") != pii.encrypt("11010519491231002X")


@pytest.mark.parametrize("cipher", CIPHERS)
def test_values_sealed_together_decrypt_in_order_each_with_its_own_nonce(cipher):
    """`seal_all` (an import's chunk at a time) makes the tokens `encrypt` would: in order,
    of the documented shape, and two of one value differ."""

    @given(st.lists(st.sampled_from(["", "13812345678", "11010519491231002X", "张三"]) | st.text()))
    def check(values):
        tokens = pii.vault().seal_all([*values, *values])
        assert [pii.decrypt(token) for token in tokens] == [*values, *values]
        assert all(re.fullmatch(r"k1\$[A-Za-z0-9_-]+", token) for token in tokens)
        assert len(set(tokens)) == len(tokens)

    with override_settings(**config(cipher)):
        check()


@pytest.mark.parametrize("cipher", CIPHERS)
def test_a_token_of_an_old_key_still_decrypts_after_a_new_key_is_added(cipher):
    with override_settings(**config(cipher, "k1")):
        old = pii.encrypt("11010519491231002X")
    with override_settings(**config(cipher, "k2", "k1")):
        assert pii.decrypt(old) == "11010519491231002X"


@pytest.mark.parametrize("cipher", CIPHERS)
def test_new_tokens_use_the_first_key(cipher):
    with override_settings(**config(cipher, "k2", "k1")):
        assert pii.key_id_of(pii.encrypt("13812345678")) == "k2"


def test_an_old_token_needs_rotation_and_a_new_one_does_not():
    with override_settings(**config("aes", "k1")):
        old = pii.encrypt("13812345678")
    with override_settings(**config("aes", "k2", "k1")):
        assert pii.needs_rotation(old)
        assert not pii.needs_rotation(pii.encrypt("13812345678"))


def test_the_vault_follows_a_settings_change():
    before = pii.encrypt("x")
    with override_settings(**config("aes", "k9")):
        assert pii.key_id_of(pii.encrypt("x")) == "k9"
    assert pii.key_id_of(pii.encrypt("x")) == settings.PII_KEYS[0][0]
    assert pii.decrypt(before) == "x"


TAMPER_CHARS = string.ascii_letters + string.digits + "-_$=+/.é"


@pytest.mark.parametrize("cipher", CIPHERS)
def test_changing_any_character_of_a_token_is_detected(cipher):
    @given(st.text(min_size=1, max_size=40), st.data())
    def check(text, data):
        token = pii.encrypt(text)
        position = data.draw(st.integers(0, len(token) - 1))
        replacement = data.draw(
            st.sampled_from(TAMPER_CHARS).filter(lambda c: c != token[position])
        )
        altered = token[:position] + replacement + token[position + 1 :]
        with pytest.raises(pii.PiiError):
            pii.decrypt(altered)

    # Two configured keys, so that an altered key id can still name a real key.
    with override_settings(**config(cipher, "k1", "k2")):
        check()


@pytest.mark.parametrize("cipher", CIPHERS)
def test_a_truncated_or_extended_token_is_detected(cipher):
    with override_settings(**config(cipher)):
        token = pii.encrypt("13812345678")
        for altered in (token[:-1], token[:-4], token + "A", token + "AAAA", "k1$", "k1$AAAA"):
            with pytest.raises(pii.PiiError):
                pii.decrypt(altered)


@pytest.mark.parametrize("value", ["", "plain text", "13812345678", "$abc"])
def test_a_value_that_is_not_a_token_is_an_error(value):
    with pytest.raises(pii.PiiError):
        pii.decrypt(value)


def test_an_unknown_key_id_is_an_error_that_names_the_key_but_not_the_value():
    with override_settings(**config("aes", "k7")):
        token = pii.encrypt("11010519491231002X")
    with override_settings(**config("aes", "k1")), pytest.raises(pii.PiiError) as caught:
        pii.decrypt(token)
    message = str(caught.value)
    assert "'k7'" in message
    assert "11010519491231002X" not in message
    assert token.partition("$")[2] not in message


def test_a_token_of_another_cipher_cannot_be_read():
    with override_settings(**config("aes")):
        token = pii.encrypt("13812345678")
    with override_settings(**config("sm4")), pytest.raises(pii.PiiError):
        pii.decrypt(token)


def test_a_token_of_another_key_with_the_same_id_cannot_be_read():
    with override_settings(**config("aes")):
        token = pii.encrypt("13812345678")
    other = {**config("aes"), "PII_KEYS": [("k1", key("aes", 99))]}
    with override_settings(**other), pytest.raises(pii.PiiError):
        pii.decrypt(token)


def test_key_id_of_a_value_without_a_key_id_is_an_error():
    with pytest.raises(pii.PiiError):
        pii.key_id_of("13812345678")


@pytest.mark.parametrize(
    ("cipher", "keys", "index_key"),
    [
        ("aes", [], INDEX_KEY),
        ("aes", [("k1", bytes(16))], INDEX_KEY),  # AES-128: refused, the vault is AES-256
        ("sm4", [("k1", bytes(32))], INDEX_KEY),
        ("aes", [("K1", bytes(32))], INDEX_KEY),
        ("aes", [("k1", bytes(32)), ("k1", bytes(range(32)))], INDEX_KEY),
        ("aes", [("k1", bytes(32))], bytes(31)),
        ("des", [("k1", bytes(32))], INDEX_KEY),
    ],
)
def test_a_vault_refuses_unusable_keys(cipher, keys, index_key):
    with pytest.raises(ImproperlyConfigured):
        pii.make_vault(cipher, keys, index_key)


# --- blind index ---


@pytest.mark.parametrize("cipher", CIPHERS)
def test_the_blind_index_is_32_hex_characters_and_deterministic(cipher):
    with override_settings(**config(cipher)):
        first = pii.blind_index("11010519491231002X", kind="id_number")
    with override_settings(**config(cipher)):
        again = pii.blind_index("11010519491231002X", kind="id_number")
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first == again


def test_the_blind_index_is_a_truncated_hmac_sha256_of_kind_and_value():
    expected = hmac.new(INDEX_KEY, b"phone\x1f13812345678", hashlib.sha256).hexdigest()[:32]
    with override_settings(**config("aes")):
        assert pii.blind_index("13812345678", kind="phone") == expected


@given(
    value=st.text(max_size=40),
    index_key=st.binary(min_size=pii.INDEX_KEY_MIN_LENGTH, max_size=100),
)
def test_the_blind_index_equals_the_standard_hmac_for_any_value_and_key_length(value, index_key):
    vault = pii.make_vault("aes", [("k1", bytes(32))], index_key)
    message = b"id_number\x1f" + value.encode()
    expected = hmac.new(index_key, message, hashlib.sha256).hexdigest()[:32]
    assert vault.blind_index(value, kind="id_number") == expected


@given(data=st.binary(max_size=80))
def test_token_encoding_is_unpadded_base64url(data):
    assert pii._b64encode(data) == base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_the_blind_index_in_sm4_mode_is_a_truncated_hmac_sm3():
    mac = crypto_hmac.HMAC(INDEX_KEY, hashes.SM3())
    mac.update(b"phone\x1f13812345678")
    with override_settings(**config("sm4")):
        assert pii.blind_index("13812345678", kind="phone") == mac.finalize()[:16].hex()


@pytest.mark.parametrize("cipher", CIPHERS)
def test_the_blind_index_differs_by_kind(cipher):
    with override_settings(**config(cipher)):
        as_id = pii.blind_index("13812345678", kind="id_number")
        as_phone = pii.blind_index("13812345678", kind="phone")
    assert as_id != as_phone


@pytest.mark.parametrize("cipher", CIPHERS)
def test_the_blind_index_differs_with_another_index_key(cipher):
    with override_settings(**config(cipher)):
        one = pii.blind_index("13812345678", kind="phone")
    with override_settings(**config(cipher, index_key=OTHER_INDEX_KEY)):
        other = pii.blind_index("13812345678", kind="phone")
    assert one != other


def test_the_blind_index_of_sm4_mode_differs_from_aes_mode_with_the_same_key():
    with override_settings(**config("aes")):
        aes = pii.blind_index("13812345678", kind="phone")
    with override_settings(**config("sm4")):
        sm4 = pii.blind_index("13812345678", kind="phone")
    assert aes != sm4


def test_the_blind_index_does_not_depend_on_the_encryption_keys():
    with override_settings(**config("aes", "k1")):
        one = pii.blind_index("13812345678", kind="phone")
    with override_settings(**config("aes", "k2", "k1")):
        assert pii.blind_index("13812345678", kind="phone") == one


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_the_blind_index_does_not_contain_the_value(phone):
    assert phone not in pii.blind_index(phone, kind="phone")


@pytest.mark.parametrize("kind", ["", "Phone", "id\x1fnumber", "1st", "phone number"])
def test_a_malformed_kind_is_refused(kind):
    with pytest.raises(ValueError, match="kind"):
        pii.blind_index("13812345678", kind=kind)


# --- masks ---


def test_an_id_number_shows_its_region_and_last_four():
    assert pii.mask_id_number("11010519491231002X") == "110105********002X"


def test_a_phone_shows_its_first_three_and_last_four():
    assert pii.mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("value", "masked"),
    [("", ""), ("12", "**"), ("1234", "****"), ("12345", "*2345"), ("1101051949", "******1949")],
)
def test_an_odd_value_keeps_only_its_last_four(value, masked):
    assert pii.mask_id_number(value) == masked
    assert pii.mask_phone(value) == masked


id_numbers = st.from_regex(r"[1-9][0-9]{16}", fullmatch=True).map(
    lambda first17: first17 + id_number_check_char(first17)
)


@given(id_numbers)
def test_a_masked_id_number_hides_the_birth_date_and_sequence(id18):
    masked = pii.mask_id_number(id18)
    assert masked == id18[:6] + "********" + id18[14:]
    assert id18[6:14] not in masked


@given(id_numbers)
def test_an_encrypted_id_number_is_masked_as_its_plain_text_would_be(id18):
    assert pii.mask_encrypted_id_number(pii.encrypt(id18)) == pii.mask_id_number(id18)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_phone_hides_the_middle_four(phone):
    masked = pii.mask_phone(phone)
    assert masked[:3] == phone[:3]
    assert masked[3:7] == "****"
    assert masked[7:] == phone[7:]


@given(st.text())
def test_a_mask_never_grows_or_shrinks_a_value(value):
    assert len(pii.mask_id_number(value)) == len(value)
    assert len(pii.mask_phone(value)) == len(value)


# --- settings parsing ---


AES_KEY = bytes(range(32))
SM4_KEY = bytes(range(16))


def test_keys_parse_with_the_current_key_first():
    env = {KEYS_VAR: f"k2:{b64(AES_KEY)},k1:{b64(bytes(32))}", INDEX_KEY_VAR: b64(INDEX_KEY)}
    keys, index_key = pii_keys_from_env(env, cipher="aes", production=True, key_file=Path("/x"))
    assert keys == [("k2", AES_KEY), ("k1", bytes(32))]
    assert index_key == INDEX_KEY


@pytest.mark.parametrize(
    ("raw", "cipher", "mentions"),
    [
        ("k1:not*base64", "aes", "'k1'"),
        ("k1:" + b64(AES_KEY)[:-2], "aes", "'k1'"),  # missing padding
        ("k1:" + b64(SM4_KEY), "aes", "'k1' is 16 bytes"),
        ("k1:" + b64(AES_KEY), "sm4", "'k1' is 32 bytes"),
        ("k2:" + b64(AES_KEY) + ",k3:" + b64(bytes(31)), "aes", "'k3'"),
        ("K1:" + b64(AES_KEY), "aes", "'K1'"),
        ("toolongid:" + b64(AES_KEY), "aes", "'toolongid'"),
        ("k-1:" + b64(AES_KEY), "aes", "'k-1'"),
        (":" + b64(AES_KEY), "aes", "''"),
        (b64(AES_KEY), "aes", "entry 1"),
        ("k1:" + b64(AES_KEY) + ",", "aes", "entry 2"),
        ("k1:" + b64(AES_KEY) + ",k1:" + b64(bytes(32)), "aes", "'k1' appears twice"),
    ],
)
def test_a_bad_key_list_names_the_variable_and_the_key(raw, cipher, mentions):
    with pytest.raises(ImproperlyConfigured) as caught:
        parse_keys(raw, cipher=cipher)
    assert KEYS_VAR in str(caught.value)
    assert mentions in str(caught.value)


@pytest.mark.parametrize("raw", ["not base64!", b64(bytes(31))])
def test_a_bad_index_key_names_the_variable(raw):
    with pytest.raises(ImproperlyConfigured, match=INDEX_KEY_VAR):
        parse_index_key(raw)


def test_an_index_key_may_be_longer_than_32_bytes():
    assert parse_index_key(b64(bytes(64))) == bytes(64)


def test_the_index_key_must_differ_from_the_encryption_keys():
    env = {KEYS_VAR: f"k1:{b64(AES_KEY)}", INDEX_KEY_VAR: b64(AES_KEY)}
    with pytest.raises(ImproperlyConfigured, match="must differ"):
        pii_keys_from_env(env, cipher="aes", production=True, key_file=Path("/x"))


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, [KEYS_VAR, INDEX_KEY_VAR]),
        ({KEYS_VAR: "", INDEX_KEY_VAR: ""}, [KEYS_VAR, INDEX_KEY_VAR]),
        ({KEYS_VAR: f"k1:{b64(AES_KEY)}"}, [INDEX_KEY_VAR]),
        ({INDEX_KEY_VAR: b64(INDEX_KEY)}, [KEYS_VAR]),
    ],
)
def test_production_requires_both_keys(env, missing, tmp_path):
    key_file = tmp_path / "pii-keys.env"
    with pytest.raises(ImproperlyConfigured) as caught:
        pii_keys_from_env(env, cipher="aes", production=True, key_file=key_file)
    message = str(caught.value)
    assert all(name in message for name in missing)
    assert "gonghui generate_pii_keys" in message
    assert not key_file.exists()


# --- the development key file ---


def test_development_creates_a_private_key_file_on_first_use(tmp_path):
    key_file = tmp_path / "var" / "pii-keys.env"
    keys, index_key = pii_keys_from_env({}, cipher="aes", production=False, key_file=key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(keys) == 1
    assert len(keys[0][1]) == 32
    assert len(index_key) >= 32
    assert list(tmp_path.joinpath("var").iterdir()) == [key_file]  # no temporary file left


def test_development_reuses_the_key_file(tmp_path):
    key_file = tmp_path / "pii-keys.env"
    first = pii_keys_from_env({}, cipher="aes", production=False, key_file=key_file)
    content = key_file.read_bytes()
    assert pii_keys_from_env({}, cipher="aes", production=False, key_file=key_file) == first
    assert key_file.read_bytes() == content


def test_the_development_key_file_holds_keys_for_both_ciphers(tmp_path):
    key_file = tmp_path / "pii-keys.env"
    aes_keys, aes_index = pii_keys_from_env({}, cipher="aes", production=False, key_file=key_file)
    sm4_keys, sm4_index = pii_keys_from_env({}, cipher="sm4", production=False, key_file=key_file)
    assert len(sm4_keys[0][1]) == 16
    assert aes_keys[0][0] != sm4_keys[0][0]  # a token of the other cipher is an unknown key id
    assert aes_index == sm4_index


def test_development_prefers_keys_from_the_environment(tmp_path):
    key_file = tmp_path / "pii-keys.env"
    env = {KEYS_VAR: f"k1:{b64(AES_KEY)}", INDEX_KEY_VAR: b64(INDEX_KEY)}
    keys, index_key = pii_keys_from_env(env, cipher="aes", production=False, key_file=key_file)
    assert keys == [("k1", AES_KEY)]
    assert index_key == INDEX_KEY
    assert not key_file.exists()


def test_a_damaged_key_file_is_an_error_naming_it(tmp_path):
    key_file = tmp_path / "pii-keys.env"
    key_file.write_text("GONGHUI_PII_KEYS_AES=devaes:tooshort\nGONGHUI_PII_INDEX_KEY=x\n")
    with pytest.raises(ImproperlyConfigured, match=re.escape(str(key_file))):
        pii_keys_from_env({}, cipher="aes", production=False, key_file=key_file)


def test_the_vault_works_with_the_development_keys(tmp_path):
    key_file = tmp_path / "pii-keys.env"
    for cipher in CIPHERS:
        keys, index_key = pii_keys_from_env({}, cipher=cipher, production=False, key_file=key_file)
        vault = pii.make_vault(cipher, keys, index_key)
        assert vault.decrypt(vault.encrypt("13812345678")) == "13812345678"


# --- generate_pii_keys ---


def generate(*args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command("generate_pii_keys", *args, stdout=out, stderr=io.StringIO())
    assert all(line.startswith("export ") for line in out.getvalue().splitlines())
    return parse_env_file(out.getvalue(), source="output")


@pytest.mark.parametrize("cipher", CIPHERS)
def test_generated_keys_parse_back(cipher):
    values = generate("--cipher", cipher)
    assert values["GONGHUI_PII_CIPHER"] == cipher
    keys, index_key = pii_keys_from_env(
        values, cipher=cipher, production=True, key_file=Path("/nonexistent")
    )
    assert len(keys) == 1
    assert re.fullmatch(r"k\d{6}", keys[0][0])
    assert len(index_key) == 32
    pii.make_vault(cipher, keys, index_key)


def test_generated_keys_are_fresh_each_time():
    assert generate() != generate()


def test_generated_rotation_keys_put_a_new_key_first_and_keep_the_index_key():
    with override_settings(**config("aes", "k2", "k1")):
        values = generate("--rotate")
        keys, index_key = pii_keys_from_env(
            values, cipher="aes", production=True, key_file=Path("/nonexistent")
        )
        assert keys[1:] == settings.PII_KEYS
        assert keys[0][0] not in ("k1", "k2")
        assert index_key == settings.PII_INDEX_KEY


def test_a_second_key_on_the_same_day_gets_its_own_id():
    today = timezone.localdate()
    with override_settings(**{**config("aes"), "PII_KEYS": [(f"k{today:%y%m%d}", AES_KEY)]}):
        keys = parse_keys(generate("--rotate")[KEYS_VAR], cipher="aes")
    assert keys[0][0] == f"k{today:%y%m%d}a"


def test_key_lists_format_and_parse_back():
    keys = [("k2", AES_KEY), ("k1", bytes(32))]
    assert parse_keys(format_keys(keys), cipher="aes") == keys


# --- rotation ---


def encrypted_as(key_ids: tuple[str, ...], text: str) -> str:
    with override_settings(**config("aes", *key_ids)):
        return pii.encrypt(text)


@pytest.fixture
def staff_with_old_tokens(db):
    """Staff users whose last_name holds a token of key k1 (a stand-in for an encrypted field)."""
    return [
        User.objects.create(username=f"u{i}", last_name=encrypted_as(("k1",), f"姓{i}"))
        for i in range(7)
    ]


@override_settings(**config("aes", "k2", "k1"))
def test_rotation_re_encrypts_every_old_value_with_the_current_key(staff_with_old_tokens):
    result = pii.rotate_model_field(User, "last_name", batch_size=3)
    assert (result.rotated, result.failed, result.skipped) == (7, [], 0)
    for user in User.objects.order_by("pk"):
        assert pii.key_id_of(user.last_name) == "k2"
        assert pii.decrypt(user.last_name) == f"姓{user.username[1:]}"


@override_settings(**config("aes", "k2", "k1"))
def test_a_second_rotation_does_nothing(staff_with_old_tokens):
    pii.rotate_model_field(User, "last_name")
    before = list(User.objects.order_by("pk").values_list("last_name", flat=True))
    again = pii.rotate_model_field(User, "last_name")
    assert (again.rotated, again.failed, again.skipped) == (0, [], 0)
    assert list(User.objects.order_by("pk").values_list("last_name", flat=True)) == before


@override_settings(**config("aes", "k2", "k1"))
def test_rotation_leaves_current_and_empty_values_alone(db):
    current = User.objects.create(username="current", last_name=pii.encrypt("王"))
    empty = User.objects.create(username="empty", last_name="")
    token = current.last_name
    result = pii.rotate_model_field(User, "last_name")
    assert result.rotated == 0
    assert User.objects.get(pk=current.pk).last_name == token
    assert User.objects.get(pk=empty.pk).last_name == ""


@override_settings(**config("aes", "k2", "k1"))
def test_rotation_reports_values_it_cannot_read_and_goes_on(staff_with_old_tokens):
    lost = User.objects.create(username="lost", last_name=encrypted_as(("k5",), "李"))
    result = pii.rotate_model_field(User, "last_name", batch_size=2)
    assert result.failed == [lost.pk]
    assert result.rotated == 7
    assert pii.key_id_of(User.objects.get(pk=lost.pk).last_name) == "k5"


@override_settings(**config("aes", "k2", "k1"))
def test_rotation_reports_its_progress(staff_with_old_tokens):
    seen: list[int] = []
    pii.rotate_model_field(User, "last_name", batch_size=3, progress=seen.append)
    assert seen == [3, 3, 1]


@override_settings(**config("aes", "k2", "k1"))
def test_rotation_never_overwrites_a_value_changed_while_it_runs(
    staff_with_old_tokens, monkeypatch
):
    vault = pii.vault()
    edited = staff_with_old_tokens[0]
    new_token = pii.encrypt("edited")
    real_decrypt = vault.decrypt

    def decrypt_while_someone_edits(token):
        if token == edited.last_name:  # the row was read; now another session changes it
            User.objects.filter(pk=edited.pk).update(last_name=new_token)
        return real_decrypt(token)

    monkeypatch.setattr(vault, "decrypt", decrypt_while_someone_edits)
    result = pii.rotate_model_field(User, "last_name")
    assert (result.rotated, result.skipped) == (6, 1)
    assert User.objects.get(pk=edited.pk).last_name == new_token


@override_settings(**config("aes", "k2", "k1"))
def test_count_stale_counts_the_values_under_older_keys(staff_with_old_tokens):
    User.objects.create(username="current", last_name=pii.encrypt("王"))
    assert pii.count_stale(User, "last_name") == 7


def test_discovery_finds_only_encrypted_text_fields():
    for model, name in pii.encrypted_fields():
        assert isinstance(model._meta.get_field(name), pii.EncryptedTextField)
    assert (User, "last_name") not in pii.encrypted_fields()


def test_the_encrypted_field_is_a_plain_text_field_for_migrations():
    path, _args, kwargs = pii.EncryptedTextField(blank=True).deconstruct()[1:]
    assert path == "gonghui.core.pii.EncryptedTextField"
    assert kwargs == {"blank": True}


def rotate_command(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("rotate_pii_key", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_rotation_command_without_encrypted_fields_does_nothing(monkeypatch):
    monkeypatch.setattr(pii, "encrypted_fields", list)
    assert "nothing to do" in rotate_command()  # and no CommandError: exit status 0


@pytest.fixture
def last_name_is_encrypted(monkeypatch):
    """Let the command treat User.last_name as the one encrypted field."""
    monkeypatch.setattr(pii, "encrypted_fields", lambda: [(User, "last_name")])


@override_settings(**config("aes", "k2", "k1"))
def test_the_rotation_command_re_encrypts_once_and_audits_it(
    staff_with_old_tokens, last_name_is_encrypted
):
    from gonghui.core.models import AuditAction, AuditEntry

    output = rotate_command("--batch-size", "2")
    assert "accounts.User" in output
    assert "7" in output
    assert pii.count_stale(User, "last_name") == 0
    rotate_command()
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.KEY_ROTATION
    assert entry.detail["fields"]["accounts.User.last_name"]["rotated"] == 7


@override_settings(**config("aes", "k2", "k1"))
def test_the_rotation_command_dry_run_only_counts(staff_with_old_tokens, last_name_is_encrypted):
    assert "7" in rotate_command("--dry-run")
    assert pii.count_stale(User, "last_name") == 7


@override_settings(**config("aes", "k2", "k1"))
def test_the_rotation_command_fails_on_values_it_cannot_read(
    staff_with_old_tokens, last_name_is_encrypted
):
    lost = User.objects.create(username="lost", last_name=encrypted_as(("k5",), "李"))
    with pytest.raises(CommandError, match="could not be decrypted"):
        rotate_command()
    assert pii.count_stale(User, "last_name") == 1
    assert pii.key_id_of(User.objects.get(pk=lost.pk).last_name) == "k5"
