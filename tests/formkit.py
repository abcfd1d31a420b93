"""Test helpers for the deal form: read a rendered form's inputs as a browser would post them."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.template.loader import render_to_string
from django.test import Client
from django.test.client import RequestFactory

from contractkit.web import dealform, formbind, formdata, state


class FormReader(HTMLParser):
    """The name/value pairs a browser posts for the deal form, without any button: text inputs,
    hidden inputs, checked radios, each select's chosen option (else its first) and textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.ids: list[str] = []
        self.labels: list[str] = []
        self._select: str | None = None
        self._first: str | None = None
        self._chosen: str | None = None
        self._option: dict[str, str | None] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "label" and a.get("for"):
            self.labels.append(str(a["for"]))
        name = a.get("name")
        kind = a.get("type")
        if tag == "input" and name and (kind in ("text", "hidden", None) or (kind == "radio" and "checked" in a)):
            self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first, self._chosen = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._first = value if self._first is None else self._first
            if "selected" in a:
                self._chosen = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.fields[self._select] = self._chosen if self._chosen is not None else self._first or ""
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields[self._textarea] = text[1:] if text.startswith("\n") else text  # as browsers read it
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    reader.close()
    return reader


def posted(html: str) -> dict[str, str]:
    """What submitting the rendered deal form posts, less the CSRF token."""
    fields = read_form(html).fields
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def render_form(form: dealform.DealForm, values: formdata.Values, issues: Any = ()) -> str:
    """The form page's HTML for `values`, rendered by the app's own templates."""
    request = RequestFactory().get("/deals/new/x/")
    bound = formbind.bind(form, values, issues)
    context = {"page": {"refused": []}, "form": bound, "playbook": form.plan.playbook, "organisation": {}}
    return render_to_string("ckweb/deal_form.html", context, request=request)


def data_through_html(form: dealform.DealForm, data: Any) -> dict[str, Any]:
    """A deal's data rendered into the form, read back as a browser posts it, and turned into data."""
    values, refusals = formdata.from_post(form, posted(render_form(form, formdata.from_data(form, data))))
    assert refusals == []
    return formdata.to_data(form, values)


def form_post(client: Client, url: str, values: dict[str, str], **extra: str) -> Any:
    return client.post(url, {**values, **extra})


def library_form(playbook: str) -> dealform.DealForm:
    return dealform.build(state.library(), playbook)
