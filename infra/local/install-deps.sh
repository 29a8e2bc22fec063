#!/usr/bin/env bash
# Idempotent installer of Debian (12, bookworm) packages the project needs.
#
#   infra/local/install-deps.sh [--runtime] [--test] [--bench] [package...]
#
# Each named package (or preset) is checked with `dpkg -s` first; only missing ones are
# installed, with one `apt-get update` before the install. A second run does nothing.
# Uses sudo only when not root.
set -euo pipefail

# Packages the app needs at run time: Tesseract 5 with Vietnamese (OCR); poppler
# (rasterising PDF pages, reading their images and text layers); img2pdf (scanned images
# into a PDF without re-encoding them); qpdf (laying the OCR text over the original pages);
# ghostscript (PDF/A-2b). SQLite comes with Microsoft.Data.Sqlite's bundled native library.
RUNTIME_PACKAGES=(tesseract-ocr tesseract-ocr-vie poppler-utils img2pdf qpdf ghostscript fonts-dejavu-core)

# Packages the tests need. postgresql: Debian's PostgreSQL 15; its binaries (initdb,
# pg_ctl, postgres) live in /usr/lib/postgresql/<ver>/bin, not on PATH. Tests start
# private throwaway clusters from them (tests/Pipeline.Testing/PostgresCluster.cs).
# chromium: Debian's browser, driven by Playwright in the browser tests.
TEST_PACKAGES=(postgresql chromium)

# Packages only the benchmarks need: OCRmyPDF 14, the baseline of the digitise benchmark.
BENCH_PACKAGES=(ocrmypdf)

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

wanted=()
for arg in "$@"; do
    case "$arg" in
        --runtime) wanted+=("${RUNTIME_PACKAGES[@]+"${RUNTIME_PACKAGES[@]}"}") ;;
        --test)    wanted+=("${TEST_PACKAGES[@]+"${TEST_PACKAGES[@]}"}") ;;
        --bench)   wanted+=("${BENCH_PACKAGES[@]+"${BENCH_PACKAGES[@]}"}") ;;
        -h|--help) usage; exit 0 ;;
        -*)        echo "install-deps.sh: unknown option: $arg" >&2; usage >&2; exit 2 ;;
        *)         wanted+=("$arg") ;;
    esac
done

missing=()
for pkg in "${wanted[@]+"${wanted[@]}"}"; do
    [[ -z "$pkg" ]] && continue
    # Skip duplicates.
    for m in "${missing[@]+"${missing[@]}"}"; do
        [[ "$m" == "$pkg" ]] && continue 2
    done
    # dpkg -s also succeeds for removed-but-not-purged packages; require "installed".
    # (grep without -q reads all input, so dpkg never gets SIGPIPE under pipefail.)
    if ! dpkg -s "$pkg" 2>/dev/null | grep '^Status: install ok installed' >/dev/null; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
"${as_root[@]+"${as_root[@]}"}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]+"${as_root[@]}"}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
