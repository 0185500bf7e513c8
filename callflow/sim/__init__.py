"""The contact-centre simulation behind `callflow simulate`: workload, backends, the event loop, the scores."""
