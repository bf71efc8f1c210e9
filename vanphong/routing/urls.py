from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("van-ban/<int:pk>/de-xuat/", views.propose, name="propose"),
    path("van-ban/<int:pk>/but-phe/", views.instruct, name="instruct"),
    path("van-ban/<int:pk>/dong-phan-phoi/", views.line_row, name="line_row"),
    path("giao/<int:pk>/da-xem/", views.mark_read, name="read"),
    path("giao/<int:pk>/giao-ca-nhan/", views.handover, name="handover"),
    path("giao/<int:pk>/tien-do/", views.progress, name="progress"),
    path("giao/<int:pk>/hoan-thanh/", views.close, name="close"),
    path("giao/<int:pk>/tra-lai/", views.return_, name="return"),
    path("giao/<int:pk>/chuyen-lai/", views.redirect_, name="redirect"),
    path("phieu/<int:pk>/", views.slip, name="slip"),
]
