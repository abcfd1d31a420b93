"""Pure drafting: library + deal -> Agreement, with numbering, tables and the register entry."""
