from .dashboard_urls import urlpatterns as dashboard_urlpatterns
from .load_urls import urlpatterns as load_urlpatterns

app_name = "indicators"
urlpatterns = load_urlpatterns + dashboard_urlpatterns
