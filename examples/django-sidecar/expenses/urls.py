from django.urls import path

from . import views

app_name = "expenses"
urlpatterns = [
    path("", views.expense_list, name="list"),
    path("<str:run_id>/", views.expense_status, name="status"),
    path("<str:run_id>/decision", views.expense_decision, name="decision"),
]
