"""Encryption at rest of secrets and BMC passwords: Fernet (AES-128-CBC + HMAC-SHA256).

The keys live in a file (data_dir/secrets.key, mode 0600, created on first
start), one Fernet key a line, the newest first: the first key encrypts,
every key decrypts. Rotating (``cairn-server rotate-key``) puts a new key in
front, re-encrypts every stored value with it, then drops the old keys. A
running server reads the file again when it changes, so the controllers
that share a key file keep decrypting after a rotation.
"""

import os
import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class KeyMissing(Exception):
    """A stored value that no key of the key file decrypts: the file is not the one
    the value was encrypted with."""


def key_file(settings):
    return settings.secrets_key_file or os.path.join(settings.data_dir, "secrets.key")


def _write_keys(path, keys):
    """Replace the key file atomically, mode 0600 from the start."""
    temp = f"{path}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("".join(key + "\n" for key in keys))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _read_keys(path):
    with open(path) as handle:
        keys = [line.strip() for line in handle if line.strip()]
    if not keys:
        raise SystemExit(f"cairn-server: the secrets key file {path} holds no key")
    return keys


def ensure_key_file(path):
    """Create the key file with one new key, unless it exists."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(Fernet.generate_key().decode() + "\n")


class Keyring:
    """The keys of one key file; reloads them when the file changes."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp = None
        self._fernet = None
        self._load()

    def _load(self):
        stat = os.stat(self.path)
        stamp = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                keys = _read_keys(self.path)
                try:
                    self._fernet = MultiFernet([Fernet(key) for key in keys])
                except ValueError:
                    raise SystemExit(f"cairn-server: {self.path} holds a line that is no Fernet key") from None
                self._stamp = stamp
            return self._fernet

    def encrypt(self, text):
        return self._load().encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token):
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            pass
        # Perhaps another controller rotated the key: read the file again.
        try:
            return self._load().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise KeyMissing(f"a stored secret cannot be decrypted with the keys of {self.path}: "
                             f"that file lacks the key it was encrypted with") from None

    def rotate(self, token):
        """``token`` encrypted again with the first key."""
        return self._load().rotate(token.encode("ascii")).decode("ascii")


_keyrings = {}
_keyrings_lock = threading.Lock()


def keyring(settings):
    """The Keyring of the settings' key file, one per file and process."""
    path = key_file(settings)
    with _keyrings_lock:
        if path not in _keyrings:
            _keyrings[path] = Keyring(path)
        return _keyrings[path]


def add_key(path):
    """Put a new key in front of the file (the start of a rotation); returns the keys."""
    keys = [Fernet.generate_key().decode(), *_read_keys(path)]
    _write_keys(path, keys)
    return keys


def keep_first_key(path):
    """Drop every key but the first (the end of a rotation)."""
    _write_keys(path, _read_keys(path)[:1])
