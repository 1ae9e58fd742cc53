from django.contrib import admin
from django.urls import path, re_path

from webapp.api import api
from webapp.views import spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Client-side routes of the single-page app (/runs/7, /login ...) get index.html.
    re_path(r"^(?!api/|admin/|static/|assets/|ws/).*$", spa_index),
]
