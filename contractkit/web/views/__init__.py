"""Views, one module per area. Each is thin: policy decides, services act, a template shows."""
