"""Open311 GeoReport v2 over our reports (the HTTP side is bot.web.open311): the services (our categories), filing a
report as a system would, and the public view of reports, which shows exactly what the statistics may."""
