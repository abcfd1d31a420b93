"""URL map. Deals are addressed by their agreement reference; versions by their number."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .views import approvals, deals, downloads, forms

urlpatterns = [
    path("", deals.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="ckweb/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("deals/import/", deals.import_deal, name="import"),
    path("deals/new/", forms.new, name="new"),
    path("deals/new/<slug:playbook>/", forms.new_form, name="new-form"),
    path("deals/<str:ref>/", deals.deal_page, name="deal"),
    path("deals/<str:ref>/edit/", forms.edit, name="edit"),
    path("deals/<str:ref>/swap/", deals.swap, name="swap"),
    path("deals/<str:ref>/history/", deals.history, name="history"),
    path("deals/<str:ref>/redline/", downloads.redline, name="redline"),
    path("deals/<str:ref>/v<int:number>/deal.yaml", downloads.deal_yaml, name="export"),
    path("deals/<str:ref>/v<int:number>/agreement.<str:kind>", downloads.agreement, name="download"),
    path("deals/<str:ref>/final.pdf", downloads.final_pdf, name="final"),
    path("approvals/", approvals.queue, name="approvals"),
    path("approvals/<int:pk>/", approvals.decide, name="decide"),
    path("admin/", admin.site.urls),
]
