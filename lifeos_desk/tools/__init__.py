"""Developer tools shipped with the package (screenshots for the README)."""
