"""The application: config, the app factory that wires register, api and portal, and the WSGI entry."""
