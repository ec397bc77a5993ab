"""cairn-server rotate-key: encrypt every stored secret with a new key, then drop the old keys.

The steps keep every value readable at every moment, by this process and by
servers running against the same database and key file:

1. a new key goes in front of the key file: it encrypts from now on, while
   the old keys still decrypt (running servers reload the file when it
   changes, see cairn.crypto.Keyring);
2. one transaction re-encrypts every encrypted column with the new key; it
   locks those tables against writers first, and writers lock before they
   encrypt (db.secrets.lock_before_encrypting), so no value encrypted with an
   old key can land after the transaction read the table;
3. the key file keeps only the new key.

A failure before step 3 leaves the old keys in the file, so nothing is lost;
running the command again finishes the job.
"""

import logging
import os

from cryptography.fernet import InvalidToken

from . import crypto
from .db import secrets as db_secrets
from .db.engine import make_engine, transaction

log = logging.getLogger("cairn.keys")


def rotate(settings):
    """Rotate the key of ``settings``' key file; {"table.column": values re-encrypted}."""
    path = crypto.key_file(settings)
    if not os.path.exists(path):
        raise SystemExit(f"cairn-server: there is no key file {path} (a server creates it on "
                         f"first start); check --data-dir or secrets_key_file")
    crypto.add_key(path)
    keyring = crypto.Keyring(path)
    counts = {}
    engine = make_engine(settings.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            db_secrets.lock_encrypted(conn)
            for table, column in db_secrets.ENCRYPTED:
                where = f"{table.name}.{column.name}"
                counts[where] = 0
                for row_id, token in db_secrets.tokens(conn, table, column):
                    try:
                        new_token = keyring.rotate(token)
                    except InvalidToken:
                        raise SystemExit(f"cairn-server: {where} of row {row_id} cannot be decrypted "
                                         f"with any key in {path}; nothing was changed") from None
                    db_secrets.set_token(conn, table, column, row_id, new_token)
                    counts[where] += 1
    finally:
        engine.dispose()
    crypto.keep_first_key(path)
    log.info("re-encrypted %s with a new key; %s holds only the new key",
             ", ".join(f"{n} {where}" for where, n in counts.items()), path)
    return counts
