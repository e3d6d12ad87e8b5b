# Zichtbaar: migrates, seeds when the database is empty, and serves with gunicorn.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8000 FLASK_APP=zichtbaar.wsgi \
    DATABASE_URL=sqlite:////data/zichtbaar.sqlite3 SEED_DATA_DIR=/app/seed_data SECRET_KEY_FILE=/data/secret_key
WORKDIR /app
RUN useradd --create-home --uid 10001 zichtbaar && mkdir /data && chown zichtbaar /data

COPY pyproject.toml README.md ./
COPY register register
COPY api api
COPY portal portal
COPY zichtbaar zichtbaar
COPY seed_data seed_data
RUN pip install --no-cache-dir . && python -c "from portal.i18n import compile_catalogues; compile_catalogues()"

USER zichtbaar
VOLUME ["/data"]
EXPOSE 8000
CMD ["sh", "-c", "flask migrate && flask seed --if-empty && exec gunicorn --config zichtbaar/gunicorn_conf.py --bind 0.0.0.0:${PORT} zichtbaar.wsgi:app"]
