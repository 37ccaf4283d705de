#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100, the newest that runs on Node 20) from the npm
# registry into <cache>/cs, for the end-to-end test; the steps of ../shared/vscode-e2e.md.
# Nothing is downloaded from outside the npm registry and Debian: ripgrep comes from Debian.
set -euo pipefail
cache="${1:-$HOME/.cache/baton-e2e}"
missing=()
for pkg in libkrb5-dev ripgrep chromium; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
rm -rf "$cache/cs.partial"
mkdir -p "$cache/cs.partial" && cd "$cache/cs.partial"
npm init -y >/dev/null
echo "npm install code-server@4.100.3 ..."
npm install --no-audit --no-fund --loglevel=error code-server@4.100.3 --ignore-scripts
npm rebuild argon2 --build-from-source --loglevel=error
cd node_modules/code-server/lib/vscode
echo "installing VS Code's own dependencies ..."
npm install --no-audit --no-fund --loglevel=error --ignore-scripts
# Its ripgrep postinstall downloads a binary; use Debian's.
mkdir -p node_modules/@vscode/ripgrep/bin && ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild --loglevel=error
(cd extensions && npm install --no-audit --no-fund --loglevel=error)
ln -sfn node_modules node_modules.asar
# Complete: only now under its real name, so an interrupted install is not taken for one.
cd "$cache" && rm -rf cs && mv cs.partial cs
echo "code-server installed in $cache/cs"
