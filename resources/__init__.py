"""Assets shipped inside the installed package as ``lifeos_desk.resources``."""
