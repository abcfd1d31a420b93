"""The centre's files and deal files read into the model, and the checks that need nothing but them."""
