#!/usr/bin/env bash
# Installs what the browser test (browser_test.go, browser.mjs) needs:
# Debian's Chromium, and playwright-core + axe-core from package-lock.json.
# Idempotent and non-interactive; CI runs it, then the test with
# AGORA_TEST_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -x /usr/bin/chromium ]]; then
	echo "install.sh: installing Debian's chromium"
	if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q --no-install-recommends chromium
fi
/usr/bin/chromium --version

# node_modules is stale unless every package in package-lock.json is
# installed at the locked version.
stale() {
	[[ -d node_modules ]] || return 0
	! node -e '
		const fs = require("fs");
		const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
		for (const [path, meta] of Object.entries(lock.packages)) {
			if (!path) continue;
			let got;
			try { got = JSON.parse(fs.readFileSync(path + "/package.json", "utf8")).version; } catch { process.exit(1); }
			if (got !== meta.version) process.exit(1);
		}
	'
}
if stale; then
	echo "install.sh: npm ci in web/browsertest"
	npm ci --no-audit --no-fund
fi
node -e 'console.log("playwright-core " + require("playwright-core/package.json").version + ", axe-core " + require("axe-core/package.json").version)'
