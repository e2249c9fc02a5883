"""Human-readable quantities shared by the CLI and the window."""

from __future__ import annotations


def human_size(n: int) -> str:
    """1536 -> '1.5 KB' (decimal units, as file managers show)."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{n} bytes"  # pragma: no cover
