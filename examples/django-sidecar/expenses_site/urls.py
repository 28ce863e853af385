from django.urls import include, path

urlpatterns = [path("expenses/", include("expenses.urls"))]
