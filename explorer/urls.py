from django.urls import path

from . import views

urlpatterns = [
    path("explorer/", views.explorer, name="explorer"),
    path("map/", views.spend_map, name="spend-map"),
]
