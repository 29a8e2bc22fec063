#!/usr/bin/env bash
# THE run command: our Functions host (functions/Pipeline.Host) running the function app with the embedded default
# (SQLite, files under the data dir). Extra arguments go to the host, e.g.  ./run.sh --urls http://127.0.0.1:8080
# The host prints its URL and where the admin key is.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

infra/local/install-deps.sh --runtime
dotnet build functions/Pipeline.Host -c Release -nologo -v quiet
dotnet build functions/Pipeline.Functions -c Release -nologo -v quiet
exec dotnet functions/Pipeline.Host/bin/Release/net10.0/Pipeline.Host.dll --app functions/Pipeline.Functions/bin/Release/net10.0 "$@"
