# Sourced by the comparison scripts: sets JAVA to a JDK 25 or newer (the Vector API and the
# modular jars need it; a plain `java` on the PATH is often an older one), looking at $JAVA, then
# $JAVA_HOME, the PATH and /usr/lib/jvm/*, as the ./vecgrad launcher does. Exits with one line
# naming the calling script when there is none.
is_jdk25() { "$1" -XshowSettings:properties -version 2>&1 | grep -qE 'java\.specification\.version = (2[5-9]|[3-9][0-9])'; }
if [[ -z "${JAVA:-}" ]]; then
  for j in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    if [[ -x "$j" ]] && is_jdk25 "$j"; then JAVA="$j"; break; fi
  done
fi
[[ -n "${JAVA:-}" ]] || { echo "$(basename "$0"): no JDK 25 found (set JAVA or JAVA_HOME)" >&2; exit 1; }
