"""A received (or freshly drafted) DOCX read as Word shows it, with hostile-input limits."""
