"""Ed25519 keys and signed JSON: who drafted a manifest, who released a library."""
