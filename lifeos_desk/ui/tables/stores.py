"""The store switcher beside the table list: every SQLite store of the registry, users database first.

Choosing one asks the area to show that store's tables; the area opens it
through the session's ``StoreRegistry`` (read-only, busy timeout, the same
windowed models), so no area builds its own connection
(docs/architecture.md, 'The store registry').
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from ...core.stores import StoreKind, StoreRef, StoreRole, role_text
from ...stores import StoreRegistry


def sqlite_refs(registry: StoreRegistry) -> list[StoreRef]:
    """The registry's SQLite stores, the users database first, then in registration order."""
    refs = [r for r in registry.refs() if r.kind is StoreKind.SQLITE]
    return sorted(refs, key=lambda r: r.role is not StoreRole.USERS)


class StoreSwitcher(QComboBox):
    """A combo box of SQLite stores.

    Signals:
        storeChosen(object): the admin picked another store (a StoreRef).
    """

    storeChosen = Signal(object)

    def __init__(self, registry: StoreRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._registry = registry
        self.setAccessibleName("Store")
        self.setToolTip("Which SQLite store of this home the tables come from (opened read-only)")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(14)
        self.refs: list[StoreRef] = []
        self.fill()
        self.activated.connect(self._on_activated)

    def fill(self, current: StoreRef | None = None) -> None:
        """List the registry's SQLite stores again (discovery may have found more), keeping the choice."""
        keep = current or self.current_ref()
        self.blockSignals(True)
        self.clear()
        self.refs = sqlite_refs(self._registry)
        for ref in self.refs:
            self.addItem(f"{ref.label} ({ref.path.name})")
            self.setItemData(self.count() - 1, f"{ref.path}\n{role_text(ref.role)}", Qt.ItemDataRole.ToolTipRole)
        if keep in self.refs:
            self.setCurrentIndex(self.refs.index(keep))
        self.blockSignals(False)

    def current_ref(self) -> StoreRef | None:
        """The store shown now."""
        i = self.currentIndex()
        return self.refs[i] if 0 <= i < len(self.refs) else None

    def select(self, ref: StoreRef) -> None:
        """Show a store as chosen without emitting ``storeChosen``."""
        if ref not in self.refs:
            self.fill(ref)
        if ref in self.refs:
            self.blockSignals(True)
            self.setCurrentIndex(self.refs.index(ref))
            self.blockSignals(False)

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        if 0 <= index < len(self.refs):
            self.storeChosen.emit(self.refs[index])
