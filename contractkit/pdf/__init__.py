"""PDFs: LibreOffice conversion, PDF/A finishing, batches, and reading a received PDF as it is drawn."""
