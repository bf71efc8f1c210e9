from django.urls import path

from . import notifications, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("xac-thuc/", views.otp_view, name="otp"),
    path("dang-ky-xac-thuc/", views.otp_setup_view, name="otp_setup"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("cua-toi/", views.profile_view, name="profile"),
    path("nguoi-dung/", views.user_list, name="user_list"),
    path("nguoi-dung/them/", views.user_edit, name="user_create"),
    path("nguoi-dung/<int:pk>/", views.user_detail, name="user_detail"),
    path("nguoi-dung/<int:pk>/sua/", views.user_edit, name="user_edit"),
    path("nguoi-dung/<int:pk>/mo-khoa/", views.user_unlock, name="user_unlock"),
    path("uy-quyen/", views.delegation_list, name="delegation_list"),
    path("uy-quyen/<int:pk>/thu-hoi/", views.delegation_revoke, name="delegation_revoke"),
    path("nhat-ky/", views.audit_list, name="audit"),
    path("nhat-ky/<int:seq>/", views.audit_detail, name="audit_detail"),
    path("thong-bao/", notifications.notification_list, name="notifications"),
    path("thong-bao/doc-het/", notifications.notifications_read_all, name="notifications_read_all"),
    path("thong-bao/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("thong-bao/<int:pk>/da-doc/", notifications.notification_read, name="notification_read"),
]
