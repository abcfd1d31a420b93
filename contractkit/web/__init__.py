"""The web application: contractkit's second face on `contractkit.api`, beside the CLI.

Django 5.2 LTS, server-rendered pages with htmx, SQLite by default and PostgreSQL when
CONTRACTKIT_DATABASE_URL names one. Views stay thin: they parse the request, ask `policy`
whether the user may, call the API through `services`, and render.
"""
