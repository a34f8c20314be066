from django.urls import path

from .pages.explorer import explorer
from .pages.map import spend_map

urlpatterns = [
    path("explorer/", explorer, name="explorer"),
    path("map/", spend_map, name="spend-map"),
]
