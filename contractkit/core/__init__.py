"""Pure helpers every layer uses: text normalisation, babel formatting, the Jinja sandbox, labels."""
