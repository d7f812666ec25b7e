#!/usr/bin/env bash
# Installs the engines of the local Athena (docs/LOCAL-ATHENA.md), pinned in scripts/engines/engines.json,
# into .engines/ (gitignored; another folder with SPARKIFY_ENGINES_DIR):
#   - Trino: the core server tar.gz plus the Hive connector plugin, from Maven Central through Maven
#     (checksums checked by Maven and against the SHA-256 pinned here);
#   - moto's server, in a Python virtual environment, every package pinned (moto-requirements.txt).
# Idempotent: what is installed already is left alone, and a second run downloads nothing.
# Nothing else downloads an engine: the tests and `sparkify-lake query --engine trino` only use what
# this script installed, and fail naming this script when something is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENGINES="${SPARKIFY_ENGINES_DIR:-$ROOT/.engines}"
PINS="$ROOT/scripts/engines/engines.json"
pin() { node -e 'const p = require(process.argv[1]); console.log(process.argv[2].split(".").reduce((o, k) => o[k], p))' "$PINS" "$1"; }
say() { printf '[engines] %s\n' "$*"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }

TRINO_VERSION="$(pin trino.version)"
MOTO_VERSION="$(pin moto.version)"
MIN_JAVA="$(pin trino.minimumJava)"
TRINO_HOME="$ENGINES/trino-$TRINO_VERSION"
MOTO_HOME="$ENGINES/moto-$MOTO_VERSION"
M2="$ENGINES/m2"
mkdir -p "$ENGINES"
started=$SECONDS

# --- Java: Trino $TRINO_VERSION needs Java $MIN_JAVA or newer (not installed here: it comes with the machine).
java_major() { "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }'; }
find_java() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    if [ "$(java_major "$candidate")" -ge "$MIN_JAVA" ] 2>/dev/null; then echo "$candidate"; return 0; fi
  done
  return 1
}
if TRINO_JAVA="$(find_java)"; then
  say "Java for Trino: $TRINO_JAVA (Java $(java_major "$TRINO_JAVA"))"
else
  say "ERROR: Trino $TRINO_VERSION needs a JDK $MIN_JAVA or newer; none found in JAVA_HOME or /usr/lib/jvm." >&2
  say "Install one (e.g. a Temurin 25 JDK) and set JAVA_HOME to it, then run this again." >&2
  exit 1
fi

# --- Trino: core server + Hive plugin (a third of the size of the full trino-server tar.gz).
fetch_maven() { # <pin path> -> prints the path of the verified archive in the local Maven repository
  local artifact file bytes sha256 group rest path
  artifact="$(pin "$1.artifact")"; file="$(pin "$1.file")"; bytes="$(pin "$1.bytes")"; sha256="$(pin "$1.sha256")"
  group="${artifact%%:*}"; rest="${artifact#*:}"
  path="$M2/${group//.//}/${rest%%:*}/$TRINO_VERSION/$file"
  if [ -f "$path" ] && echo "$sha256  $path" | sha256sum --check --status; then
    say "cached: $artifact ($(mib "$bytes"))" >&2
  else
    say "downloading $artifact from Maven Central: $(mib "$bytes") ..." >&2
    # Maven's own Java is enough for Maven; --strict-checksums fails on a checksum mismatch.
    mvn -B -q -Dstyle.color=never --strict-checksums -Dmaven.repo.local="$M2" "$(pin mavenDependencyPlugin):get" \
      -Dartifact="$artifact" -Dtransitive=false >&2
    echo "$sha256  $path" | sha256sum --check --status || { say "ERROR: $path does not have the pinned SHA-256 $sha256" >&2; exit 1; }
  fi
  echo "$path"
}

if [ -f "$TRINO_HOME/.installed" ]; then
  say "Trino $TRINO_VERSION: installed ($TRINO_HOME)"
else
  server_archive="$(fetch_maven trino.server)"
  hive_archive="$(fetch_maven trino.hivePlugin)"
  say "unpacking Trino $TRINO_VERSION into $TRINO_HOME"
  rm -rf "$TRINO_HOME" "$TRINO_HOME.tmp"
  mkdir -p "$TRINO_HOME.tmp"
  tar -xzf "$server_archive" -C "$TRINO_HOME.tmp" --strip-components=1
  python3 -m zipfile -e "$hive_archive" "$TRINO_HOME.tmp/plugin/"
  mv "$TRINO_HOME.tmp/plugin/trino-hive-$TRINO_VERSION" "$TRINO_HOME.tmp/plugin/hive"
  # Plugins we never load: less to scan at every start.
  rm -rf "$TRINO_HOME.tmp/plugin/"{functions-python,geospatial,password-authenticators,resource-group-managers,session-property-managers}
  touch "$TRINO_HOME.tmp/.installed"
  mv "$TRINO_HOME.tmp" "$TRINO_HOME"
  # The archives stay in the local Maven repository: a reinstall after deleting trino-*/ downloads nothing.
fi

# --- moto's server in its own virtual environment.
if [ -f "$MOTO_HOME/.installed" ] && [ -x "$MOTO_HOME/venv/bin/moto_server" ]; then
  say "moto $MOTO_VERSION: installed ($MOTO_HOME)"
else
  say "installing moto[server] $MOTO_VERSION and the $(( $(grep -c '==' "$ROOT/$(pin moto.requirements)") - 1 )) packages it needs, all pinned, from PyPI into $MOTO_HOME/venv (about 320 MiB once installed) ..."
  rm -rf "$MOTO_HOME"
  python3 -m venv "$MOTO_HOME/venv"
  "$MOTO_HOME/venv/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/$(pin moto.requirements)"
  "$MOTO_HOME/venv/bin/python" -c "import moto, flask; assert moto.__version__ == '$MOTO_VERSION', moto.__version__"
  touch "$MOTO_HOME/.installed"
fi

say "engines ready in $ENGINES: $(du -sh "$ENGINES" | cut -f1) on disk, $((SECONDS - started)) s"
