from .views import incoming, outgoing, registers

app_name = "registry"

urlpatterns = incoming.urlpatterns + outgoing.urlpatterns + registers.urlpatterns
