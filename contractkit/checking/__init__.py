"""Judging documents and the library: verify a received agreement; lint the library by trial drafts."""
