"""The vault's two clocks, read from the admin's settings."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.settings import Settings


@dataclass(frozen=True)
class VaultTimings:
    """How long until auto-lock and until a copied key leaves the clipboard."""

    idle_lock_ms: int  # 0: no auto-lock
    clipboard_clear_ms: int

    @classmethod
    def from_settings(cls, settings: Settings) -> VaultTimings:
        """The admin's settings (vault_idle_lock_s: 0 turns auto-lock off, else at least 5 s; clipboard_clear_s)."""
        idle_s = int(settings.get("vault_idle_lock_s"))
        return cls(0 if idle_s <= 0 else max(5, idle_s) * 1000,
                   max(1, int(settings.get("clipboard_clear_s"))) * 1000)
