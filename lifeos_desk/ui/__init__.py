"""The Qt widgets: one module or package per area, plus the main window."""
