"""nginx serving a folder of static copies on loopback: the ceiling the benchmarks compare against.

nginx is a bench-only tool (Debian's nginx-light: `apt-get install -y nginx-light`), never a dependency.
Each file is served as it is, with the content type given per extension, keep-alive on and the access
log off, so the figure is what a web server needs to hand out the same bytes.
"""

import shutil
from pathlib import Path

from bench._servers import HOST, OUT, Server, free_port

CONF = """worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{
        text/html html;
        application/json json;
        application/geo+json geojson;
        text/csv csv;
        text/css css;
        application/javascript js;
        image/svg+xml svg;
        image/png png;
        image/x-icon ico;
        font/woff2 woff2;
    }}
    default_type application/octet-stream;
    server {{
        listen {host}:{port};
        root {root};
{locations}
    }}
}}
"""


def executable() -> str:
    """The nginx binary, or a clear message how to install it."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise SystemExit("nginx is missing: apt-get install -y nginx-light (a bench-only tool)")
    return found


SERVE_FILES = "        location / { try_files $uri =404; }"


def nginx(root: Path, name: str = "nginx", workers: int = 2, port: int | None = None,
          ready_path: str = "/", locations: str = SERVE_FILES) -> Server:
    """nginx on a free loopback port serving the files under root (`locations`: the server's location blocks)."""
    port = port or free_port()
    prefix = (OUT / name).resolve()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(CONF.format(workers=workers, prefix=prefix, host=HOST, port=port, root=root.resolve(),
                                locations=locations), encoding="utf-8")
    argv = [executable(), "-c", str(conf), "-p", str(prefix)]
    return Server(name, argv, {"PATH": "/usr/sbin:/usr/bin:/bin"}, port, ready_path, prefix / "server.log")
