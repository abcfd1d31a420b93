"""Word documents: the only layer that reads or writes WordprocessingML."""
