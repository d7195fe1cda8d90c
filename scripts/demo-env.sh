# The demo's settings, sourced by run-demo.sh: DEBUG off, so that readers see the site's own
# 404 and 500 pages and never Django's debug pages; plain HTTP on 127.0.0.1 (no redirect to
# HTTPS, no secure-only cookies, no HSTS); static files served by WhiteNoise straight from the
# apps (no collectstatic needed); and, unless DJANGO_SECRET_KEY is set, a secret key made for
# this checkout on first use and kept in .django-secret-key (never in version control).
export DEBUG=false
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
export WHITENOISE_USE_FINDERS=true
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  key_file="${OSAI_DEMO_KEY_FILE:-.django-secret-key}"
  if [ ! -s "$key_file" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file")
  fi
  DJANGO_SECRET_KEY="$(cat "$key_file")"
  export DJANGO_SECRET_KEY
fi
