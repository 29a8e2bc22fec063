#!/usr/bin/env bash
# THE test command: builds the solution once (Release) and runs every test project.
# Extra arguments go to `dotnet test`, e.g.  ./test.sh --filter "FullyQualifiedName~Durable"
# Ends with one summary line: "N passed, N failed[, N skipped]". Exit code is non-zero if
# the build failed, any test failed, or `dotnet test` itself failed; with CI=true, also if any
# test was skipped (nothing may be skipped: the corpus is in the repository and this script
# installs every tool the tests need).
# TEST_RESULTS_DIR=dir keeps the .trx files there (default: a temp dir, deleted at exit).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

infra/local/install-deps.sh --runtime --test
infra/local/maildev.sh install    # MailDev from npm: the SMTP server the mail tests send to
infra/local/azurite.sh install    # Azurite from npm: the Azure Storage emulator the azureStorage durable tests run on

dotnet build Pipeline.sln -c Release -nologo -v quiet

if [[ -n "${TEST_RESULTS_DIR:-}" ]]; then
    results="$TEST_RESULTS_DIR"
    mkdir -p "$results"
    rm -f "$results"/*.trx
else
    results="$(mktemp -d "${TMPDIR:-/tmp}/pipeline-tests.XXXXXX")"
    trap 'rm -rf "$results"' EXIT
fi

set +e
dotnet test Pipeline.sln -c Release --no-build -nologo \
    --logger trx --results-directory "$results" "$@"
rc=$?
set -e

# Sum the <Counters .../> of every trx file. Failed counts failed, error, timeout and
# aborted outcomes; skipped is total - executed (xunit's skipped tests are not counted
# in notExecuted).
summary="$(find "$results" -name '*.trx' -type f -print0 | xargs -0 -r cat | awk '
    function attr(line, name,    m) {
        if (match(line, "[[:space:]]" name "=\"[0-9]+\"")) {
            m = substr(line, RSTART, RLENGTH)
            gsub(/[^0-9]/, "", m)
            return m + 0
        }
        return 0
    }
    /<Counters[[:space:]]/ {
        passed  += attr($0, "passed")
        failed  += attr($0, "failed") + attr($0, "error") + attr($0, "timeout") + attr($0, "aborted")
        skipped += attr($0, "total") - attr($0, "executed")
    }
    END {
        s = (passed + 0) " passed, " (failed + 0) " failed"
        if (skipped > 0) s = s ", " skipped " skipped"
        print s
    }')"
failed="$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")"
skipped="$(sed -E -n 's/.*, ([0-9]+) skipped$/\1/p' <<<"$summary")"
skipped="${skipped:-0}"

if [[ $rc -ne 0 && $failed -eq 0 ]]; then
    echo "dotnet test exited with code $rc" >&2
fi
echo
echo "$summary"

if [[ $rc -ne 0 || $failed -ne 0 ]]; then
    exit 1
fi
if [[ "${CI:-}" == "true" && $skipped -ne 0 ]]; then
    echo "CI=true: $skipped test(s) skipped; a skipped test fails the run under CI." >&2
    exit 1
fi
