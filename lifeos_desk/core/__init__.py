"""The Qt-free core: everything here is importable and testable without Qt."""
