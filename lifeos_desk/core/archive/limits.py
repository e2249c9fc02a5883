"""Caps applied before anything from an archive is written (docs/architecture.md, 'Archives are hostile input').

tarfile's ``filter='data'`` does not limit sizes (a 199 KiB .tar.gz held a
200 MiB member), so the reader enforces these itself, on each header before
the member's data is read, and on the decompressed stream as a whole (so a
gzip bomb hidden in padding or a huge pax header stops too).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

GiB = 1 << 30


@dataclass(frozen=True)
class Limits:
    """Refuse an archive beyond these. ``max_total`` also caps the decompressed stream."""

    max_members: int = 5000
    max_member_bytes: int = 64 * GiB
    max_total_bytes: int = 256 * GiB
    max_state_file_bytes: int = 256 << 20  # trading/*.json are small; a huge one is not a state file
    stream_slack_bytes: int = 64 << 20  # tar headers and padding beyond the members' sizes

    def for_folder(self, folder: Path, reserve: int = GiB) -> Limits:
        """These limits, with the total lowered to the free space of ``folder`` minus ``reserve``.

        Extraction goes to a temporary folder there: an archive that cannot
        fit is refused up front instead of filling the disk.
        """
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return self
        cap = max(free - reserve, 0)
        return replace(self, max_total_bytes=min(self.max_total_bytes, cap),
                       max_member_bytes=min(self.max_member_bytes, cap))
