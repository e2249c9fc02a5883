"""Every key the bot holds: the stores, their envelopes, unlocking and the health check (no Qt).

- ``model``: ``KeyStore``, ``StoredKey``, ``WalletResult``, ``UnlockResult`` — plain values, no secret;
- ``treasury``, ``keypair``, ``plaintext``: one reader and opener per envelope (docs/data-formats.md,
  'Treasury wallet folders', 'Treasury keypair file', 'Plaintext keys');
- ``find``: the stores of a home and checkout; ``unlock``: one passphrase on one store or many;
- ``health``: findings with explanation and fix; ``coverage``: what the backups' manifests list.

A controller drives it from a worker thread: ``find_key_stores`` once, then
``unlock(store, passphrase, progress=..., cancel=...)`` per store the user
unlocks (or ``unlock_many`` to try one passphrase on every locked store).
"""
