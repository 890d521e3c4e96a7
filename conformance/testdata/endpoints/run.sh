#!/bin/sh
# run.sh ENDPOINT VARIANT — start one independent install endpoint in the foreground.
#
# ENDPOINT is express, nodehttp or python; VARIANT defaults to "correct" (see README.md).
# The endpoint prints one line to stdout, "listening on http://localhost:PORT", and logs to
# stderr. Configure it with PORT (0 = a free port), HUBSPOT_API_BASE (the emulator, e.g.
# http://127.0.0.1:7430), CLIENT_ID and CLIENT_SECRET.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
endpoint=${1:?usage: run.sh express|nodehttp|python [VARIANT]}
VARIANT=${2:-${VARIANT:-correct}}
export VARIANT
: "${PORT:=0}"
export PORT
case $endpoint in
express)
	if [ ! -d "$dir/express/node_modules" ]; then
		(cd "$dir/express" && npm ci --no-audit --no-fund --loglevel=error) >&2
	fi
	exec node "$dir/express/server.js"
	;;
nodehttp)
	exec node "$dir/nodehttp/server.js"
	;;
python)
	exec python3 -u "$dir/python/app.py"
	;;
*)
	echo "run.sh: unknown endpoint '$endpoint' (express, nodehttp or python)" >&2
	exit 2
	;;
esac
