# Production image: gunicorn for `web`, the same image runs `worker` and `beat`.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=totalplace.settings.production
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# Production settings refuse a short key and unnamed hosts; this pair only collects static files.
RUN SECRET_KEY=build-time-collectstatic-only-never-used-to-sign-anything-0123456789 \
    ALLOWED_HOSTS=build.invalid python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /app/media /app/var \
    && chown -R app /app/media /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "totalplace.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
